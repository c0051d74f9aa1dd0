//! Money: the platforms send yuan as JSON numbers (`2.00`, `288.0`); CouponDesk keeps
//! integer fen. Conversion goes through the number's decimal text, never through f64
//! arithmetic, so `0.29` is 29 fen and never 28.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Why a yuan amount could not be turned into whole fen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MoneyError {
    /// Not a decimal number (`"abc"`, `""`, `"1.2.3"`).
    NotANumber(String),
    /// More than two decimal places that are not zeros (`0.001`, `2.0000000000000004`).
    FractionOfFen(String),
    /// Does not fit in an `i64` count of fen.
    Overflow(String),
}

impl fmt::Display for MoneyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MoneyError::NotANumber(s) => write!(f, "not a decimal amount: {s:?}"),
            MoneyError::FractionOfFen(s) => write!(f, "amount has a fraction of a fen: {s}"),
            MoneyError::Overflow(s) => write!(f, "amount too large: {s}"),
        }
    }
}

impl std::error::Error for MoneyError {}

/// Parses a decimal yuan text (`"2"`, `"2.5"`, `"-0.05"`, `"1e3"`, `"288.0"`) into fen.
pub fn yuan_str_to_fen(text: &str) -> Result<i64, MoneyError> {
    let bad = || MoneyError::NotANumber(text.to_string());
    let s = text.trim();
    let (neg, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let (mantissa, exp) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], s[i + 1..].parse::<i32>().map_err(|_| bad())?),
        None => (s, 0),
    };
    let (int_part, frac_part) = match mantissa.split_once('.') {
        Some((i, f)) => (i, f),
        None => (mantissa, ""),
    };
    if (int_part.is_empty() && frac_part.is_empty())
        || !int_part.bytes().all(|b| b.is_ascii_digit())
        || !frac_part.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    // digits * 10^(point) where point = exp - len(frac); fen = digits * 10^(point + 2)
    let digits = format!("{int_part}{frac_part}");
    let digits = digits.trim_start_matches('0');
    let shift = exp as i64 - frac_part.len() as i64 + 2;
    let fen: i128 = if digits.is_empty() {
        0
    } else if shift >= 0 {
        if digits.len() as i64 + shift > 19 {
            return Err(MoneyError::Overflow(text.to_string()));
        }
        let base: i128 = digits
            .parse()
            .map_err(|_| MoneyError::Overflow(text.to_string()))?;
        base * 10i128.pow(shift as u32)
    } else {
        let cut = (-shift) as usize;
        let (keep, dropped) = if cut >= digits.len() {
            ("", digits)
        } else {
            digits.split_at(digits.len() - cut)
        };
        if dropped.bytes().any(|b| b != b'0') {
            return Err(MoneyError::FractionOfFen(text.to_string()));
        }
        if keep.len() > 19 {
            return Err(MoneyError::Overflow(text.to_string()));
        }
        if keep.is_empty() {
            0
        } else {
            keep.parse()
                .map_err(|_| MoneyError::Overflow(text.to_string()))?
        }
    };
    let fen = if neg { -fen } else { fen };
    i64::try_from(fen).map_err(|_| MoneyError::Overflow(text.to_string()))
}

/// Converts a JSON number in yuan to fen through its decimal text.
///
/// serde_json (without `arbitrary_precision`) keeps a fractional number as the nearest
/// f64 and prints it back as the shortest text that reads back to it, which for any
/// amount of up to 15 significant digits is the text that was sent.
pub fn yuan_number_to_fen(n: &serde_json::Number) -> Result<i64, MoneyError> {
    yuan_str_to_fen(&n.to_string())
}

/// Fen as yuan text with two decimals: `205 -> "2.05"`, `-5 -> "-0.05"`.
pub fn fen_to_yuan_string(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// Fen as a JSON number in yuan: whole yuan as an integer (`200 -> 2`), otherwise the
/// decimal (`205 -> 2.05`), built from the exact decimal text.
pub fn fen_to_yuan_number(fen: i64) -> serde_json::Number {
    if fen % 100 == 0 {
        serde_json::Number::from(fen / 100)
    } else {
        fen_to_yuan_string(fen)
            .parse::<serde_json::Number>()
            .expect("a two-decimal text is a JSON number")
    }
}

/// An amount held as integer fen that travels as a JSON number in yuan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Yuan(pub i64);

impl Yuan {
    /// The amount in fen.
    pub fn fen(self) -> i64 {
        self.0
    }
    /// An amount of `fen` fen.
    pub fn from_fen(fen: i64) -> Self {
        Yuan(fen)
    }
}

impl fmt::Display for Yuan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&fen_to_yuan_string(self.0))
    }
}

impl Serialize for Yuan {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        fen_to_yuan_number(self.0).serialize(s)
    }
}

impl<'de> Deserialize<'de> for Yuan {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let n = serde_json::Number::deserialize(d)?;
        yuan_number_to_fen(&n)
            .map(Yuan)
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_to_fen_cases() {
        let cases = [
            ("0", 0),
            ("2", 200),
            ("2.00", 200),
            ("2.0", 200),
            ("288.0", 28800),
            ("0.29", 29),
            ("0.1", 10),
            ("19.99", 1999),
            ("-0.05", -5),
            ("1e3", 100000),
            ("1.5E2", 15000),
            ("12.3e-1", 123),
            ("0.010", 1),
            ("1.10000", 110),
            ("92233720368547758.07", i64::MAX),
        ];
        for (text, fen) in cases {
            assert_eq!(yuan_str_to_fen(text), Ok(fen), "{text}");
        }
    }

    #[test]
    fn bad_texts() {
        for t in ["", "-", ".", "abc", "1.2.3", "1e", "--1", "1,5"] {
            assert!(
                matches!(yuan_str_to_fen(t), Err(MoneyError::NotANumber(_))),
                "{t}"
            );
        }
        for t in ["0.001", "2.0000000000000004", "1e-3"] {
            assert!(
                matches!(yuan_str_to_fen(t), Err(MoneyError::FractionOfFen(_))),
                "{t}"
            );
        }
        for t in ["92233720368547758.08", "1e30"] {
            assert!(
                matches!(yuan_str_to_fen(t), Err(MoneyError::Overflow(_))),
                "{t}"
            );
        }
    }

    #[test]
    fn json_numbers_that_f64_arithmetic_gets_wrong() {
        // 0.29 * 100.0 == 28.999999999999996 and 1.15 * 100.0 == 114.99999999999999 in f64
        for (json, fen) in [
            ("0.29", 29),
            ("1.15", 115),
            ("4.35", 435),
            ("1.005e2", 10050),
        ] {
            let n: serde_json::Number = serde_json::from_str(json).unwrap();
            assert_eq!(yuan_number_to_fen(&n), Ok(fen), "{json}");
        }
    }

    #[test]
    fn every_fen_round_trips_through_json() {
        let mut fens: Vec<i64> = (-1000..=100_000).collect();
        fens.extend([999_999_999_999, 123_456_789_012_345, -123_456_789_012_345]);
        for fen in fens {
            let json = serde_json::to_string(&Yuan(fen)).unwrap();
            let back: Yuan = serde_json::from_str(&json).unwrap();
            assert_eq!(back, Yuan(fen), "{json}");
            assert_eq!(yuan_str_to_fen(&fen_to_yuan_string(fen)), Ok(fen));
        }
    }

    #[test]
    fn serialisation_shape() {
        assert_eq!(serde_json::to_string(&Yuan(200)).unwrap(), "2");
        assert_eq!(serde_json::to_string(&Yuan(205)).unwrap(), "2.05");
        assert_eq!(serde_json::to_string(&Yuan(-5)).unwrap(), "-0.05");
        assert_eq!(fen_to_yuan_string(28800), "288.00");
        assert!(serde_json::from_str::<Yuan>("\"2\"").is_err());
        assert!(serde_json::from_str::<Yuan>("0.001").is_err());
    }
}

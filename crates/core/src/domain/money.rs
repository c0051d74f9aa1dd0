//! Money as people type it (yuan, "2.50") and as the app keeps it (fen, i64), converted
//! exactly: no floats anywhere on the way.
//!
//! Accepted: digits, optionally a dot and one or two more digits ("2", "2.5", "2.50"),
//! with surrounding whitespace; at most 1,000,000.00 yuan. Refused, each with a sentence
//! saying what to type instead: empty text, a sign ("-1", "+1"), more than two decimals
//! ("2.555"), a dot without digits on both sides ("2.", ".5"), anything else.

/// 1,000,000.00 yuan: the largest amount anywhere in the app.
pub const MAX_FEN: i64 = 100_000_000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("an amount is required; type it in yuan, e.g. 2.50")]
    Empty,
    #[error("{0:?} is negative; amounts are 0 or more yuan")]
    Negative(String),
    #[error("{0:?} has more than two decimals; yuan go down to the fen (0.01)")]
    TooManyDecimals(String),
    #[error("{0:?} is more than 1,000,000.00 yuan, the largest amount CouponDesk takes")]
    TooLarge(String),
    #[error("{0:?} is not an amount; type yuan like 2, 2.5 or 2.50")]
    NotANumber(String),
}

crate::error_codes::impl_error_code! {
    MoneyError {
        codes { _ => "invalid_amount" }
    }
}

/// Parses yuan text into fen, exactly.
pub fn parse_yuan(text: &str) -> Result<i64, MoneyError> {
    let s = text.trim();
    if s.is_empty() {
        return Err(MoneyError::Empty);
    }
    if s.starts_with('-') {
        return Err(MoneyError::Negative(s.to_owned()));
    }
    let (whole, frac) = match s.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (s, None),
    };
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) {
        return Err(MoneyError::NotANumber(s.to_owned()));
    }
    let frac_fen = match frac {
        None => 0,
        Some(f) if !digits(f) => return Err(MoneyError::NotANumber(s.to_owned())),
        Some(f) if f.len() > 2 => return Err(MoneyError::TooManyDecimals(s.to_owned())),
        Some(f) => {
            let v: i64 = f
                .parse()
                .map_err(|_| MoneyError::NotANumber(s.to_owned()))?;
            if f.len() == 1 {
                v * 10
            } else {
                v
            }
        }
    };
    // Leading zeros are fine ("007"); the length guard keeps the parse from overflowing.
    let whole = whole.trim_start_matches('0');
    if whole.len() > 7 {
        return Err(MoneyError::TooLarge(s.to_owned()));
    }
    let yuan: i64 = if whole.is_empty() {
        0
    } else {
        whole
            .parse()
            .map_err(|_| MoneyError::NotANumber(s.to_owned()))?
    };
    let fen = yuan * 100 + frac_fen;
    if fen > MAX_FEN {
        return Err(MoneyError::TooLarge(s.to_owned()));
    }
    Ok(fen)
}

/// Fen as yuan with two decimals: 250 -> "2.50", -5 -> "-0.05".
pub fn format_yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_whole_one_and_two_decimals() {
        assert_eq!(parse_yuan("2"), Ok(200));
        assert_eq!(parse_yuan("2.5"), Ok(250));
        assert_eq!(parse_yuan("2.50"), Ok(250));
        assert_eq!(parse_yuan(" 0.01 "), Ok(1));
        assert_eq!(parse_yuan("0"), Ok(0));
        assert_eq!(parse_yuan("007.10"), Ok(710));
        assert_eq!(parse_yuan("1000000"), Ok(MAX_FEN));
        assert_eq!(parse_yuan("1000000.00"), Ok(MAX_FEN));
    }

    #[test]
    fn refuses_with_a_reason() {
        assert!(matches!(
            parse_yuan("2.555"),
            Err(MoneyError::TooManyDecimals(_))
        ));
        assert!(matches!(parse_yuan("-1"), Err(MoneyError::Negative(_))));
        assert_eq!(parse_yuan("  "), Err(MoneyError::Empty));
        assert!(matches!(
            parse_yuan("1000000.01"),
            Err(MoneyError::TooLarge(_))
        ));
        assert!(matches!(
            parse_yuan("99999999999999999999999"),
            Err(MoneyError::TooLarge(_))
        ));
        for bad in [
            "2.", ".5", "+1", "1e3", "1,000", "¥2", "2.5a", "两元", "1.-5",
        ] {
            assert!(
                matches!(parse_yuan(bad), Err(MoneyError::NotANumber(_))),
                "{bad}"
            );
        }
        let msg = parse_yuan("2.555").unwrap_err().to_string();
        assert!(msg.contains("two decimals"), "{msg}");
    }

    #[test]
    fn formats_two_decimals() {
        assert_eq!(format_yuan(250), "2.50");
        assert_eq!(format_yuan(0), "0.00");
        assert_eq!(format_yuan(-5), "-0.05");
        assert_eq!(format_yuan(MAX_FEN), "1000000.00");
    }

    proptest! {
        #[test]
        fn format_then_parse_is_exact(fen in 0..=MAX_FEN) {
            prop_assert_eq!(parse_yuan(&format_yuan(fen)), Ok(fen));
        }

        #[test]
        fn one_decimal_is_tens_of_fen(yuan in 0..1_000_000i64, d in 0..10i64) {
            prop_assert_eq!(parse_yuan(&format!("{yuan}.{d}")), Ok(yuan * 100 + d * 10));
        }

        #[test]
        fn three_or_more_decimals_are_refused(yuan in 0..1_000_000i64, f in "[0-9]{3,8}") {
            let refused = matches!(
                parse_yuan(&format!("{yuan}.{f}")),
                Err(MoneyError::TooManyDecimals(_))
            );
            prop_assert!(refused);
        }

        #[test]
        fn negatives_are_refused(fen in 1..=MAX_FEN) {
            let refused = matches!(
                parse_yuan(&format!("-{}", format_yuan(fen))),
                Err(MoneyError::Negative(_))
            );
            prop_assert!(refused);
        }

        #[test]
        fn never_panics_and_stays_in_range(s in "\\PC{0,24}") {
            if let Ok(fen) = parse_yuan(&s) {
                prop_assert!((0..=MAX_FEN).contains(&fen));
            }
        }
    }
}

/// Each variant's code, exactly, and listed (`crate::all_error_codes` is built from the lists).
#[cfg(test)]
mod error_code_tests {
    use super::*;
    use crate::error_codes::assert_codes;
    #[test]
    fn every_variant_has_its_code() {
        assert_codes(vec![
            (MoneyError::Empty, "invalid_amount"),
            (MoneyError::Negative("-1".into()), "invalid_amount"),
            (
                MoneyError::TooManyDecimals("1.001".into()),
                "invalid_amount",
            ),
            (MoneyError::TooLarge("9999999".into()), "invalid_amount"),
            (MoneyError::NotANumber("x".into()), "invalid_amount"),
        ]);
    }
}

//! What a coupon code may look like. The rule (DESIGN.md): 4-64 characters from
//! `A-Z a-z 0-9 - _`, starting with a letter or digit, case-sensitive, trimmed of
//! surrounding whitespace; uniqueness across the database is the store's job.

use serde::Serialize;
use ts_rs::TS;

pub const MIN_LEN: usize = 4;
pub const MAX_LEN: usize = 64;

/// A code that passed the rule. Holding one means the text is valid.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Code(String);

/// Why a text is not a code. The variants are the `reasonCode`s the UI translates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum CodeRejection {
    Empty,
    TooShort,
    TooLong,
    BadCharacter,
    BadFirstCharacter,
}

impl CodeRejection {
    pub fn as_str(self) -> &'static str {
        match self {
            CodeRejection::Empty => "empty",
            CodeRejection::TooShort => "too_short",
            CodeRejection::TooLong => "too_long",
            CodeRejection::BadCharacter => "bad_character",
            CodeRejection::BadFirstCharacter => "bad_first_character",
        }
    }

    /// English sentence saying what is wrong and what a valid code looks like.
    pub fn describe(self) -> &'static str {
        match self {
            CodeRejection::Empty => "the code cell is empty",
            CodeRejection::TooShort => "the code is shorter than 4 characters",
            CodeRejection::TooLong => "the code is longer than 64 characters",
            CodeRejection::BadCharacter => {
                "the code has a character other than A-Z, a-z, 0-9, '-' or '_'"
            }
            CodeRejection::BadFirstCharacter => "the code must start with a letter or a digit",
        }
    }
}

impl std::fmt::Display for CodeRejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.describe())
    }
}

/// A code as typed or scanned at the counter, made into what the rule checks: full-width
/// forms (a Chinese input method's ＡＢＣ１２３, its ideographic space) become their ASCII
/// twins, and surrounding whitespace goes. Letter case is kept: codes are case-sensitive.
/// Used by the counter's check, redemption and undo, so the CLI and the window agree.
pub fn normalise_typed(raw: &str) -> String {
    raw.chars()
        .map(|c| match u32::from(c) {
            // U+FF01..U+FF5E mirror ASCII 0x21..0x7E, 0xFEE0 apart.
            f @ 0xFF01..=0xFF5E => char::from_u32(f - 0xFEE0).unwrap_or(c),
            0x3000 => ' ',
            _ => c,
        })
        .collect::<String>()
        .trim()
        .to_owned()
}

fn allowed(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

impl Code {
    /// Checks `raw` against the rule, trimming surrounding whitespace first.
    pub fn parse(raw: &str) -> Result<Code, CodeRejection> {
        let t = raw.trim();
        if t.is_empty() {
            return Err(CodeRejection::Empty);
        }
        // Characters, not bytes: a non-ASCII character is a bad character, not a length problem.
        let bytes = t.as_bytes();
        if !bytes.iter().all(|b| allowed(*b)) {
            return Err(CodeRejection::BadCharacter);
        }
        if bytes.len() < MIN_LEN {
            return Err(CodeRejection::TooShort);
        }
        if bytes.len() > MAX_LEN {
            return Err(CodeRejection::TooLong);
        }
        if !bytes[0].is_ascii_alphanumeric() {
            return Err(CodeRejection::BadFirstCharacter);
        }
        Ok(Code(t.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn full_width_and_spaces_become_the_code() {
        assert_eq!(normalise_typed("ＡＢＣ１２３"), "ABC123");
        assert_eq!(normalise_typed("\u{3000} ａｂ－＿9\t "), "ab-_9");
        assert_eq!(normalise_typed(" AbC-1 "), "AbC-1", "case is kept");
        assert_eq!(
            normalise_typed("券码"),
            "券码",
            "other characters stay, for the rule to refuse"
        );
    }

    #[test]
    fn accepts_and_trims() {
        assert_eq!(
            Code::parse("  AB12-x_9 \t").map(Code::into_string),
            Ok("AB12-x_9".into())
        );
        assert_eq!(
            Code::parse("abcd").map(Code::into_string),
            Ok("abcd".into())
        );
        assert_eq!(
            Code::parse(&"a".repeat(64)).map(|c| c.as_str().len()),
            Ok(64)
        );
    }

    #[test]
    fn rejects_with_reason() {
        assert_eq!(Code::parse("   "), Err(CodeRejection::Empty));
        assert_eq!(Code::parse("abc"), Err(CodeRejection::TooShort));
        assert_eq!(Code::parse(&"a".repeat(65)), Err(CodeRejection::TooLong));
        assert_eq!(Code::parse("ab cd"), Err(CodeRejection::BadCharacter));
        assert_eq!(Code::parse("券码1234"), Err(CodeRejection::BadCharacter));
        assert_eq!(Code::parse("-abcd"), Err(CodeRejection::BadFirstCharacter));
        assert_eq!(Code::parse("_abcd"), Err(CodeRejection::BadFirstCharacter));
    }

    /// The oracle, written from DESIGN.md's rule and not from the code above (it calls
    /// none of its helpers): trim white space, then 4 to 64 characters, each one of
    /// A-Z a-z 0-9 - _, the first a letter or digit. Some(trimmed) when valid.
    fn oracle(raw: &str) -> Option<String> {
        let chars: Vec<char> = raw.chars().collect();
        let mut from = 0;
        while from < chars.len() && chars[from].is_whitespace() {
            from += 1;
        }
        let mut to = chars.len();
        while to > from && chars[to - 1].is_whitespace() {
            to -= 1;
        }
        let body = &chars[from..to];
        let in_alphabet = |c: char| matches!(c, 'A'..='Z' | 'a'..='z' | '0'..='9' | '-' | '_');
        let letter_or_digit = |c: char| matches!(c, 'A'..='Z' | 'a'..='z' | '0'..='9');
        let valid = (4..=64).contains(&body.len())
            && body.iter().all(|c| in_alphabet(*c))
            && letter_or_digit(body[0]);
        valid.then(|| body.iter().collect())
    }

    /// Characters a near-valid code goes wrong with: look-alike digits and letters from
    /// other scripts, punctuation, inner white space, an invisible space.
    const BAD: &[char] = &[
        ' ', '.', '+', '=', '/', '券', 'é', '０', 'Ａ', '\u{200B}', '\u{3000}', '\t',
    ];
    const WHITE: &[&str] = &["", " ", "  ", "\t", "\n", "\r\n", "\u{3000}", "\u{A0}"];

    /// Mostly valid-looking codes: alphabet text of 2..70 characters, sometimes with a bad
    /// character put in or a '-'/'_' in front, with white space around.
    fn near_valid() -> impl Strategy<Value = String> {
        let white = || proptest::sample::select(WHITE.to_vec());
        let spoil = prop_oneof![
            8 => Just(None),
            2 => (any::<prop::sample::Index>(), proptest::sample::select(BAD.to_vec()))
                .prop_map(|(at, c)| Some((at, c))),
        ];
        let front = prop_oneof![16 => Just(""), 1 => Just("-"), 1 => Just("_")];
        (white(), front, "[A-Za-z0-9_-]{2,70}", spoil, white()).prop_map(
            |(lead, front, body, spoil, trail)| {
                let mut chars: Vec<char> = format!("{front}{body}").chars().collect();
                if let Some((at, c)) = spoil {
                    let i = at.index(chars.len());
                    chars[i] = c;
                }
                let body: String = chars.into_iter().collect();
                format!("{lead}{body}{trail}")
            },
        )
    }

    proptest! {
        #[test]
        fn valid_codes_round_trip(s in "[A-Za-z0-9][A-Za-z0-9_-]{3,63}") {
            prop_assert_eq!(Code::parse(&format!(" {s} ")).map(Code::into_string), Ok(s));
        }

        #[test]
        fn agrees_with_the_oracle(s in near_valid()) {
            prop_assert_eq!(Code::parse(&s).ok().map(Code::into_string), oracle(&s));
        }

        #[test]
        fn agrees_with_the_oracle_on_anything(s in "\\PC{0,80}") {
            prop_assert_eq!(Code::parse(&s).ok().map(Code::into_string), oracle(&s));
        }
    }

    /// Both branches of the property get exercised: a good share of the near-valid cases
    /// are valid and a good share are not, the too-long and too-short ones included.
    #[test]
    fn near_valid_cases_are_often_valid() {
        use proptest::strategy::ValueTree;
        use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
        let rng = TestRng::deterministic_rng(RngAlgorithm::ChaCha);
        let mut runner = TestRunner::new_with_rng(Config::default(), rng);
        let n = 1000;
        let (mut valid, mut short, mut long) = (0, 0, 0);
        for _ in 0..n {
            let Ok(tree) = near_valid().new_tree(&mut runner) else {
                panic!("strategy failed");
            };
            let s = tree.current();
            match oracle(&s) {
                Some(_) => valid += 1,
                None => {
                    let len = s.trim().chars().count();
                    short += usize::from(len < 4);
                    long += usize::from(len > 64);
                }
            }
        }
        eprintln!("{valid} valid, {short} too short, {long} too long of {n}");
        assert!(
            valid >= n * 4 / 10 && valid <= n * 8 / 10,
            "{valid} of {n} valid"
        );
        assert!(
            short >= 5 && long >= 20,
            "{short} too short, {long} too long"
        );
    }
}

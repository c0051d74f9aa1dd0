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

    proptest! {
        #[test]
        fn valid_codes_round_trip(s in "[A-Za-z0-9][A-Za-z0-9_-]{3,63}") {
            prop_assert_eq!(Code::parse(&format!(" {s} ")).map(Code::into_string), Ok(s));
        }

        #[test]
        fn anything_accepted_obeys_the_rule(s in "\\PC{0,80}") {
            if let Ok(c) = Code::parse(&s) {
                let c = c.as_str();
                prop_assert!(c.len() >= MIN_LEN && c.len() <= MAX_LEN);
                prop_assert!(c.bytes().all(allowed));
                prop_assert!(c.as_bytes()[0].is_ascii_alphanumeric());
                prop_assert_eq!(c, s.trim());
            }
        }
    }
}

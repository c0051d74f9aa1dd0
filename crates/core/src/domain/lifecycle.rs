//! The one lifecycle of every redeemable instrument (code, bonus, voucher):
//! issued -> active -> redeemed, or -> disabled / expired. Every transition is decided
//! here; an illegal one is a typed error.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum CodeStatus {
    Issued,
    Active,
    Redeemed,
    Disabled,
    Expired,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a {from} code cannot become {to}")]
pub struct IllegalTransition {
    pub from: CodeStatus,
    pub to: CodeStatus,
}

crate::error_codes::impl_error_code! {
    IllegalTransition {
        codes { _ => "illegal_transition" }
    }
}

impl CodeStatus {
    pub const ALL: [CodeStatus; 5] = [
        CodeStatus::Issued,
        CodeStatus::Active,
        CodeStatus::Redeemed,
        CodeStatus::Disabled,
        CodeStatus::Expired,
    ];

    /// The integer stored in SQLite. Must never change for an existing variant.
    pub fn to_db(self) -> i64 {
        match self {
            CodeStatus::Issued => 0,
            CodeStatus::Active => 1,
            CodeStatus::Redeemed => 2,
            CodeStatus::Disabled => 3,
            CodeStatus::Expired => 4,
        }
    }

    pub fn from_db(v: i64) -> Option<CodeStatus> {
        CodeStatus::ALL.into_iter().find(|s| s.to_db() == v)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CodeStatus::Issued => "issued",
            CodeStatus::Active => "active",
            CodeStatus::Redeemed => "redeemed",
            CodeStatus::Disabled => "disabled",
            CodeStatus::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> Option<CodeStatus> {
        CodeStatus::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Redeemed, disabled and expired are final: nothing leaves them.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            CodeStatus::Redeemed | CodeStatus::Disabled | CodeStatus::Expired
        )
    }

    /// The transition table. Active may fall back to issued (remote deactivation).
    pub fn can_become(self, to: CodeStatus) -> bool {
        use CodeStatus::*;
        matches!(
            (self, to),
            (Issued, Active)
                | (Issued, Disabled)
                | (Issued, Expired)
                | (Active, Issued)
                | (Active, Redeemed)
                | (Active, Disabled)
                | (Active, Expired)
        )
    }

    pub fn transition(self, to: CodeStatus) -> Result<CodeStatus, IllegalTransition> {
        if self.can_become(to) {
            Ok(to)
        } else {
            Err(IllegalTransition { from: self, to })
        }
    }
}

impl std::fmt::Display for CodeStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn db_values_round_trip_and_are_distinct() {
        for s in CodeStatus::ALL {
            assert_eq!(CodeStatus::from_db(s.to_db()), Some(s));
            assert_eq!(CodeStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(CodeStatus::from_db(99), None);
    }

    #[test]
    fn final_states_go_nowhere() {
        for from in CodeStatus::ALL.into_iter().filter(|s| s.is_final()) {
            for to in CodeStatus::ALL {
                assert!(from.transition(to).is_err(), "{from} -> {to}");
            }
        }
    }

    #[test]
    fn the_happy_path_is_legal_and_skipping_activation_is_not() {
        use CodeStatus::*;
        assert_eq!(Issued.transition(Active), Ok(Active));
        assert_eq!(Active.transition(Redeemed), Ok(Redeemed));
        assert_eq!(
            Issued.transition(Redeemed),
            Err(IllegalTransition {
                from: Issued,
                to: Redeemed
            })
        );
        assert!(Issued.transition(Issued).is_err());
    }
}

/// Each variant's code, exactly, and listed (`crate::all_error_codes` is built from the lists).
#[cfg(test)]
mod error_code_tests {
    use super::*;
    use crate::error_codes::assert_codes;
    #[test]
    fn every_variant_has_its_code() {
        let illegal = IllegalTransition {
            from: CodeStatus::Redeemed,
            to: CodeStatus::Active,
        };
        assert_codes(vec![(illegal, "illegal_transition")]);
    }
}

//! What a desk in chain mode may do with a template's codes when the hub does not answer
//! in time (docs/chain-mode.md, "Offline").
//!
//! Online, a redemption is decided by the hub's claim: a code is used once across every
//! desk. Offline, the desk decides alone, and a code redeemed offline here and elsewhere
//! becomes a conflict for a manager to settle, which can cost the merchant the coupon's
//! value. So each template says how much of that risk it takes:
//!
//! - `NotAllowed` (the default): its codes wait for the hub. The reading that cannot cost
//!   the merchant money when a manager has not chosen.
//! - `Allowed`: any number.
//! - `Limited`: at most `per_terminal_per_day` offline redemptions of the template per
//!   counter per shop day, and at most `max_value_fen` of reductions among them that day
//!   (the money at risk is bounded by the day's total, not by each coupon's value).
//!
//! What must stay true: codes leased to this terminal (`leased`) are always allowed: the
//! hub refuses them everywhere else, so no conflict is possible whatever the policy.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(
    tag = "mode",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
#[ts(export)]
pub enum OfflinePolicy {
    #[default]
    NotAllowed,
    Allowed,
    Limited {
        per_terminal_per_day: u32,
        #[ts(type = "number")]
        max_value_fen: i64,
    },
}

/// This terminal's offline redemptions of one template on the current shop day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OfflineUse {
    pub count: u32,
    pub value_fen: i64,
}

/// Why an offline redemption is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfflineRefusal {
    NotAllowed,
    CountReached { limit: u32 },
    ValueReached { max_fen: i64 },
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum OfflinePolicyError {
    #[error("an offline limit needs at least 1 redemption a day; choose \"not allowed\" instead")]
    ZeroCount,
    #[error("the offline value limit cannot be negative")]
    NegativeValue,
}

crate::error_codes::impl_error_code! {
    OfflinePolicyError {
        codes { _ => "invalid_offline_policy" }
    }
}

impl OfflinePolicy {
    pub fn validated(self) -> Result<OfflinePolicy, OfflinePolicyError> {
        match self {
            OfflinePolicy::Limited {
                per_terminal_per_day: 0,
                ..
            } => Err(OfflinePolicyError::ZeroCount),
            OfflinePolicy::Limited { max_value_fen, .. } if max_value_fen < 0 => {
                Err(OfflinePolicyError::NegativeValue)
            }
            p => Ok(p),
        }
    }

    /// Whether one more offline redemption worth `reduction_fen` may go ahead, given what
    /// this terminal already redeemed offline of the template today.
    pub fn admits(
        self,
        leased: bool,
        today: OfflineUse,
        reduction_fen: i64,
    ) -> Result<(), OfflineRefusal> {
        if leased {
            return Ok(());
        }
        match self {
            OfflinePolicy::NotAllowed => Err(OfflineRefusal::NotAllowed),
            OfflinePolicy::Allowed => Ok(()),
            OfflinePolicy::Limited {
                per_terminal_per_day,
                max_value_fen,
            } => {
                if today.count >= per_terminal_per_day {
                    return Err(OfflineRefusal::CountReached {
                        limit: per_terminal_per_day,
                    });
                }
                if today.value_fen.saturating_add(reduction_fen.max(0)) > max_value_fen {
                    return Err(OfflineRefusal::ValueReached {
                        max_fen: max_value_fen,
                    });
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITED: OfflinePolicy = OfflinePolicy::Limited {
        per_terminal_per_day: 3,
        max_value_fen: 5000,
    };

    fn used(count: u32, value_fen: i64) -> OfflineUse {
        OfflineUse { count, value_fen }
    }

    #[test]
    fn the_default_waits_for_the_hub() {
        assert_eq!(OfflinePolicy::default(), OfflinePolicy::NotAllowed);
        assert_eq!(
            OfflinePolicy::default().admits(false, used(0, 0), 0),
            Err(OfflineRefusal::NotAllowed)
        );
    }

    #[test]
    fn leased_codes_pass_whatever_the_policy() {
        for p in [OfflinePolicy::NotAllowed, LIMITED] {
            assert_eq!(p.admits(true, used(99, 99_999), 10_000), Ok(()));
        }
    }

    #[test]
    fn a_limit_counts_redemptions_and_value_per_day() {
        assert_eq!(LIMITED.admits(false, used(2, 0), 0), Ok(()));
        assert_eq!(
            LIMITED.admits(false, used(3, 0), 0),
            Err(OfflineRefusal::CountReached { limit: 3 })
        );
        // 3,000 + 2,000 is the limit itself: allowed; one fen more is not.
        assert_eq!(LIMITED.admits(false, used(1, 3000), 2000), Ok(()));
        assert_eq!(
            LIMITED.admits(false, used(1, 3000), 2001),
            Err(OfflineRefusal::ValueReached { max_fen: 5000 })
        );
    }

    #[test]
    fn a_limit_of_nothing_is_refused_when_set() {
        let zero = OfflinePolicy::Limited {
            per_terminal_per_day: 0,
            max_value_fen: 100,
        };
        assert_eq!(zero.validated(), Err(OfflinePolicyError::ZeroCount));
        let negative = OfflinePolicy::Limited {
            per_terminal_per_day: 1,
            max_value_fen: -1,
        };
        assert_eq!(negative.validated(), Err(OfflinePolicyError::NegativeValue));
        assert_eq!(
            OfflinePolicy::Allowed.validated(),
            Ok(OfflinePolicy::Allowed)
        );
    }

    #[test]
    fn the_json_names_the_mode() {
        let text = serde_json::to_string(&LIMITED).expect("json");
        assert_eq!(
            text,
            r#"{"mode":"limited","perTerminalPerDay":3,"maxValueFen":5000}"#
        );
        let back: OfflinePolicy = serde_json::from_str(&text).expect("back");
        assert_eq!(back, LIMITED);
    }
}

//! Whether a code can be redeemed now, and what it is worth: the rules of the counter,
//! with no I/O. The store gathers the facts (`RedeemFacts`) inside the redemption's
//! transaction and calls `decide`, so a check and a redemption can never disagree.
//!
//! The order of the checks is the order staff need the answer in: a code that is already
//! used says so even if it has since expired; the amount is asked for last.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::lifecycle::CodeStatus;
use super::offer::{Offer, OfferRefusal};
use super::template::{TemplateDraft, TemplateKind};
use super::validity::{ShopClock, TimeRefusal};

/// Why a code cannot be redeemed, in terms the UI turns into staff's words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(
    tag = "reason",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
#[ts(export)]
pub enum Refusal {
    /// Not the shape of a code (4-64 of A-Z a-z 0-9 - _).
    Malformed,
    /// No such code in this shop's database.
    Unknown,
    /// No such code, but one that differs only in letter case exists: codes are
    /// case-sensitive, so it is refused, with the code staff probably meant.
    WrongCase {
        suggestion: String,
    },
    /// The code's batch is not linked to a coupon template, so it is worth nothing yet.
    NotLinked {
        ticket_type: String,
    },
    /// The import or generation that adds this code is still running (and may be undone).
    StillImporting,
    Disabled,
    AlreadyUsed {
        at: DateTime<Utc>,
        operator: String,
        terminal: String,
    },
    NotYetValid {
        from: DateTime<Utc>,
    },
    Expired {
        at: DateTime<Utc>,
    },
    OutsideTimeWindow,
    /// Discount and cash coupons need the order amount to know what they are worth.
    AmountRequired,
    NegativeAmount,
    BelowLeastSpend {
        #[ts(type = "number")]
        least_fen: i64,
    },
    CustomerLimitReached {
        limit: u32,
    },
    /// Chain mode: the hub says another desk redeemed the code (who, where, when).
    UsedElsewhere {
        at: DateTime<Utc>,
        operator: String,
        terminal: String,
        store: String,
    },
    /// Chain mode: the hub did not answer in time, and the template's codes wait for it
    /// (its offline policy, `domain::offline`).
    OfflineNotAllowed,
    /// Chain mode, offline: this counter has redeemed `limit` of the template offline today.
    OfflineLimitReached {
        limit: u32,
    },
    /// Chain mode, offline: this one would take the day's offline reductions of the
    /// template past `max_fen`.
    OfflineValueReached {
        #[ts(type = "number")]
        max_fen: i64,
    },
    /// Chain mode: the code is leased to another counter, which alone may redeem it.
    LeasedElsewhere {
        terminal: String,
        store: String,
    },
}

impl Refusal {
    pub fn reason(&self) -> &'static str {
        match self {
            Refusal::Malformed => "malformed",
            Refusal::Unknown => "unknown",
            Refusal::WrongCase { .. } => "wrong_case",
            Refusal::NotLinked { .. } => "not_linked",
            Refusal::StillImporting => "still_importing",
            Refusal::Disabled => "disabled",
            Refusal::AlreadyUsed { .. } => "already_used",
            Refusal::NotYetValid { .. } => "not_yet_valid",
            Refusal::Expired { .. } => "expired",
            Refusal::OutsideTimeWindow => "outside_time_window",
            Refusal::AmountRequired => "amount_required",
            Refusal::NegativeAmount => "negative_amount",
            Refusal::BelowLeastSpend { .. } => "below_least_spend",
            Refusal::CustomerLimitReached { .. } => "customer_limit_reached",
            Refusal::UsedElsewhere { .. } => "used_elsewhere",
            Refusal::OfflineNotAllowed => "offline_not_allowed",
            Refusal::OfflineLimitReached { .. } => "offline_limit_reached",
            Refusal::OfflineValueReached { .. } => "offline_value_reached",
            Refusal::LeasedElsewhere { .. } => "leased_elsewhere",
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Malformed => f.write_str(
                "this is not a coupon code: codes are 4-64 letters, digits, '-' or '_'; check what was typed",
            ),
            Refusal::Unknown => f.write_str("no coupon has this code; check the code or the customer's coupon"),
            Refusal::WrongCase { suggestion } => write!(
                f,
                "codes are case-sensitive; did you mean {suggestion}?"
            ),
            Refusal::NotLinked { ticket_type } => write!(
                f,
                "the code's batch {ticket_type} is not linked to a coupon template; link it on the template's page"
            ),
            Refusal::StillImporting => f.write_str(
                "the import that adds this code is still running; wait for it to finish",
            ),
            Refusal::Disabled => f.write_str("this coupon has been disabled and cannot be used"),
            Refusal::AlreadyUsed { at, operator, terminal } => write!(
                f,
                "this coupon was already used at {at} by {operator} on {terminal}"
            ),
            Refusal::NotYetValid { from } => write!(f, "this coupon cannot be used before {from}"),
            Refusal::Expired { at } => write!(f, "this coupon expired at {at}"),
            Refusal::OutsideTimeWindow => {
                f.write_str("this coupon cannot be used at this day or hour; see its usable times")
            }
            Refusal::AmountRequired => f.write_str("enter the order amount to use this coupon"),
            Refusal::NegativeAmount => f.write_str("the order amount cannot be negative"),
            Refusal::BelowLeastSpend { least_fen } => write!(
                f,
                "the order must be at least {}.{:02} to use this coupon",
                least_fen / 100,
                least_fen % 100
            ),
            Refusal::CustomerLimitReached { limit } => write!(
                f,
                "this customer has already used {limit} of these coupons, the most allowed"
            ),
            Refusal::UsedElsewhere {
                at,
                operator,
                terminal,
                store,
            } => write!(
                f,
                "this coupon was already used at {at} by {operator} on {terminal} in {store}"
            ),
            Refusal::OfflineNotAllowed => f.write_str(
                "the hub did not answer and this coupon may not be used offline; try again \
                 when the network is back, or ask a manager to allow it offline",
            ),
            Refusal::OfflineLimitReached { limit } => write!(
                f,
                "this counter has used {limit} of these coupons offline today, the most \
                 allowed; try again when the hub answers"
            ),
            Refusal::OfflineValueReached { max_fen } => write!(
                f,
                "offline, this counter may take at most {}.{:02} off orders with these \
                 coupons today; try again when the hub answers",
                max_fen / 100,
                max_fen % 100
            ),
            Refusal::LeasedElsewhere { terminal, store } => write!(
                f,
                "this coupon is set aside for {terminal} in {store} and can be used only there"
            ),
        }
    }
}

/// The template as the counter shows it beside a code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TemplateBrief {
    #[ts(type = "number")]
    pub id: i64,
    pub kind: TemplateKind,
    pub title: String,
    pub brand_name: String,
    pub offer: Offer,
    pub notice: String,
    /// The conditions staff must see before they take the coupon (WeChat
    /// `use_condition`): what it may and may not be used on (empty: not set), and whether
    /// it may be combined with other discounts.
    pub accept_category: String,
    pub reject_category: String,
    pub can_use_with_other_discount: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RedeemRequest {
    pub code: String,
    /// The order amount in fen; required for discount and cash coupons.
    #[serde(default)]
    #[ts(type = "number | null")]
    pub order_fen: Option<i64>,
    /// Who uses it (a phone number or member id); needed for the per-customer limit.
    #[serde(default)]
    pub customer: Option<String>,
}

/// What was redeemed: a coupon code, or a red-packet bonus. Their ids are separate
/// sequences: a redemption is named by its kind and its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum RedemptionKind {
    Coupon,
    Bonus,
}

/// One redemption, live or undone. A bonus's has no batch or template: `ticket_type` is
/// empty, `template_id` 0 and `template_title` the bonus's note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Redemption {
    pub kind: RedemptionKind,
    #[ts(type = "number")]
    pub id: i64,
    pub code: String,
    pub ticket_type: String,
    #[ts(type = "number")]
    pub template_id: i64,
    pub template_title: String,
    #[ts(type = "number | null")]
    pub order_fen: Option<i64>,
    #[ts(type = "number")]
    pub reduction_fen: i64,
    pub customer: Option<String>,
    pub operator: String,
    pub terminal: String,
    pub redeemed_at: DateTime<Utc>,
    /// Until when staff may undo it.
    pub undo_until: DateTime<Utc>,
    pub undone_at: Option<DateTime<Utc>>,
    pub undone_by: Option<String>,
}

/// The answer of a check (and the first half of a redemption's answer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RedeemCheck {
    /// The code as looked up (trimmed).
    pub code: String,
    /// None: the code can be redeemed now.
    pub refusal: Option<Refusal>,
    pub ticket_type: Option<String>,
    pub status: Option<CodeStatus>,
    // Boxed: the bulk of the answer, so the counter's enum of answers stays small.
    pub template: Option<Box<TemplateBrief>>,
    #[ts(type = "number | null")]
    pub order_fen: Option<i64>,
    /// What comes off this order (0 for groupon, gift and general coupons).
    #[ts(type = "number | null")]
    pub reduction_fen: Option<i64>,
    /// When the code may be used, as far as dates go.
    pub valid_from: Option<DateTime<Utc>>,
    pub valid_until: Option<DateTime<Utc>>,
    /// The live redemption when the code is already used.
    pub redemption: Option<Redemption>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RedeemOutcome {
    pub check: RedeemCheck,
    /// Some when the code was redeemed by this call.
    pub redemption: Option<Redemption>,
}

/// The shop's settings that the counter needs, kept in the database.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Settings {
    /// The shop's time zone as minutes east of UTC (480 for China Standard Time).
    pub shop_utc_offset_minutes: i32,
    /// Dates (in the shop's zone) on which HOLIDAY time limits apply.
    pub holidays: Vec<NaiveDate>,
    /// The name of this counter, recorded with each redemption.
    pub terminal: String,
    /// How long after a redemption staff may undo it; 0 turns undo off.
    pub undo_window_minutes: u32,
    /// Idle minutes after which the desk locks and asks for a PIN again (1-240). Settings
    /// saved before staff accounts existed have none: the default, 10.
    #[serde(default = "default_auto_lock_minutes")]
    pub auto_lock_minutes: u32,
    /// The counter sounds a short rising tone when a code is redeemed. Older settings: on.
    #[serde(default = "default_true")]
    pub sound_on_success: bool,
    /// The counter sounds a low tone when a code is refused. Older settings: on.
    #[serde(default = "default_true")]
    pub sound_on_refusal: bool,
    /// A scan whose check passes redeems at once, without the second Enter. Off unless the
    /// shop turns it on: a check that redeems cannot be looked at first.
    #[serde(default)]
    pub redeem_on_first_scan: bool,
    /// The shop's name, printed at the head of the daily close (at most 64 characters).
    /// Older settings: none (the close then shows only the counter and the day).
    #[serde(default)]
    pub shop_name: String,
}

fn default_true() -> bool {
    true
}

pub fn default_auto_lock_minutes() -> u32 {
    10
}

/// What the store knows about a code at the moment of the decision.
pub struct RedeemFacts<'a> {
    pub status: CodeStatus,
    pub template: &'a TemplateDraft,
    pub issued_at: DateTime<Utc>,
    /// Live redemptions of this template by the request's customer (None: no customer given).
    pub customer_uses: Option<i64>,
}

/// The decision: when the code may be used, and either the reduction on this order or
/// why the code cannot be used now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub valid_from: Option<DateTime<Utc>>,
    pub valid_until: Option<DateTime<Utc>>,
    pub verdict: Result<i64, Refusal>,
}

/// The decision once the code is known and linked.
pub fn decide(
    facts: &RedeemFacts<'_>,
    order_fen: Option<i64>,
    now: DateTime<Utc>,
    clock: &ShopClock,
) -> Decision {
    let t = facts.template;
    let (mut from, mut until) = (Some(t.begin_at), Some(t.end_at));
    if let Some(term) = t.code_term() {
        let (f, u) = term.date_range(facts.issued_at, clock);
        from = from.max(f);
        until = match (until, u) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
    let verdict = (|| {
        match facts.status {
            CodeStatus::Disabled => return Err(Refusal::Disabled),
            CodeStatus::Expired => {
                return Err(Refusal::Expired {
                    at: until.unwrap_or(now),
                })
            }
            // A redeemed code is refused by the caller, who knows the redemption.
            CodeStatus::Issued | CodeStatus::Active | CodeStatus::Redeemed => {}
        }
        if let Some(f) = from.filter(|f| now < *f) {
            return Err(Refusal::NotYetValid { from: f });
        }
        if let Some(u) = until.filter(|u| now >= *u) {
            return Err(Refusal::Expired { at: u });
        }
        match t.period().check(now, now, clock) {
            Ok(()) => {}
            Err(TimeRefusal::OutsideTimeWindow) => return Err(Refusal::OutsideTimeWindow),
            Err(TimeRefusal::NotYetValid(f)) => return Err(Refusal::NotYetValid { from: f }),
            Err(TimeRefusal::Expired(at)) => return Err(Refusal::Expired { at }),
        }
        if let Some(used) = facts.customer_uses {
            if used >= i64::from(t.get_limit) {
                return Err(Refusal::CustomerLimitReached { limit: t.get_limit });
            }
        }
        let needs_amount = matches!(t.offer, Offer::Discount { .. } | Offer::Cash { .. });
        match order_fen {
            None if needs_amount => Err(Refusal::AmountRequired),
            None => Ok(0),
            Some(order) => t.offer.reduction(order).map_err(|e| match e {
                OfferRefusal::BelowLeastSpend { least_fen } => {
                    Refusal::BelowLeastSpend { least_fen }
                }
                OfferRefusal::NegativeAmount => Refusal::NegativeAmount,
            }),
        }
    })();
    Decision {
        valid_from: from,
        valid_until: until,
        verdict,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::template::tests::cash_draft;
    use crate::domain::template::FixedTerm;
    use crate::domain::validity::{DayKind, TimeLimit};
    use chrono::{Duration, FixedOffset, TimeZone};
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    fn clock() -> ShopClock {
        ShopClock {
            offset: FixedOffset::east_opt(8 * 3600).expect("offset"),
            holidays: BTreeSet::new(),
        }
    }

    fn facts(t: &TemplateDraft) -> RedeemFacts<'_> {
        RedeemFacts {
            status: CodeStatus::Issued,
            template: t,
            issued_at: t.begin_at,
            customer_uses: None,
        }
    }

    #[test]
    fn cash_coupon_at_the_counter() {
        let t = cash_draft();
        let now = Utc.with_ymd_and_hms(2026, 6, 1, 4, 0, 0).unwrap();
        let f = facts(&t);
        assert_eq!(decide(&f, Some(10000), now, &clock()).verdict, Ok(2000));
        assert_eq!(
            decide(&f, Some(9999), now, &clock()).verdict,
            Err(Refusal::BelowLeastSpend { least_fen: 10000 })
        );
        assert_eq!(
            decide(&f, None, now, &clock()).verdict,
            Err(Refusal::AmountRequired)
        );
        let late = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(
            decide(&f, Some(10000), late, &clock()).verdict,
            Err(Refusal::Expired { at: late })
        );
        let disabled = RedeemFacts {
            status: CodeStatus::Disabled,
            ..facts(&t)
        };
        assert_eq!(
            decide(&disabled, Some(10000), now, &clock()).verdict,
            Err(Refusal::Disabled)
        );
        let limited = RedeemFacts {
            customer_uses: Some(3),
            ..facts(&t)
        };
        assert_eq!(
            decide(&limited, Some(10000), now, &clock()).verdict,
            Err(Refusal::CustomerLimitReached { limit: 3 })
        );
    }

    #[test]
    fn a_term_never_outlives_the_template() {
        let mut t = cash_draft();
        t.term = Some(FixedTerm {
            start_after_days: 0,
            valid_days: 30,
        });
        let issued = Utc.with_ymd_and_hms(2026, 12, 20, 0, 0, 0).unwrap();
        let f = RedeemFacts {
            issued_at: issued,
            ..facts(&t)
        };
        let d = decide(&f, Some(10000), issued, &clock());
        assert_eq!(d.valid_from, Some(issued));
        assert_eq!(
            d.valid_until,
            Some(t.end_at),
            "30 days would pass the template's end"
        );
    }

    proptest! {
        /// Least spend: an order of exactly the least spend is accepted, a fen less is not.
        #[test]
        fn least_spend_boundary(least in 1i64..10_000_000, reduce_frac in 1i64..=100, delta in -1000i64..1000) {
            let mut t = cash_draft();
            let reduce = (least * reduce_frac / 100).max(1);
            t.offer = Offer::Cash { reduce_fen: reduce, least_fen: least };
            let now = Utc.with_ymd_and_hms(2026, 6, 1, 4, 0, 0).unwrap();
            let order = (least + delta).max(0);
            let got = decide(&facts(&t), Some(order), now, &clock()).verdict;
            if order >= least {
                prop_assert_eq!(got, Ok(reduce.min(order)));
            } else {
                prop_assert_eq!(got, Err(Refusal::BelowLeastSpend { least_fen: least }));
            }
        }

        /// A Monday-morning coupon is usable exactly on Monday mornings of the shop's
        /// zone, whatever zone the shop is in, and only within the template's period.
        #[test]
        fn weekday_window_in_any_zone(offset_h in -11i32..=12, minutes in 0i64..(14 * 1440)) {
            let mut t = cash_draft();
            t.time_limits = vec![TimeLimit { day: DayKind::Monday, begin: Some(10), end: Some(659) }];
            let c = ShopClock { offset: FixedOffset::east_opt(offset_h * 3600).expect("offset"), holidays: BTreeSet::new() };
            // 2026-11-23 00:00 shop time is a Monday.
            let start = c.offset.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).single().expect("time").with_timezone(&Utc);
            let now = start + Duration::minutes(minutes);
            let in_window = minutes % (7 * 1440) >= 10 && minutes % (7 * 1440) <= 659;
            let got = decide(&facts(&t), Some(20000), now, &c).verdict;
            prop_assert_eq!(got.is_ok(), in_window);
            if !in_window {
                prop_assert_eq!(got, Err(Refusal::OutsideTimeWindow));
            }
        }
    }
}

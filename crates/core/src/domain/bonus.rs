//! Red-packet bonuses (spec 002): money off an order, each with its own 11-letter code.
//!
//! A bonus follows the one lifecycle (`lifecycle::CodeStatus`): it is created `active`
//! (or `disabled` when created with status false), becomes `redeemed` at the counter or
//! `disabled` by staff; both are final. Expiry is not stored as a status: it is computed
//! from `expired_at` whenever a bonus is read or listed, so a bonus past its expiry lists
//! as expired (N03) the moment it expires, with no job to run.
//!
//! Spec 002's list statuses, as this app reads them:
//! - N01 unused: active and not expired;
//! - N02 used: redeemed (whenever that was, even if it has expired since);
//! - N03 expired: active but `expired_at` < now;
//! - `disabled` (not in the spec): disabled by staff, whatever its expiry. A disabled
//!   bonus is never N01, so it cannot look usable.

use chrono::{DateTime, Utc};
use rand::Rng;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::lifecycle::CodeStatus;
use super::money::MAX_FEN;
use super::page::PageRequest;
use crate::api_error::FieldError;

/// Letters in a bonus code (spec 002's examples: "BEVTGKODUNM").
pub const CODE_LEN: usize = 11;
/// At most this many bonuses in one creation.
pub const MAX_QUANTITY: u32 = 100_000;
pub const XNAME_MAX: usize = 64;
pub const SKU_MAX: usize = 64;

/// A fresh random code: 11 letters A-Z (26^11, about 3.7e15, of them).
pub fn random_code<R: Rng + ?Sized>(rng: &mut R) -> String {
    (0..CODE_LEN)
        .map(|_| char::from(b'A' + rng.random_range(0..26u8)))
        .collect()
}

/// Whether `s` has the shape of a bonus code.
pub fn is_code(s: &str) -> bool {
    s.len() == CODE_LEN && s.bytes().all(|b| b.is_ascii_uppercase())
}

/// What staff type at the counter, as the code to look up: trimmed and upper-cased
/// (bonus codes are all capitals, so "bevtgkodunm" finds "BEVTGKODUNM").
pub fn normalise_code(s: &str) -> String {
    super::code::normalise_typed(s).to_ascii_uppercase()
}

/// Spec 002's list statuses plus `disabled`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[ts(export)]
pub enum BonusStatus {
    /// Unused: can be redeemed.
    #[serde(rename = "N01")]
    Unused,
    #[serde(rename = "N02")]
    Used,
    #[serde(rename = "N03")]
    Expired,
    #[serde(rename = "disabled")]
    Disabled,
}

impl BonusStatus {
    pub const ALL: [BonusStatus; 4] = [
        BonusStatus::Unused,
        BonusStatus::Used,
        BonusStatus::Expired,
        BonusStatus::Disabled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            BonusStatus::Unused => "N01",
            BonusStatus::Used => "N02",
            BonusStatus::Expired => "N03",
            BonusStatus::Disabled => "disabled",
        }
    }

    /// "N01", "n01", "unused" ... "disabled".
    pub fn parse(s: &str) -> Option<BonusStatus> {
        match s.trim().to_ascii_lowercase().as_str() {
            "n01" | "unused" => Some(BonusStatus::Unused),
            "n02" | "used" => Some(BonusStatus::Used),
            "n03" | "expired" => Some(BonusStatus::Expired),
            "disabled" => Some(BonusStatus::Disabled),
            _ => None,
        }
    }

    /// The list status of a stored lifecycle status at `now`.
    pub fn of(stored: CodeStatus, expired_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Self {
        match stored {
            CodeStatus::Redeemed => BonusStatus::Used,
            CodeStatus::Disabled => BonusStatus::Disabled,
            _ if expired_at.is_some_and(|e| e < now) => BonusStatus::Expired,
            _ => BonusStatus::Unused,
        }
    }
}

impl std::fmt::Display for BonusStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Spec 002's create request: `quantity` bonuses with the same fields, each with its own
/// code.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct BonusDraft {
    #[ts(type = "number")]
    pub amount_fen: i64,
    pub quantity: u32,
    /// None: never expires (spec 002's `expired_at: 0`). May be in the past.
    #[serde(default)]
    pub expired_at: Option<DateTime<Utc>>,
    /// Or a date ("2026-12-31"): usable through the end of that day in the shop's zone;
    /// `Desk` turns it into `expired_at`. At most one of the two.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub expires_on: Option<chrono::NaiveDate>,
    /// The order must come to at least this much; 0: no minimum.
    #[serde(default)]
    #[ts(type = "number")]
    pub min_amount_fen: i64,
    /// Spec 002's `xname`: a note for staff.
    #[serde(default)]
    pub xname: String,
    /// Spec 002's `product_rid`: the one product SKU the bonus may be used on.
    #[serde(default)]
    pub product_sku: Option<String>,
    /// Spec 002's `status`: false creates the bonuses disabled (for good).
    pub enabled: bool,
}

impl BonusDraft {
    /// Trims the text fields and reports every broken rule at once.
    pub fn normalise_and_validate(&mut self) -> Result<(), Vec<FieldError>> {
        self.xname = self.xname.trim().to_owned();
        self.product_sku = self
            .product_sku
            .take()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty());
        let mut e = Vec::new();
        if !(1..=MAX_FEN).contains(&self.amount_fen) {
            e.push(FieldError::new(
                "amountFen",
                "out_of_range",
                "the amount must be 0.01 to 1,000,000.00 yuan",
            ));
        }
        if !(1..=MAX_QUANTITY).contains(&self.quantity) {
            e.push(FieldError::new(
                "quantity",
                "out_of_range",
                format!("create 1 to {MAX_QUANTITY} bonuses at a time"),
            ));
        }
        if !(0..=MAX_FEN).contains(&self.min_amount_fen) {
            e.push(FieldError::new(
                "minAmountFen",
                "out_of_range",
                "the minimum order must be 0 to 1,000,000.00 yuan",
            ));
        }
        if self.xname.chars().count() > XNAME_MAX {
            e.push(FieldError::new(
                "xname",
                "too_long",
                format!("at most {XNAME_MAX} characters"),
            ));
        }
        if let Some(sku) = &self.product_sku {
            if sku.chars().count() > SKU_MAX {
                e.push(FieldError::new(
                    "productSku",
                    "too_long",
                    format!("at most {SKU_MAX} characters"),
                ));
            } else if sku.chars().any(char::is_control) {
                e.push(FieldError::new(
                    "productSku",
                    "invalid",
                    "a SKU cannot hold control characters",
                ));
            }
        }
        if e.is_empty() {
            Ok(())
        } else {
            Err(e)
        }
    }
}

/// A stored bonus, as lists and the detail page show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Bonus {
    #[ts(type = "number")]
    pub id: i64,
    pub code: String,
    #[ts(type = "number")]
    pub amount_fen: i64,
    #[ts(type = "number")]
    pub min_amount_fen: i64,
    pub expired_at: Option<DateTime<Utc>>,
    pub xname: String,
    pub product_sku: Option<String>,
    /// Computed at read time (expiry included).
    pub status: BonusStatus,
    /// The customer it was granted to (11-digit phone), if any.
    pub customer: Option<String>,
    pub customer_name: Option<String>,
    pub granted_at: Option<DateTime<Utc>>,
    pub used_at: Option<DateTime<Utc>>,
    #[ts(type = "number | null")]
    pub used_order_fen: Option<i64>,
    pub used_product_sku: Option<String>,
    pub used_by: Option<String>,
    pub used_terminal: Option<String>,
    /// The create run it was made in (the id of the run's first bonus): staff disable a
    /// mistaken run as a whole (`bonus_disable_run`).
    #[ts(type = "number")]
    pub create_run: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a bonus creation made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct BonusCreation {
    pub created: u32,
    /// The create run these bonuses belong to (the first one's id), for
    /// `bonus_disable_run`.
    #[ts(type = "number")]
    pub run: i64,
    /// The new codes, in the order they were made.
    pub codes: Vec<String>,
    #[ts(type = "number")]
    pub first_id: i64,
    #[ts(type = "number")]
    pub elapsed_ms: u64,
}

/// What disabling a create run did: `disabled` bonuses were turned off (each queued to
/// the platform as its own disable); `left` were already used or disabled and stay so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct BonusRunDisabled {
    #[ts(type = "number")]
    pub run: i64,
    pub disabled: u32,
    pub left: u32,
}

/// Spec 002's list and user_bonus list: `status` None lists every status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct BonusQuery {
    #[serde(default)]
    pub status: Option<BonusStatus>,
    /// Only this customer's bonuses (spec 002's `user_bonus`); any phone format.
    #[serde(default)]
    pub customer: Option<String>,
    /// Only the bonuses of this create run (`Bonus::create_run`): what one creation made,
    /// to look it over before disabling it as a whole.
    #[serde(default)]
    #[ts(type = "number | null")]
    pub run: Option<i64>,
    #[serde(default)]
    pub page: PageRequest,
}

/// A bonus at the counter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct BonusRedeemRequest {
    pub code: String,
    #[ts(type = "number")]
    pub order_fen: i64,
    /// The product bought, for bonuses limited to one SKU.
    #[serde(default)]
    pub product_sku: Option<String>,
    /// The customer presenting the bonus (any phone format), when known.
    #[serde(default)]
    pub customer: Option<String>,
}

/// Why a bonus cannot be redeemed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(
    tag = "reason",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
#[ts(export)]
pub enum BonusRefusal {
    /// Not 11 letters.
    Malformed,
    Unknown,
    Disabled,
    AlreadyUsed {
        at: DateTime<Utc>,
    },
    Expired {
        at: DateTime<Utc>,
    },
    /// Granted to another customer than the one presenting it.
    OtherCustomer,
    /// The order amount is needed to know what the bonus takes off.
    AmountRequired,
    NegativeAmount,
    BelowMinAmount {
        #[ts(type = "number")]
        min_fen: i64,
    },
    /// Limited to a product and no product was given.
    ProductRequired {
        sku: String,
    },
    WrongProduct {
        sku: String,
    },
    /// Chain mode: the hub says another desk used the bonus (who, where, when).
    UsedElsewhere {
        at: DateTime<Utc>,
        operator: String,
        terminal: String,
        store: String,
    },
    /// Chain mode: the hub did not answer in time, and bonuses are not used offline
    /// (a bonus is money: docs/chain-mode.md, "Bonuses").
    OfflineNotAllowed,
}

impl std::fmt::Display for BonusRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use super::money::format_yuan;
        match self {
            BonusRefusal::Malformed => f.write_str("not a bonus code (11 letters)"),
            BonusRefusal::Unknown => f.write_str("no bonus has this code"),
            BonusRefusal::Disabled => f.write_str("this bonus was disabled"),
            BonusRefusal::AlreadyUsed { at } => write!(f, "already used at {}", at.to_rfc3339()),
            BonusRefusal::Expired { at } => write!(f, "expired at {}", at.to_rfc3339()),
            BonusRefusal::OtherCustomer => {
                f.write_str("this bonus was granted to another customer")
            }
            BonusRefusal::AmountRequired => f.write_str("enter the order amount to use this bonus"),
            BonusRefusal::NegativeAmount => f.write_str("the order amount cannot be negative"),
            BonusRefusal::BelowMinAmount { min_fen } => write!(
                f,
                "the order must come to at least {} yuan",
                format_yuan(*min_fen)
            ),
            BonusRefusal::ProductRequired { sku } => {
                write!(f, "only for product {sku}; give the product bought")
            }
            BonusRefusal::WrongProduct { sku } => write!(f, "only for product {sku}"),
            BonusRefusal::UsedElsewhere {
                at,
                operator,
                terminal,
                store,
            } => write!(
                f,
                "already used at {} by {operator} at {terminal} ({store})",
                at.to_rfc3339()
            ),
            BonusRefusal::OfflineNotAllowed => f.write_str(
                "the hub did not answer and bonuses may not be used offline; try again when \
                 the hub answers",
            ),
        }
    }
}

/// The counter's answer about a bonus; a check and a redemption give the same one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct BonusCheck {
    pub code: String,
    pub refusal: Option<BonusRefusal>,
    pub bonus: Option<Bonus>,
    #[ts(type = "number")]
    pub order_fen: i64,
    /// What comes off the order: the bonus's amount, never more than the order.
    #[ts(type = "number | null")]
    pub reduction_fen: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct BonusOutcome {
    pub check: BonusCheck,
    /// The bonus as redeemed; None when refused.
    pub redeemed: Option<Bonus>,
}

/// The counter's rules, in the order staff need the answer: what the bonus is (disabled,
/// used, expired), whose it is, then the order (amount, product). Returns the reduction.
pub fn decide(
    b: &Bonus,
    req_customer: Option<&str>,
    order_fen: i64,
    product_sku: Option<&str>,
    now: DateTime<Utc>,
) -> Result<i64, BonusRefusal> {
    match BonusStatus::of(stored_of(b.status), b.expired_at, now) {
        BonusStatus::Disabled => return Err(BonusRefusal::Disabled),
        BonusStatus::Used => {
            return Err(BonusRefusal::AlreadyUsed {
                at: b.used_at.unwrap_or_default(),
            })
        }
        BonusStatus::Expired => {
            return Err(BonusRefusal::Expired {
                at: b.expired_at.unwrap_or_default(),
            })
        }
        BonusStatus::Unused => {}
    }
    if let (Some(owner), Some(given)) = (b.customer.as_deref(), req_customer) {
        if owner != given {
            return Err(BonusRefusal::OtherCustomer);
        }
    }
    if order_fen < 0 {
        return Err(BonusRefusal::NegativeAmount);
    }
    if order_fen < b.min_amount_fen {
        return Err(BonusRefusal::BelowMinAmount {
            min_fen: b.min_amount_fen,
        });
    }
    if let Some(sku) = &b.product_sku {
        match product_sku.map(str::trim).filter(|s| !s.is_empty()) {
            None => return Err(BonusRefusal::ProductRequired { sku: sku.clone() }),
            Some(given) if given != sku => {
                return Err(BonusRefusal::WrongProduct { sku: sku.clone() })
            }
            Some(_) => {}
        }
    }
    Ok(b.amount_fen.min(order_fen))
}

/// The lifecycle status behind a list status (expiry is not stored).
fn stored_of(s: BonusStatus) -> CodeStatus {
    match s {
        BonusStatus::Used => CodeStatus::Redeemed,
        BonusStatus::Disabled => CodeStatus::Disabled,
        BonusStatus::Unused | BonusStatus::Expired => CodeStatus::Active,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;
    use proptest::prelude::*;

    fn bonus() -> Bonus {
        Bonus {
            id: 1,
            code: "BEVTGKODUNM".into(),
            amount_fen: 200,
            min_amount_fen: 3000,
            expired_at: None,
            xname: String::new(),
            product_sku: None,
            status: BonusStatus::Unused,
            customer: None,
            customer_name: None,
            granted_at: None,
            used_at: None,
            used_order_fen: None,
            used_product_sku: None,
            used_by: None,
            used_terminal: None,
            create_run: 1,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn spec_example_codes_have_the_shape() {
        assert!(is_code("BEVTGKODUNM"));
        assert!(is_code("BZAFIOWXTJQ"));
        assert!(!is_code("BEVTGKODUN"));
        assert!(!is_code("bevtgkodunm"));
        assert!(!is_code("BEVTGKODUN1"));
        assert_eq!(normalise_code(" bevtgkodunm "), "BEVTGKODUNM");
    }

    proptest! {
        #[test]
        fn random_codes_have_the_shape(seed in any::<u64>()) {
            use rand::SeedableRng;
            let mut rng = rand::rngs::SmallRng::seed_from_u64(seed);
            prop_assert!(is_code(&random_code(&mut rng)));
        }
    }

    #[test]
    fn status_is_computed_from_expiry() {
        let now = Utc::now();
        let past = Some(now - Duration::seconds(1));
        let future = Some(now + Duration::days(1));
        use BonusStatus::*;
        assert_eq!(BonusStatus::of(CodeStatus::Active, None, now), Unused);
        assert_eq!(BonusStatus::of(CodeStatus::Active, future, now), Unused);
        assert_eq!(BonusStatus::of(CodeStatus::Active, Some(now), now), Unused);
        assert_eq!(BonusStatus::of(CodeStatus::Active, past, now), Expired);
        assert_eq!(BonusStatus::of(CodeStatus::Redeemed, past, now), Used);
        assert_eq!(BonusStatus::of(CodeStatus::Disabled, past, now), Disabled);
        for s in BonusStatus::ALL {
            assert_eq!(BonusStatus::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn counter_rules() {
        let now = Utc::now();
        let mut b = bonus();
        assert_eq!(
            decide(&b, None, 2999, None, now),
            Err(BonusRefusal::BelowMinAmount { min_fen: 3000 })
        );
        assert_eq!(decide(&b, None, 3000, None, now), Ok(200));
        b.min_amount_fen = 0;
        assert_eq!(decide(&b, None, 150, None, now), Ok(150));
        assert_eq!(
            decide(&b, None, -1, None, now),
            Err(BonusRefusal::NegativeAmount)
        );
        b.product_sku = Some("SKU-1".into());
        assert!(matches!(
            decide(&b, None, 500, None, now),
            Err(BonusRefusal::ProductRequired { .. })
        ));
        assert!(matches!(
            decide(&b, None, 500, Some("SKU-2"), now),
            Err(BonusRefusal::WrongProduct { .. })
        ));
        assert_eq!(decide(&b, None, 500, Some(" SKU-1 "), now), Ok(200));
        b.customer = Some("13812345678".into());
        assert_eq!(
            decide(&b, Some("13912345678"), 500, Some("SKU-1"), now),
            Err(BonusRefusal::OtherCustomer)
        );
        assert_eq!(decide(&b, None, 500, Some("SKU-1"), now), Ok(200));
        b.status = BonusStatus::Disabled;
        assert_eq!(
            decide(&b, None, 500, Some("SKU-1"), now),
            Err(BonusRefusal::Disabled)
        );
    }

    #[test]
    fn drafts_report_every_field() {
        let mut d = BonusDraft {
            amount_fen: 0,
            quantity: 0,
            expired_at: None,
            expires_on: None,
            min_amount_fen: -1,
            xname: "x".repeat(65),
            product_sku: Some("  ".into()),
            enabled: true,
        };
        let fields: Vec<String> = d
            .normalise_and_validate()
            .unwrap_err()
            .into_iter()
            .map(|f| f.field)
            .collect();
        assert_eq!(fields, ["amountFen", "quantity", "minAmountFen", "xname"]);
        assert_eq!(d.product_sku, None);
    }
}

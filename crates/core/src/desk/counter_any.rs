//! The Redeem page's one box: staff scan whatever the customer shows, a coupon code or a
//! red-packet bonus code, and the counter finds which it is. Coupon codes are looked up
//! first (they are case-sensitive and exact); a code no coupon has, with the shape of a
//! bonus code (11 letters, any case), is then looked up among bonuses.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{Desk, DeskResult};
use crate::domain::bonus::{self, BonusCheck, BonusOutcome, BonusRedeemRequest, BonusRefusal};
use crate::domain::redeem::{RedeemCheck, RedeemOutcome, RedeemRequest, Refusal};

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CounterRequest {
    pub code: String,
    /// The order amount in fen; coupons of money and bonuses need it.
    #[serde(default)]
    #[ts(type = "number | null")]
    pub order_fen: Option<i64>,
    /// Who presents it (a phone number or member id), when known.
    #[serde(default)]
    pub customer: Option<String>,
    /// The product bought, for bonuses limited to one SKU.
    #[serde(default)]
    pub product_sku: Option<String>,
}

/// A check's answer: about a coupon code or about a bonus.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum CounterCheck {
    Coupon(RedeemCheck),
    Bonus(BonusCheck),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum CounterOutcome {
    Coupon(RedeemOutcome),
    Bonus(BonusOutcome),
}

impl CounterCheck {
    /// None when the code can be redeemed; else the refusal's reason.
    pub fn refusal_reason(&self) -> Option<String> {
        match self {
            CounterCheck::Coupon(c) => c.refusal.as_ref().map(|r| r.reason().to_owned()),
            CounterCheck::Bonus(b) => b.refusal.as_ref().map(bonus_reason),
        }
    }
}

/// The snake_case reason, as serialised.
pub fn bonus_reason(r: &BonusRefusal) -> String {
    serde_json::to_value(r)
        .ok()
        .and_then(|v| v.get("reason").and_then(|x| x.as_str()).map(str::to_owned))
        .unwrap_or_default()
}

impl CounterRequest {
    fn coupon(&self) -> RedeemRequest {
        RedeemRequest {
            code: self.code.clone(),
            order_fen: self.order_fen,
            customer: self.customer.clone(),
        }
    }

    fn bonus(&self) -> BonusRedeemRequest {
        BonusRedeemRequest {
            code: self.code.clone(),
            order_fen: self.order_fen.unwrap_or(0),
            product_sku: self.product_sku.clone(),
            customer: self.customer.clone(),
        }
    }
}

fn may_be_bonus(coupon: &RedeemCheck) -> bool {
    matches!(
        coupon.refusal,
        Some(Refusal::Unknown | Refusal::Malformed | Refusal::WrongCase { .. })
    ) && bonus::is_code(&bonus::normalise_code(&coupon.code))
}

/// Without an order amount a bonus's worth is unknown: say so, unless something about the
/// bonus itself already refuses it.
fn amount_needed(req: &CounterRequest, mut check: BonusCheck) -> BonusCheck {
    let about_the_order = matches!(
        check.refusal,
        None | Some(BonusRefusal::BelowMinAmount { .. })
    );
    if req.order_fen.is_none() && check.bonus.is_some() && about_the_order {
        check.refusal = Some(BonusRefusal::AmountRequired);
        check.reduction_fen = None;
    }
    check
}

impl Desk {
    /// Checks a coupon code or a bonus code; writes nothing.
    pub fn counter_check(&self, req: &CounterRequest) -> DeskResult<CounterCheck> {
        let coupon = self.redeem_check(&req.coupon())?;
        if !may_be_bonus(&coupon) {
            return Ok(CounterCheck::Coupon(coupon));
        }
        let b = self.check_bonus(&req.bonus())?;
        Ok(match b.refusal {
            Some(BonusRefusal::Unknown) => CounterCheck::Coupon(coupon),
            _ => CounterCheck::Bonus(amount_needed(req, b)),
        })
    }

    /// Redeems a coupon code or a bonus code when it can be redeemed, in one transaction.
    /// The redemption decides inside its own transaction, so no separate check runs first:
    /// a coupon code (the common case) is read once.
    pub fn counter_use(&self, req: &CounterRequest) -> DeskResult<CounterOutcome> {
        let coupon = self.redeem_use(&req.coupon())?;
        if !may_be_bonus(&coupon.check) {
            return Ok(CounterOutcome::Coupon(coupon));
        }
        let bonus = if req.order_fen.is_none() {
            // Without an amount nothing is redeemed: answer as a check does.
            let check = self.check_bonus(&req.bonus())?;
            BonusOutcome {
                check: amount_needed(req, check),
                redeemed: None,
            }
        } else {
            self.redeem_bonus(&req.bonus())?
        };
        Ok(match bonus.check.refusal {
            Some(BonusRefusal::Unknown) => CounterOutcome::Coupon(coupon),
            _ => CounterOutcome::Bonus(bonus),
        })
    }
}

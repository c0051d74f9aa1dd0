//! What a coupon is worth on an order (groundwork for issue #3, spec 001's four kinds).
//! Money is integer fen everywhere; a discount rounds the reduction down to the fen, so
//! the shop never gives more than the percentage.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase")]
#[ts(export)]
pub enum Offer {
    /// 折扣券: `percent_off` of the order (1-99).
    Discount { percent_off: u8 },
    /// 代金券: `reduce_fen` off an order of at least `least_fen` (0: any order).
    Cash {
        #[ts(type = "number")]
        reduce_fen: i64,
        #[ts(type = "number")]
        least_fen: i64,
    },
    /// 团购券: the deal described.
    Groupon { deal_detail: String },
    /// 兑换券/礼品券: the gift described.
    Gift { gift: String },
    /// 通用券: described in words.
    General { default_detail: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OfferRefusal {
    #[error("the order must be at least {least_fen} fen for this coupon")]
    BelowLeastSpend { least_fen: i64 },
    #[error("an order amount cannot be negative")]
    NegativeAmount,
}

impl Offer {
    /// How many fen come off an order of `order_fen` (0 for kinds that give goods, not money).
    pub fn reduction(&self, order_fen: i64) -> Result<i64, OfferRefusal> {
        if order_fen < 0 {
            return Err(OfferRefusal::NegativeAmount);
        }
        match self {
            Offer::Discount { percent_off } => Ok(order_fen * i64::from(*percent_off) / 100),
            Offer::Cash {
                reduce_fen,
                least_fen,
            } => {
                if order_fen < *least_fen {
                    return Err(OfferRefusal::BelowLeastSpend {
                        least_fen: *least_fen,
                    });
                }
                Ok((*reduce_fen).min(order_fen))
            }
            Offer::Groupon { .. } | Offer::Gift { .. } | Offer::General { .. } => Ok(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn least_spend_boundary() {
        let cash = Offer::Cash {
            reduce_fen: 2000,
            least_fen: 10000,
        };
        assert_eq!(cash.reduction(10000), Ok(2000));
        assert_eq!(
            cash.reduction(9999),
            Err(OfferRefusal::BelowLeastSpend { least_fen: 10000 })
        );
        assert_eq!(cash.reduction(-1), Err(OfferRefusal::NegativeAmount));
        let free = Offer::Cash {
            reduce_fen: 500,
            least_fen: 0,
        };
        assert_eq!(free.reduction(300), Ok(300), "never more than the order");
    }

    proptest! {
        #[test]
        fn a_reduction_never_exceeds_the_order(order in 0i64..10_000_000_000, pct in 1u8..100,
                                               reduce in 0i64..1_000_000, least in 0i64..1_000_000) {
            let d = Offer::Discount { percent_off: pct }.reduction(order).expect("discount");
            prop_assert!(d >= 0 && d <= order);
            prop_assert!(d * 100 <= order * i64::from(pct), "rounded down");
            if let Ok(c) = (Offer::Cash { reduce_fen: reduce, least_fen: least }).reduction(order) {
                prop_assert!(order >= least);
                prop_assert!(c >= 0 && c <= order && c <= reduce);
            } else {
                prop_assert!(order < least);
            }
        }
    }
}

//! What a coupon is worth on an order (groundwork for issue #3, spec 001's four kinds).
//! Money is integer fen everywhere; a discount rounds the reduction down to the fen, so
//! the shop never gives more than the percentage.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase")]
#[ts(export)]
pub enum Offer {
    /// 折扣券: `percent_off` of the order (1-99). Staff type it as 折 with one decimal
    /// (0.1-9.9): t tenths of 折 (8.8折: t = 88, the customer pays 88%) is exactly
    /// `percent_off = 100 - t` (12), so this integer stores every one-decimal 折 without
    /// loss, and it is WeChat's `discount` as is (spec 001: 30 = 30% off = 7折).
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
    /// 礼品券 (a gift coupon; 兑换券 in spec 001): the gift described.
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
            // In i128: a typed order near i64::MAX must not overflow. The result is at
            // most the order (percent_off < 100), so it fits back in i64.
            Offer::Discount { percent_off } => {
                let off = i128::from(order_fen) * i128::from(*percent_off) / 100;
                Ok(i64::try_from(off).unwrap_or(order_fen))
            }
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

    /// The oracle, in i128 so it cannot overflow, written from the doc comments: a
    /// discount is `percent_off` of the order rounded down to the fen; cash takes
    /// `reduce_fen` off, never more than the order, once the order reaches `least_fen`.
    fn oracle(offer: &Offer, order: i64) -> Result<i64, OfferRefusal> {
        if order < 0 {
            return Err(OfferRefusal::NegativeAmount);
        }
        let order = i128::from(order);
        let exact = match offer {
            Offer::Discount { percent_off } => {
                let scaled = order * i128::from(*percent_off);
                // Round down: the largest whole fen f with f * 100 <= scaled.
                let f = scaled / 100;
                assert!(f * 100 <= scaled && (f + 1) * 100 > scaled);
                f
            }
            Offer::Cash {
                reduce_fen,
                least_fen,
            } => {
                if order < i128::from(*least_fen) {
                    return Err(OfferRefusal::BelowLeastSpend {
                        least_fen: *least_fen,
                    });
                }
                i128::from(*reduce_fen).min(order)
            }
            Offer::Groupon { .. } | Offer::Gift { .. } | Offer::General { .. } => 0,
        };
        Ok(i64::try_from(exact).expect("the test orders keep every reduction within i64"))
    }

    /// Orders from small to large, up to i64::MAX (a typed amount is not bounded).
    fn orders() -> impl Strategy<Value = i64> {
        prop_oneof![
            0i64..1_000,
            0i64..10_000_000_000,
            (i64::MAX / 100 - 1_000)..=(i64::MAX / 100),
            (i64::MAX - 1_000)..=i64::MAX,
        ]
    }

    fn offers(order: i64) -> impl Strategy<Value = Offer> {
        // The least spend sits on, just under or just over the order half the time, so
        // the boundary is met often.
        let least = prop_oneof![
            0i64..1_000_000,
            (-2i64..=2).prop_map(move |d| order.saturating_add(d).max(0)),
        ];
        prop_oneof![
            (1u8..100).prop_map(|percent_off| Offer::Discount { percent_off }),
            (0i64..2_000_000, least).prop_map(|(reduce_fen, least_fen)| Offer::Cash {
                reduce_fen,
                least_fen,
            }),
            "\\PC{0,8}".prop_map(|deal_detail| Offer::Groupon { deal_detail }),
            "\\PC{0,8}".prop_map(|gift| Offer::Gift { gift }),
            "\\PC{0,8}".prop_map(|default_detail| Offer::General { default_detail }),
        ]
    }

    #[test]
    fn exact_discounts() {
        let d = |p: u8| Offer::Discount { percent_off: p };
        assert_eq!(d(15).reduction(10_000), Ok(1_500));
        assert_eq!(d(15).reduction(199), Ok(29), "29.85 rounds down");
        assert_eq!(d(99).reduction(1), Ok(0));
        assert_eq!(d(1).reduction(100), Ok(1));
        assert_eq!(
            d(33).reduction(i64::MAX / 100),
            Ok(i64::MAX / 100 * 33 / 100)
        );
        let gift = Offer::Gift { gift: "mug".into() };
        assert_eq!(gift.reduction(5_000), Ok(0));
        assert_eq!(gift.reduction(-1), Err(OfferRefusal::NegativeAmount));
    }

    /// Every one-decimal 折 staff can type (0.1-9.9, t tenths) is stored as
    /// `percent_off = 100 - t` and charges exactly t% of the order: 8.8折 on ¥100.00 takes
    /// ¥12.00 off and the customer pays ¥88.00, with nothing lost to rounding.
    #[test]
    fn every_one_decimal_zhe_is_exact() {
        for tenths in 1u8..=99 {
            let d = Offer::Discount {
                percent_off: 100 - tenths,
            };
            let off = d.reduction(10_000).expect("discount");
            assert_eq!(
                10_000 - off,
                100 * i64::from(tenths),
                "{tenths} tenths of 折"
            );
        }
        let zhe_8_8 = Offer::Discount { percent_off: 12 };
        assert_eq!(zhe_8_8.reduction(10_000), Ok(1_200));
    }

    proptest! {
        #[test]
        fn reduction_is_exactly_the_oracle((order, offer) in orders().prop_flat_map(|o| (Just(o), offers(o)))) {
            prop_assert_eq!(offer.reduction(order), oracle(&offer, order));
        }

        #[test]
        fn a_negative_order_is_refused_for_every_kind(order in i64::MIN..0, offer in offers(0)) {
            prop_assert_eq!(offer.reduction(order), Err(OfferRefusal::NegativeAmount));
        }

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

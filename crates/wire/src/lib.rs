//! Wire types of the five remote coupon platforms CouponDesk speaks to, exactly as their
//! documents (shared/specs) spell the JSON, plus exact yuan/fen money conversion and the
//! e-Buy envelope signing. See docs/remote-apis.md for every reading of a spec gap.
//!
//! | module | spec | platform |
//! |---|---|---|
//! | [`sense`] | 000 | "Sense" ticket API (券码管理) |
//! | [`wxcard`] | 001 | WeChat-card proxy templates (优惠券管理) |
//! | [`bonus`] | 002 | marketing bonus (红包) |
//! | [`voucher`] | 003 | exchange voucher (兑换券) |
//! | [`ebuy`] | 004 | e-Buy e-coupon 4.1 activation (电子券), signed envelope |

pub mod bonus;
pub mod ebuy;
pub mod money;
pub mod platform;
pub mod sense;
pub mod voucher;
pub mod wxcard;

pub use money::{MoneyError, Yuan};
pub use platform::Platform;

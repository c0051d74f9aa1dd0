//! Spec 002: the marketing bonus module (红包). Answers are
//! `{"data":...,"status":{"code":200,"message":"Ok all right."},"success":true}`; times are
//! Unix seconds, amounts JSON numbers in yuan ([`Yuan`] holds fen).
//! Auth (not stated by the spec; the sim's reading): `Authorization: Bearer <token>`.

use crate::money::Yuan;
use serde::{Deserialize, Serialize};

pub use crate::wxcard::{Meta, Pagination};

/// `status` of every answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    pub code: u16,
    pub message: String,
}

/// The whole answer. `data` is absent on `disabled` and on errors; `meta` only on lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope<T> {
    #[serde(default = "none", skip_serializing_if = "Option::is_none")]
    pub data: Option<T>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    pub status: Status,
    pub success: bool,
}

fn none<T>() -> Option<T> {
    None
}

/// A bonus as the platform answers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bonus {
    pub amount: Yuan,
    /// The bonus code; also its `<rid>` in paths.
    pub code: String,
    pub created_at: i64,
    /// 0 = never expires.
    pub expired_at: i64,
    pub is_used: bool,
    /// `""` or null.
    pub limit_products: Option<String>,
    pub reach_amount: Option<Yuan>,
    pub min_amount: Yuan,
    /// An integer in answers (0 normal, 1 disabled), a boolean in the create request.
    pub status: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_label: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<i64>,
    pub xname: String,
}

/// Body of `POST /market/bonus/create`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateBonusRequest {
    pub amount: Yuan,
    #[serde(default = "one")]
    pub quantity: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expired_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_amount: Option<Yuan>,
    /// 备注 (remark). CouponDesk puts its idempotency key here (see docs/remote-apis.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xname: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_rid: Option<String>,
    /// true normal (default), false disabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<bool>,
}

fn one() -> u32 {
    1
}

/// Body of `POST /market/bonus/grant`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantBonusRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rid: Option<String>,
}

/// Query of `GET /market/bonus` and `GET /market/user_bonus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BonusStatusFilter {
    /// 未使用 (unused, not expired)
    N01,
    /// 已使用
    N02,
    /// 已过期
    N03,
}

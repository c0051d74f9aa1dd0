//! Spec 003: the exchange voucher service (兑换券). Answers are `{"data": Coupon}` or
//! `{"data": [Coupon]}`; errors carry an exception type such as `API.ENTITY_NOT_FOUND`.
//! Auth ("login required"; the sim's reading): `Authorization: Bearer <token>`.

use crate::money::Yuan;
use serde::{Deserialize, Serialize};

/// `{"data": ...}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataEnvelope<T> {
    pub data: T,
}

/// The Coupon class. Dates are `"2019-10-1 3:00"` (`Y-M-D H:MM`, no zero padding).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Coupon {
    /// NOT IN THE SPEC's Coupon class, but `GET /api/v1/coupons/<ID>` needs it: the sim
    /// sends the integer ID; absent in the spec's example.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    pub customer: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pkg: Option<i64>,
    pub name: String,
    pub created_at: String,
    pub updated_at: String,
    pub used_at: Option<String>,
    pub price: Yuan,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introduction: Option<String>,
    pub valid: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid: Option<bool>,
}

/// Body of `POST /api/v1/coupons`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuyRequest {
    /// Described as "user name (phone number)"; the sim reads it as the service name
    /// (Coupon.name) and takes the customer from the login (docs/remote-apis.md).
    pub name: String,
    pub price: Yuan,
}

/// Query of `GET /api/v1/coupons`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nopkg: Option<bool>,
}

/// Error body (the spec's "通用异常" page is missing; the sim's shape).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// `API.ENTITY_NOT_FOUND`, `API.UNAUTHORIZED`, `API.BAD_REQUEST`, `API.RATE_LIMITED`,
    /// `API.SERVER_ERROR`.
    pub code: String,
    pub message: String,
}

/// Exception types.
pub mod error_code {
    pub const ENTITY_NOT_FOUND: &str = "API.ENTITY_NOT_FOUND";
    pub const UNAUTHORIZED: &str = "API.UNAUTHORIZED";
    pub const BAD_REQUEST: &str = "API.BAD_REQUEST";
    pub const RATE_LIMITED: &str = "API.RATE_LIMITED";
    pub const SERVER_ERROR: &str = "API.SERVER_ERROR";
}

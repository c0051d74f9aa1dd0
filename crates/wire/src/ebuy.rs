//! Spec 004: e-Buy e-coupon platform 4.1 (电子券): batch activate / unactivate / status
//! update of codes through a signed envelope.
//!
//! Signing (the spec does not give the algorithm; CouponDesk's definition, also in
//! docs/remote-apis.md): the canonical string is every top-level field of the envelope
//! except `sign`, sorted by key (byte order), written `key=value` and joined with `&`.
//! A string value is written as is; any other value (number, boolean, null, `content`)
//! as compact JSON with object keys sorted recursively. The signature is the lowercase
//! hex HMAC-SHA256 of that string keyed with the app's secret. Answers are signed the
//! same way with the same secret.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::Sha256;
use std::fmt;

/// Path of batch activate (the spec names it; its body is in the change history).
pub const PATH_ACTIVATE: &str = "/paas/micro/ecoupon/batchActivateCode";
/// Path of batch unactivate (the one fully documented endpoint).
pub const PATH_UNACTIVATE: &str = "/paas/micro/ecoupon/batchUnActivateCode";
/// Path of batch status update (only named by the spec; the sim's shape).
pub const PATH_UPDATE_STATUS: &str = "/paas/micro/ecoupon/batchUpdateCodeStatus";

/// A request envelope. `sign` is not listed by the spec's request table; CouponDesk
/// sends it beside `signType` (the answer carries both).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestEnvelope {
    pub app_id: String,
    pub action: String,
    pub sign_type: String,
    pub lang: String,
    pub uuid: String,
    pub content: Value,
    /// Milliseconds since the epoch.
    pub timestamp: i64,
    #[serde(default)]
    pub sign: String,
}

/// An answer envelope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResponseEnvelope {
    pub success: bool,
    pub error_code: String,
    pub error_message: String,
    pub sign: String,
    pub sign_type: String,
    pub action: String,
    pub uuid: String,
    pub content: Value,
    pub timestamp: i64,
}

/// `content` of batch unactivate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UnActivateContent {
    pub code_array: Vec<String>,
    pub brand_id: String,
}

/// `content` of batch activate (fields from the spec's change history of 2022-08-13).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivateContent {
    pub code_array: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brand_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub make_funds_channel: Option<MakeFundsChannel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activate_info: Option<ActivateInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_valid_days: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_valid_start: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_valid_end: Option<String>,
}

/// 制码资金: amounts in fen (integers).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MakeFundsChannel {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merchant_real_amount: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub benefit_amount: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merchant_custom_benefit: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merchant_custom_real_amount: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_benefit: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merchant_benefit: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_amount: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_real_amount: Option<i64>,
}

/// 激活信息.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivateInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opt_shop_no: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opt_org: Option<String>,
}

/// `content` of batch status update (only named by the spec; the sim's shape):
/// the unactivate body plus the target `codeStatus`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateStatusContent {
    pub code_array: Vec<String>,
    pub brand_id: String,
    /// One of [`code_status`].
    pub code_status: String,
}

/// `content` of every answer of the three endpoints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CodeResults {
    /// Codes whose change succeeded.
    pub code_num: i64,
    /// Milliseconds since the epoch.
    pub create_date: i64,
    pub active_code_details: Vec<ActiveCodeDetail>,
}

/// One code's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActiveCodeDetail {
    pub code_secret: String,
    pub code_search: String,
    /// One of [`result_code`].
    pub result_code: String,
    pub result_message: String,
    /// One of [`code_status`].
    pub code_status: String,
    pub code_status_desc: String,
    pub use_times: String,
    pub ticket_id: String,
    pub ticket_name: String,
    pub outer_order_id: String,
}

/// Envelope-level `errorCode` values (CouponDesk's choice; the spec lists none).
pub mod error_code {
    pub const SUCCESS: &str = "SUCCESS";
    /// The signature does not match (or `signType` is unknown).
    pub const INVALID_SIGN: &str = "INVALID_SIGN";
    pub const INVALID_APP_ID: &str = "INVALID_APP_ID";
    /// The app's authorisation expired (the sim's expired-token switch).
    pub const AUTH_EXPIRED: &str = "AUTH_EXPIRED";
    pub const INVALID_PARAM: &str = "INVALID_PARAM";
    pub const RATE_LIMITED: &str = "RATE_LIMITED";
    pub const SYSTEM_ERROR: &str = "SYSTEM_ERROR";
}

/// Per-code `resultCode` values (CouponDesk's choice).
pub mod result_code {
    pub const SUCCESS: &str = "SUCCESS";
    /// Final: the code was used on another channel.
    pub const CODE_USED_ELSEWHERE: &str = "CODE_USED_ELSEWHERE";
    /// Final: the code is already used here.
    pub const CODE_ALREADY_USED: &str = "CODE_ALREADY_USED";
    /// Activate of an active code (nothing changed; a retry can treat it as done).
    pub const CODE_ALREADY_ACTIVE: &str = "CODE_ALREADY_ACTIVE";
    /// Unactivate of a code that is not active (nothing changed).
    pub const CODE_NOT_ACTIVE: &str = "CODE_NOT_ACTIVE";
    /// The code is void.
    pub const CODE_INVALID: &str = "CODE_INVALID";
    /// Status update to an unknown status.
    pub const BAD_STATUS: &str = "BAD_STATUS";
}

/// `codeStatus` values (CouponDesk's choice) and their `codeStatusDesc`.
pub mod code_status {
    pub const UNACTIVATED: &str = "0";
    pub const ACTIVATED: &str = "1";
    pub const USED: &str = "2";
    pub const INVALID: &str = "3";
    /// `codeStatusDesc` of a status.
    pub fn desc(status: &str) -> &'static str {
        match status {
            UNACTIVATED => "未激活",
            ACTIVATED => "已激活",
            USED => "已使用",
            INVALID => "已作废",
            _ => "未知",
        }
    }
}

/// The signing algorithms `signType` can name. Only HMAC-SHA256 exists today; the enum
/// leaves room for another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SignType {
    #[default]
    HmacSha256,
}

impl SignType {
    /// The `signType` text.
    pub fn as_str(self) -> &'static str {
        match self {
            SignType::HmacSha256 => "HMAC-SHA256",
        }
    }
    /// From the `signType` text; the empty text means the default.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "HMAC-SHA256" | "" => Some(SignType::HmacSha256),
            _ => None,
        }
    }
}

/// Why an envelope could not be signed or verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignError {
    /// The envelope is not a JSON object.
    NotAnObject,
    /// `signType` names no known algorithm.
    UnknownSignType(String),
    /// `sign` is missing or not a string.
    MissingSign,
    /// `sign` does not match.
    Mismatch,
}

impl fmt::Display for SignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignError::NotAnObject => f.write_str("envelope is not a JSON object"),
            SignError::UnknownSignType(t) => write!(f, "unknown signType {t:?}"),
            SignError::MissingSign => f.write_str("sign is missing"),
            SignError::Mismatch => f.write_str("sign does not match"),
        }
    }
}

impl std::error::Error for SignError {}

/// Compact JSON with object keys sorted recursively.
pub fn canonical_json(v: &Value) -> String {
    let mut out = String::new();
    write_canonical(v, &mut out);
    out
}

fn write_canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json_str(k, out);
                out.push(':');
                write_canonical(&m[k], out);
            }
            out.push('}');
        }
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(x, out);
            }
            out.push(']');
        }
        Value::String(s) => write_json_str(s, out),
        other => out.push_str(&other.to_string()),
    }
}

/// A JSON string literal, escaped exactly as serde_json escapes it (the signature is
/// over these bytes), written without an intermediate String: answers carry one per
/// code and key.
fn write_json_str(s: &str, out: &mut String) {
    let plain = |c: char| c != '"' && c != '\\' && c >= ' ';
    if s.chars().all(plain) {
        out.push('"');
        out.push_str(s);
        out.push('"');
    } else {
        out.push_str(&Value::String(s.to_owned()).to_string());
    }
}

/// The canonical string of an envelope (a JSON object): see the module docs.
pub fn canonical_string(envelope: &Map<String, Value>) -> String {
    let mut keys: Vec<&String> = envelope.keys().filter(|k| *k != "sign").collect();
    keys.sort();
    // One buffer: an answer's content holds one object per code.
    let mut out = String::new();
    for (i, k) in keys.into_iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        match &envelope[k] {
            Value::String(s) => out.push_str(s),
            other => write_canonical(other, &mut out),
        }
    }
    out
}

/// The signature of `envelope` (its `sign` ignored) with `sign_type` and `secret`.
pub fn signature(envelope: &Map<String, Value>, sign_type: SignType, secret: &[u8]) -> String {
    let text = canonical_string(envelope);
    match sign_type {
        SignType::HmacSha256 => {
            let mut mac =
                Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
            mac.update(text.as_bytes());
            hex::encode(mac.finalize().into_bytes())
        }
    }
}

fn sign_type_of(envelope: &Map<String, Value>) -> Result<SignType, SignError> {
    let text = envelope
        .get("signType")
        .and_then(Value::as_str)
        .unwrap_or("");
    SignType::parse(text).ok_or_else(|| SignError::UnknownSignType(text.to_string()))
}

/// Signs a JSON envelope in place: sets `sign` with the algorithm its `signType` names.
pub fn sign_value(envelope: &mut Value, secret: &[u8]) -> Result<(), SignError> {
    let map = envelope.as_object_mut().ok_or(SignError::NotAnObject)?;
    let sig = signature(map, sign_type_of(map)?, secret);
    map.insert("sign".into(), Value::String(sig));
    Ok(())
}

/// Checks the `sign` of a JSON envelope against its `signType` and `secret`.
pub fn verify_value(envelope: &Value, secret: &[u8]) -> Result<(), SignError> {
    let map = envelope.as_object().ok_or(SignError::NotAnObject)?;
    let given = map
        .get("sign")
        .and_then(Value::as_str)
        .ok_or(SignError::MissingSign)?;
    let expected = signature(map, sign_type_of(map)?, secret);
    // Both are hex of the same length; compare without early exit.
    let same = given.len() == expected.len()
        && given
            .bytes()
            .zip(expected.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    if same {
        Ok(())
    } else {
        Err(SignError::Mismatch)
    }
}

fn to_map<T: Serialize>(t: &T) -> Value {
    serde_json::to_value(t).expect("envelopes serialise")
}

impl RequestEnvelope {
    /// Sets `sign` (using `signType`; an empty `signType` is set to the default first).
    pub fn sign(&mut self, secret: &[u8]) -> Result<(), SignError> {
        if self.sign_type.is_empty() {
            self.sign_type = SignType::default().as_str().into();
        }
        let mut v = to_map(self);
        sign_value(&mut v, secret)?;
        self.sign = v["sign"].as_str().unwrap_or_default().to_string();
        Ok(())
    }
    /// Checks `sign`.
    pub fn verify(&self, secret: &[u8]) -> Result<(), SignError> {
        verify_value(&to_map(self), secret)
    }
}

impl ResponseEnvelope {
    /// Sets `sign` (using `signType`; an empty `signType` is set to the default first).
    pub fn sign(&mut self, secret: &[u8]) -> Result<(), SignError> {
        if self.sign_type.is_empty() {
            self.sign_type = SignType::default().as_str().into();
        }
        let mut v = to_map(self);
        sign_value(&mut v, secret)?;
        self.sign = v["sign"].as_str().unwrap_or_default().to_string();
        Ok(())
    }
    /// Checks `sign`.
    pub fn verify(&self, secret: &[u8]) -> Result<(), SignError> {
        verify_value(&to_map(self), secret)
    }
}

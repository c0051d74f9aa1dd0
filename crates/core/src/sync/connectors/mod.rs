//! One connector per platform, speaking `coupondesk-wire`'s formats exactly
//! (docs/remote-apis.md has every reading of the specs' gaps that they follow).

pub mod bonus;
pub mod ebuy;
pub mod sense;
pub mod voucher;
pub mod wxcard;

use serde_json::Value;

use super::connector::{CallError, CallErrorKind, Connector};
use super::http::Answer;
use super::settings::Endpoint;
use super::types::Platform;

pub fn make(e: Endpoint) -> Box<dyn Connector> {
    match e.platform {
        Platform::Sense => Box::new(sense::Sense::new(e)),
        Platform::WxCard => Box::new(wxcard::WxCard::new(e)),
        Platform::Bonus => Box::new(bonus::BonusApi::new(e)),
        Platform::Voucher => Box::new(voucher::VoucherApi::new(e)),
        Platform::Ebuy => Box::new(ebuy::Ebuy::new(e)),
    }
}

/// Checks edited data of a conflict before it goes back in the queue.
pub fn check_payload(op: &str, payload: &Value) -> Result<(), String> {
    if !payload.is_object() {
        return Err("the data must be an object of fields".into());
    }
    match op.split('.').next() {
        Some("ebuy") => ebuy::check_payload(op, payload),
        Some("bonus") => bonus::check_payload(op, payload),
        Some("voucher") => voucher::check_payload(op, payload),
        Some("wxcard") => wxcard::check_payload(op, payload),
        Some("sense") => sense::check_payload(op, payload),
        _ => Err(format!("unknown operation {op}")),
    }
}

/// The whole-call failures every bearer-token JSON platform (001, 002, 003) shares:
/// 401 (token), 429 (slow down), 5xx (server). `None`: the answer is the op's own.
pub fn http_failure(p: Platform, a: &Answer) -> Option<CallError> {
    match a.status {
        401 | 403 => Some(CallError::auth(p, &format!("HTTP {}", a.status))),
        429 => Some(CallError::rate_limited(a.retry_after)),
        s if s >= 500 => Some(CallError::server(
            s,
            &String::from_utf8_lossy(&a.body)
                .chars()
                .take(200)
                .collect::<String>(),
        )),
        _ => None,
    }
}

/// For a 404 on an endpoint that must exist: the base URL is wrong.
pub fn wrong_address(p: Platform) -> CallError {
    CallError::new(
        CallErrorKind::Server,
        format!("{p} answered 404 where the API should be: check its address in Settings"),
    )
}

/// A JSON body, or a whole-call error saying it could not be built.
pub fn body<T: serde::Serialize>(t: &T) -> Result<Vec<u8>, CallError> {
    serde_json::to_vec(t)
        .map_err(|e| CallError::new(CallErrorKind::BadAnswer, format!("internal: {e}")))
}

/// Percent-encodes a query value (RFC 3986 unreserved characters stay).
pub fn enc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

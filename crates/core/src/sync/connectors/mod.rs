//! One connector per platform, speaking `coupondesk-wire`'s formats exactly
//! (docs/remote-apis.md has every reading of the specs' gaps that they follow).

pub mod bonus;
pub mod ebuy;
pub mod sense;
pub mod voucher;
pub mod wxcard;

use serde_json::Value;

use super::connector::{CallError, CallErrorKind, Connector, Op, OpResult};
use super::http::{Answer, Http};
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

/// One request to a bearer-token platform (001, 002, 003): `Authorization: Bearer`, the
/// path after the platform's base URL, and the shared whole-call failures turned into
/// `CallError`s. What is left is the op's own answer.
pub fn bearer_call(
    http: &mut Http,
    e: &Endpoint,
    method: &str,
    path: &str,
    body: Option<Vec<u8>>,
) -> Result<Answer, CallError> {
    let auth = format!("Bearer {}", e.secret.expose());
    let url = format!("{}{}", e.base_url, path);
    let a = http.call(method, &url, &[("Authorization", &auth)], body.as_deref())?;
    match http_failure(e.platform, &a) {
        Some(err) => Err(err),
        None => Ok(a),
    }
}

/// Sends ops one request (or read-back and request) at a time, in order. `one` answers
/// `None` for an op this connector does not know: a conflict, not a crash. The first
/// whole-call failure stops the batch (the engine retries all of it; done ops are
/// answered again by their read-back).
pub fn one_by_one(
    ops: &[Op],
    mut one: impl FnMut(&Op) -> Option<Result<OpResult, CallError>>,
) -> Result<Vec<OpResult>, CallError> {
    let mut out = Vec::with_capacity(ops.len());
    for op in ops {
        out.push(match one(op) {
            Some(r) => r?,
            None => OpResult::conflict("UNKNOWN_OP", format!("this version cannot send {}", op.op)),
        });
    }
    Ok(out)
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

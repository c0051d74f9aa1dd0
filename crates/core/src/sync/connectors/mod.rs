//! One connector per platform, speaking `coupondesk-wire`'s formats exactly
//! (docs/remote-apis.md has every reading of the specs' gaps that they follow).

pub mod bonus;
pub mod ebuy;
pub mod sense;
pub mod voucher;
pub mod wxcard;

use serde_json::Value;

use super::connector::{Connector, Op, OpResult, Refs};
use super::http::{Answer, CallError, CallErrorKind, Http};
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

/// The result code of a create that a read-back found on the platform.
pub const ADOPTED: &str = "ADOPTED";

/// A create that a read-back found on the platform (an earlier request of ours was
/// applied, its answer lost or late): done, under its own result code, so staff and the
/// chaos test can tell an adoption from a create.
pub fn adopted(r: OpResult) -> OpResult {
    match r {
        OpResult::Done {
            message, remote, ..
        } => OpResult::Done {
            code: ADOPTED.into(),
            message,
            remote,
        },
        other => other,
    }
}

/// For a 404 on an endpoint that must exist: the base URL is wrong.
/// A local database failure inside a pull: the pull fails and is tried again later.
pub fn local_db(e: &impl std::fmt::Display) -> CallError {
    CallError::new(CallErrorKind::BadAnswer, format!("local database: {e}"))
}

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

/// K of docs/sync.md: after this many empty read-backs in all (two cycles of two), a free
/// create (002 bonus, 001 card) goes to the inbox instead of being created again.
pub const MAX_EMPTY_READBACKS: u32 = 4;

/// Whether a create costs the merchant money (003 voucher buy): a paid create is never
/// sent again without a person's word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cost {
    Paid,
    Free,
}

/// What a read-back of a possibly-applied create found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found<T> {
    Nothing,
    /// Exactly one candidate that no other local row claims: ours.
    One(T),
    /// Several unclaimed candidates: staff must say which is ours.
    Many(usize),
}

/// What the create does next.
#[derive(Debug)]
pub enum Next<T> {
    /// Send the create (the row says, committed, that it leaves now).
    Send,
    /// Adopt what the read-back found: done without sending.
    Adopt(T),
    /// Wait (the settle time) or go to the inbox: the op's result.
    Stop(OpResult),
}

/// A platform time of day for staff (Beijing time, the platforms' and the shops' clock).
pub fn beijing_hhmm(ms: i64) -> String {
    let Some(bj) = chrono::FixedOffset::east_opt(8 * 3600) else {
        return String::new();
    };
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.with_timezone(&bj).format("%H:%M").to_string())
        .unwrap_or_default()
}

/// The read-back rule for creates that may have been applied (docs/sync.md, "Creates that
/// may have been applied"). `what` names the thing in the plural for staff ("vouchers
/// named \"X\" at 20.00 yuan"); `read_back` looks for it on the platform.
///
/// - never possibly applied → send;
/// - before `sent_at + settle` → wait (no request at all: a late apply may still come);
/// - one unclaimed candidate → adopt; several → conflict (staff confirm which);
/// - none: paid → a second empty read-back is a conflict (never bought again by itself);
///   free → two empty read-backs spaced by settle prove it was not applied → send again;
///   after [`MAX_EMPTY_READBACKS`] in all → conflict.
pub fn readback_rule<T>(
    op: &Op,
    refs: &Refs<'_>,
    cost: Cost,
    what: &str,
    read_back: impl FnOnce() -> Result<Found<T>, CallError>,
) -> Result<Next<T>, CallError> {
    if !op.maybe_applied {
        return Ok(Next::Send);
    }
    let now = crate::store::now_ms();
    let sent_at = op.sent_at.unwrap_or(0);
    let settled = sent_at.saturating_add(refs.settle_ms);
    if now < settled {
        return Ok(Next::Stop(OpResult::Wait {
            code: "SETTLING".into(),
            message: format!(
                "the request sent at {} may have been applied; reading it back before \
                 anything is sent again",
                beijing_hhmm(sent_at)
            ),
            until_ms: settled,
            empty_readback: false,
        }));
    }
    let empties = op.readbacks + 1;
    Ok(match read_back()? {
        Found::One(t) => Next::Adopt(t),
        Found::Many(n) => Next::Stop(OpResult::conflict(
            "AMBIGUOUS",
            format!(
                "the platform holds {n} {what} that no other local item claims; confirm in its \
                 console which is ours: Discard this if one is, Retry sends it again"
            ),
        )),
        Found::Nothing if cost == Cost::Paid && empties >= 2 => Next::Stop(OpResult::conflict(
            "NOT_ON_PLATFORM",
            format!(
                "the platform shows no {what} bought at {} (Beijing time); check its console: \
                 Retry buys again, Discard drops it",
                beijing_hhmm(sent_at)
            ),
        )),
        Found::Nothing if cost == Cost::Free && empties >= MAX_EMPTY_READBACKS => {
            Next::Stop(OpResult::conflict(
                "NOT_ON_PLATFORM",
                format!(
                    "after {empties} read-backs the platform still shows no {what} sent at {} \
                     (Beijing time), so it is not created a third time; check its console: \
                     Retry creates it again, Discard drops it",
                    beijing_hhmm(sent_at)
                ),
            ))
        }
        Found::Nothing if cost == Cost::Free && empties.is_multiple_of(2) => {
            // Two empty read-backs spaced by the settle time: not applied. Sent again.
            refs.mark_leaving(op, true)?;
            Next::Send
        }
        Found::Nothing => Next::Stop(OpResult::Wait {
            code: "READ_BACK_EMPTY".into(),
            message: format!(
                "the platform shows no {what} yet; reading it back once more before deciding"
            ),
            until_ms: now.saturating_add(refs.settle_ms),
            empty_readback: true,
        }),
    })
}

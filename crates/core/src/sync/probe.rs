//! "Test connection": one or two read-only requests that say whether a platform is
//! reachable over the transport its settings give (trust, proxy, plain-HTTP rule) and
//! whether it accepts our credentials. Nothing here can change anything on a platform
//! (docs/remote-apis.md, "Test connection", has the request per platform and why).

use std::time::Duration;

use serde_json::Value;

use super::credentials::Secret;
use super::http::{Answer, CallError, CallErrorKind, Http};
use super::types::{ConnectionTest, ConnectionVerdict, Platform, PlatformSettings};

/// Tests the platform with these settings (on or off: staff test before turning sync
/// on). Touches no database: the caller stores the verdict (`settings::note_test`), so
/// no connection is held while the platform answers.
pub fn test(s: &PlatformSettings, secret: Option<&Secret>, timeout: Duration) -> ConnectionTest {
    let p = s.platform;
    let (verdict, words) = match (missing(s), secret) {
        (Some(words), _) => (ConnectionVerdict::NotConfigured, words),
        (None, None) => (
            ConnectionVerdict::NotConfigured,
            format!("no {} stored; enter it in Settings", p.secret_name()),
        ),
        (None, Some(secret)) => {
            let mut http = Http::for_endpoint(s, timeout);
            match probe(&mut http, s, secret.expose()) {
                Ok(v) => v,
                Err(e) => failed(&e, http.sent),
            }
        }
    };
    ConnectionTest {
        platform: p,
        verdict,
        message: format!("{}: {words}", p.display_name()),
    }
}

/// What the settings lack before anything can be sent.
fn missing(s: &PlatformSettings) -> Option<String> {
    if s.base_url.trim().is_empty() {
        return Some("no address; enter the platform's address in Settings".into());
    }
    if s.platform == Platform::Ebuy && s.app_id.trim().is_empty() {
        return Some("no appId; enter the appId e-Buy gave you in Settings".into());
    }
    None
}

type Verdict = (ConnectionVerdict, String);

fn probe(http: &mut Http, s: &PlatformSettings, secret: &str) -> Result<Verdict, CallError> {
    match s.platform {
        Platform::Sense => sense(http, s, secret),
        Platform::WxCard => bearer(http, s, secret, "/tickets?page=1&per_page=1"),
        Platform::Bonus => bearer(http, s, secret, "/market/bonus?page=1&per_page=1"),
        // A name no voucher has: the list answers empty, quickly.
        Platform::Voucher => bearer(
            http,
            s,
            secret,
            "/api/v1/coupons?name=coupondesk-connection-test",
        ),
        Platform::Ebuy => ebuy(http, s),
    }
}

/// A call that failed as a whole, as a verdict.
fn failed(e: &CallError, sent: u64) -> Verdict {
    let v = match e.kind {
        CallErrorKind::Tls => ConnectionVerdict::TlsError,
        CallErrorKind::Auth => ConnectionVerdict::TokenRefused,
        // Nothing left: the settings themselves stop it (plain HTTP, the CA file).
        CallErrorKind::Setup if sent == 0 => ConnectionVerdict::NotConfigured,
        _ => ConnectionVerdict::Unreachable,
    };
    (v, e.message.clone())
}

/// An answer that is neither "yes" nor "token refused": the address is probably wrong.
fn unexpected(path: &str, a: &Answer) -> Verdict {
    let said: String = String::from_utf8_lossy(&a.body).chars().take(120).collect();
    let hint = if a.status == 404 {
        "the address in Settings is probably wrong"
    } else {
        "check the address in Settings, or try again later"
    };
    (
        ConnectionVerdict::Unreachable,
        format!(
            "GET {path} answered HTTP {} ({}); {hint}",
            a.status,
            said.trim()
        ),
    )
}

fn refused(path: &str, words: &str, secret_name: &str) -> Verdict {
    (
        ConnectionVerdict::TokenRefused,
        format!(
            "reachable, but GET {path} refused our {secret_name} ({words}); enter a valid \
             one in Settings"
        ),
    )
}

fn authorised(path: &str) -> Verdict {
    (
        ConnectionVerdict::Authorised,
        format!("reachable and authorised (GET {path} answered)"),
    )
}

/// 001, 002, 003: the cheapest authenticated list read, with `Authorization: Bearer`.
fn bearer(
    http: &mut Http,
    s: &PlatformSettings,
    secret: &str,
    path: &str,
) -> Result<Verdict, CallError> {
    let auth = format!("Bearer {secret}");
    let url = format!("{}{path}", s.base_url);
    let a = http.call("GET", &url, &[("Authorization", &auth)], None)?;
    Ok(match a.status {
        200..=299 if serde_json::from_slice::<Value>(&a.body).is_ok() => authorised(path),
        401 | 403 => refused(
            path,
            &format!("HTTP {}", a.status),
            s.platform.secret_name(),
        ),
        _ => unexpected(path, &a),
    })
}

/// 000: `GET /test` (spec 000: `{"ok": true}`; its example sends no token, so it proves
/// only that the API is there), then the cheapest authenticated read, judged by
/// `head.ret` (2 token invalid or expired, 5 no permission).
fn sense(http: &mut Http, s: &PlatformSettings, secret: &str) -> Result<Verdict, CallError> {
    use coupondesk_wire::sense::{ret, AUTH_HEADER};
    let headers = [(AUTH_HEADER, secret)];
    let a = http.call("GET", &format!("{}/test", s.base_url), &headers, None)?;
    // A server that checks the token on /test too answers with the usual head.
    if let Some(v) = sense_refusal("/test", &a) {
        return Ok(v);
    }
    let ok = serde_json::from_slice::<Value>(&a.body)
        .ok()
        .and_then(|v| v.get("ok").and_then(Value::as_bool));
    if a.status != 200 || ok != Some(true) {
        return Ok(unexpected("/test", &a));
    }
    let path = "/tickets?to_page=1&per_page=1";
    let a = http.call("GET", &format!("{}{path}", s.base_url), &headers, None)?;
    if let Some(v) = sense_refusal(path, &a) {
        return Ok(v);
    }
    let code = serde_json::from_slice::<Value>(&a.body)
        .ok()
        .and_then(|v| v.pointer("/head/ret").and_then(Value::as_i64));
    Ok(match code {
        Some(ret::OK) if a.status == 200 => authorised(path),
        _ => unexpected(path, &a),
    })
}

/// 000's "token refused": HTTP 401/403, or `head.ret` 2 (token invalid or expired) or
/// 5 (no permission).
fn sense_refusal(path: &str, a: &Answer) -> Option<Verdict> {
    use coupondesk_wire::sense::ret;
    let name = Platform::Sense.secret_name();
    if matches!(a.status, 401 | 403) {
        return Some(refused(path, &format!("HTTP {}", a.status), name));
    }
    let v = serde_json::from_slice::<Value>(&a.body).ok()?;
    let r = v.pointer("/head/ret").and_then(Value::as_i64)?;
    let msg = v.pointer("/head/msg").and_then(Value::as_str).unwrap_or("");
    matches!(r, ret::TOKEN_INVALID | ret::NO_PERMISSION)
        .then(|| refused(path, &format!("ret {r}: {msg}"), name))
}

/// 004: every e-Buy endpoint activates, deactivates or changes codes, and an envelope's
/// uuid is stored by the platform: no signed request is safe to send as a test. A GET
/// of the base URL proves the address, the network, the proxy and the certificate; any
/// HTTP answer will do.
fn ebuy(http: &mut Http, s: &PlatformSettings) -> Result<Verdict, CallError> {
    let a = http.call("GET", &s.base_url, &[], None)?;
    Ok((
        ConnectionVerdict::Reachable,
        format!(
            "reachable (GET of the address answered HTTP {}); e-Buy has no call that checks \
             the signing key without changing codes, so the first activation proves it",
            a.status
        ),
    ))
}

//! The one HTTP client the connectors use: reqwest (blocking) over rustls, built per
//! platform from its settings. It turns every outcome into an `Answer` or a `CallError`
//! whose kind the engine can act on; nothing here retries.
//!
//! What must stay true (docs/sync.md, "Transport"):
//! - Trust is the OS's roots, plus every certificate in `SSL_CERT_FILE`, plus the
//!   platform's own CA file. Nothing else; certificate checks are never turned off.
//! - A token never leaves for another origin: only 307/308 redirects to the same scheme,
//!   host and port are followed (at most 5); any other redirect is an error.
//! - A token never travels in clear text to another machine: plain `http://` is refused
//!   for hosts that are not loopback unless the platform's settings allow it.
//! - Proxies come from `HTTPS_PROXY` / `HTTP_PROXY` / `ALL_PROXY` / `NO_PROXY` (reqwest's
//!   default for a client built without `no_proxy()`).

use std::io::Read;
use std::net::IpAddr;
use std::time::Duration;

use reqwest::blocking::Client;
use reqwest::{redirect, Certificate, Method, Url};

use super::types::{Platform, PlatformSettings};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallErrorKind {
    /// Could not connect: nothing reached the server.
    Offline,
    /// Sent, no answer in time: it may have been applied.
    Timeout,
    /// The connection broke after sending: it may have been applied.
    Lost,
    /// The platform asked us to slow down (429, 000's ret 4); nothing applied.
    RateLimited,
    /// A 5xx or the platform's "server error"; nothing applied (per the specs).
    Server,
    /// Token or signature refused: staff must fix the credentials in Settings.
    Auth,
    /// An answer we cannot read or trust (bad JSON, bad signature): may have applied.
    BadAnswer,
    /// No TLS connection could be made (certificate not trusted, wrong name, expired):
    /// nothing was sent; staff must fix the trust (CA file, SSL_CERT_FILE) or the address.
    Tls,
    /// The platform's settings stop the call before or instead of sending: plain HTTP to
    /// another machine not allowed, the CA file unreadable, a redirect to another address.
    /// Nothing was applied; waiting does not help, staff must fix Settings.
    Setup,
}

impl CallErrorKind {
    /// As stored (`sync_platforms.last_error_kind`) and as the UI's message keys name it
    /// (`sync.errorKind.<kind>`).
    pub fn as_str(self) -> &'static str {
        match self {
            CallErrorKind::Offline => "offline",
            CallErrorKind::Timeout => "timeout",
            CallErrorKind::Lost => "lost",
            CallErrorKind::RateLimited => "rate_limited",
            CallErrorKind::Server => "server",
            CallErrorKind::Auth => "auth",
            CallErrorKind::BadAnswer => "bad_answer",
            CallErrorKind::Tls => "tls",
            CallErrorKind::Setup => "setup",
        }
    }

    /// Failures that will not heal by waiting: the run stops the platform at once.
    pub fn needs_staff(self) -> bool {
        matches!(
            self,
            CallErrorKind::Auth | CallErrorKind::Tls | CallErrorKind::Setup
        )
    }
}

/// A whole call failed: the engine retries every op of it later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallError {
    pub kind: CallErrorKind,
    /// In plain words, with what to do.
    pub message: String,
    /// Seconds the platform asked us to wait.
    pub retry_after: Option<u64>,
}

impl CallError {
    pub fn new(kind: CallErrorKind, message: impl Into<String>) -> CallError {
        CallError {
            kind,
            message: message.into(),
            retry_after: None,
        }
    }
    pub fn rate_limited(retry_after: Option<u64>) -> CallError {
        CallError {
            kind: CallErrorKind::RateLimited,
            message: "the platform asked us to slow down; sending again shortly".into(),
            retry_after,
        }
    }
    pub fn auth(p: Platform, words: &str) -> CallError {
        CallError::new(
            CallErrorKind::Auth,
            format!(
                "the platform refused our {} ({words}); enter a valid one in Settings",
                p.secret_name()
            ),
        )
    }
    pub fn server(status: u16, words: &str) -> CallError {
        CallError::new(
            CallErrorKind::Server,
            format!("the platform had an error (HTTP {status}: {words}); sending again later"),
        )
    }
    /// Whether the request may have reached the server and been applied.
    pub fn may_have_applied(&self) -> bool {
        matches!(
            self.kind,
            CallErrorKind::Timeout | CallErrorKind::Lost | CallErrorKind::BadAnswer
        )
    }
}

/// A whole answer of the server (any HTTP status).
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    /// `Retry-After` in seconds, when sent.
    pub retry_after: Option<u64>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, CallError> {
        serde_json::from_slice(&self.body).map_err(|e| {
            CallError::new(
                CallErrorKind::BadAnswer,
                format!(
                    "the platform answered HTTP {} with something we cannot read ({e})",
                    self.status
                ),
            )
        })
    }
}

pub struct Http {
    /// The client, or why none can be used with these settings (the CA file unreadable,
    /// plain HTTP refused): every call then fails with that, and nothing is sent.
    client: Result<Client, CallError>,
    /// Plain `http://` to any host is allowed (the platform's "allow plain HTTP").
    allow_http: bool,
    /// Requests sent (for the run report and the benchmark).
    pub sent: u64,
}

/// Answers larger than this are refused (a list page is far smaller).
const MAX_BODY: u64 = 64 << 20;
/// Same-origin redirects followed at most.
const MAX_REDIRECTS: usize = 5;
/// Connecting (TCP and TLS) takes at most this long, within the request's timeout.
const MAX_CONNECT: Duration = Duration::from_secs(10);

impl Http {
    /// A client with the default trust (the OS's roots and `SSL_CERT_FILE`) that refuses
    /// plain HTTP to other machines: for tests and the benchmark.
    pub fn new(timeout: Duration) -> Http {
        Http::build(timeout, "", false)
    }

    /// The client for one platform: its CA file trusted too, its "allow plain HTTP".
    pub fn for_endpoint(s: &PlatformSettings, timeout: Duration) -> Http {
        Http::build(timeout, &s.ca_file, s.allow_http)
    }

    fn build(timeout: Duration, ca_file: &str, allow_http: bool) -> Http {
        Http {
            client: client(timeout, ca_file)
                .map_err(|words| CallError::new(CallErrorKind::Setup, words)),
            allow_http,
            sent: 0,
        }
    }

    /// Sends one request. `body`: JSON bytes for POST/PUT.
    pub fn call(
        &mut self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Result<Answer, CallError> {
        let client = self.client.as_ref().map_err(Clone::clone)?;
        if let Some(words) = plain_http_refused(url, self.allow_http) {
            return Err(CallError::new(CallErrorKind::Setup, words));
        }
        let method = Method::from_bytes(method.as_bytes()).map_err(|_| {
            CallError::new(CallErrorKind::Setup, format!("internal: method {method}"))
        })?;
        let mut r = client.request(method, url);
        for (k, v) in headers {
            r = r.header(*k, *v);
        }
        if let Some(b) = body {
            r = r
                .header("Content-Type", "application/json")
                .body(b.to_vec());
        }
        self.sent += 1;
        let resp = r.send().map_err(|e| transport_error(&e))?;
        let status = resp.status().as_u16();
        if resp.status().is_redirection() {
            return Err(redirect_refused(url, status, &resp));
        }
        let retry_after = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let mut buf = Vec::new();
        resp.take(MAX_BODY + 1)
            .read_to_end(&mut buf)
            .map_err(|e| body_error(&e))?;
        if buf.len() as u64 > MAX_BODY {
            return Err(CallError::new(
                CallErrorKind::BadAnswer,
                format!("the platform's answer is larger than {MAX_BODY} bytes; refused"),
            ));
        }
        Ok(Answer {
            status,
            retry_after,
            body: buf,
        })
    }
}

/// The client: trust, timeouts, redirect rule, proxies from the environment.
fn client(timeout: Duration, ca_file: &str) -> Result<Client, String> {
    let mut b = Client::builder()
        .use_rustls_tls()
        .tls_built_in_native_certs(true)
        .timeout(timeout)
        .connect_timeout(timeout.min(MAX_CONNECT))
        .redirect(redirect::Policy::custom(same_origin_only))
        .user_agent(concat!("CouponDesk/", env!("CARGO_PKG_VERSION")));
    // Read explicitly: rustls-native-certs also reads it, but only in place of the OS's
    // store and silently ignoring a bad file; here it is added to the OS's roots, and a
    // bad file says so.
    if let Some(path) = std::env::var_os("SSL_CERT_FILE").filter(|p| !p.is_empty()) {
        let path = path.to_string_lossy().into_owned();
        for c in ca_certificates(&path).map_err(|e| format!("SSL_CERT_FILE: {e}"))? {
            b = b.add_root_certificate(c);
        }
    }
    if !ca_file.trim().is_empty() {
        for c in ca_certificates(ca_file.trim())? {
            b = b.add_root_certificate(c);
        }
    }
    b.build()
        .map_err(|e| format!("could not set up the HTTPS client ({e})"))
}

/// The certificates of a PEM file (one or several `BEGIN CERTIFICATE` blocks), or what
/// is wrong with it, naming the file and what to do.
pub fn ca_certificates(path: &str) -> Result<Vec<Certificate>, String> {
    let bytes = std::fs::read(path).map_err(|e| {
        format!(
            "cannot read the CA certificate file {path} ({e}); give the path of a readable \
             PEM file (-----BEGIN CERTIFICATE-----), or leave it empty"
        )
    })?;
    let certs = Certificate::from_pem_bundle(&bytes).unwrap_or_default();
    if certs.is_empty() {
        return Err(format!(
            "the CA certificate file {path} holds no PEM certificate; give the CA's \
             certificate as PEM (-----BEGIN CERTIFICATE-----), not a key or a DER file"
        ));
    }
    Ok(certs)
}

/// Why a URL may not be used, when it is plain `http://` to a host that is not this
/// machine and plain HTTP is not allowed. `None`: fine.
pub fn plain_http_refused(url: &str, allow_http: bool) -> Option<String> {
    let u = Url::parse(url).ok()?;
    if u.scheme() != "http" || allow_http || is_loopback(&u) {
        return None;
    }
    Some(format!(
        "the address {} is plain http:// to another machine: the token would travel in \
         clear text; use https:// or tick \"allow plain HTTP\" in Settings",
        origin(&u)
    ))
}

fn is_loopback(u: &Url) -> bool {
    let Some(host) = u.host_str() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    match host.parse::<IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => {
            let d = host.trim_end_matches('.').to_ascii_lowercase();
            d == "localhost" || d.ends_with(".localhost")
        }
    }
}

fn origin(u: &Url) -> String {
    u.origin().ascii_serialization()
}

/// Follows 307/308 (they keep the method and the body) to the same origin, at most
/// `MAX_REDIRECTS` times; stops at anything else, which `call` then refuses. A 301/302/303
/// is not followed: it would turn a POST into a GET and its answer into a wrong one.
fn same_origin_only(attempt: redirect::Attempt<'_>) -> redirect::Action {
    let same = attempt
        .previous()
        .first()
        .is_some_and(|first| first.origin() == attempt.url().origin());
    let keeps_method = matches!(attempt.status().as_u16(), 307 | 308);
    if same && keeps_method && attempt.previous().len() <= MAX_REDIRECTS {
        attempt.follow()
    } else {
        attempt.stop()
    }
}

/// The redirect the policy did not follow, as an error that says where it pointed.
fn redirect_refused(url: &str, status: u16, resp: &reqwest::blocking::Response) -> CallError {
    let target = resp
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .and_then(|loc| resp.url().join(loc).ok());
    let from = Url::parse(url).ok();
    let same = match (&from, &target) {
        (Some(a), Some(b)) => a.origin() == b.origin(),
        _ => false,
    };
    let words = match target {
        Some(t) if !same => format!(
            "the platform sent us to another address (HTTP {status} to {}); we do not send \
             your token there; if the platform moved, put its new address in Settings",
            origin(&t)
        ),
        Some(t) if matches!(status, 307 | 308) => format!(
            "the platform redirected us more than {MAX_REDIRECTS} times (last to {t}); \
             check its address in Settings"
        ),
        Some(t) => format!(
            "the platform answered HTTP {status} (to {t}), a redirect an API call cannot \
             follow; check its address in Settings"
        ),
        None => format!(
            "the platform answered HTTP {status} without a usable Location; check its \
             address in Settings"
        ),
    };
    CallError::new(CallErrorKind::Setup, words)
}

/// The next error under `e`. An io::Error's `source()` skips its own inner error (it
/// returns the inner one's source), so for those the inner error comes first.
fn under<'a>(
    e: &'a (dyn std::error::Error + 'static),
) -> Option<&'a (dyn std::error::Error + 'static)> {
    if let Some(inner) = e
        .downcast_ref::<std::io::Error>()
        .and_then(|io| io.get_ref())
    {
        return Some(inner);
    }
    e.source()
}

/// The words for the rustls error somewhere under a transport error (reqwest wraps
/// hyper's error, which wraps io::Errors, the innermost of which holds rustls's).
fn tls_failure(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    use rustls::CertificateError as C;
    let mut cur = Some(e);
    while let Some(err) = cur {
        if let Some(t) = err.downcast_ref::<rustls::Error>() {
            let reason = t.to_string();
            return Some(match t {
                rustls::Error::InvalidCertificate(
                    C::NotValidForName | C::NotValidForNameContext { .. },
                ) => format!(
                    "the platform's certificate is not valid for this address ({reason}); \
                     check the address in Settings: its host must be a name the \
                     certificate gives"
                ),
                rustls::Error::InvalidCertificate(C::Expired | C::ExpiredContext { .. }) => {
                    format!(
                        "the platform's certificate has expired ({reason}); the platform \
                         must renew it (or this computer's clock is wrong)"
                    )
                }
                _ => tls_words(&reason),
            });
        }
        cur = under(err);
    }
    None
}

/// The innermost io::Error's kind under a transport error.
fn io_kind(e: &(dyn std::error::Error + 'static)) -> Option<std::io::ErrorKind> {
    let mut cur = Some(e);
    let mut kind = None;
    while let Some(err) = cur {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            kind = Some(io.kind());
        }
        cur = under(err);
    }
    kind
}

/// The words for a TLS failure, with what to do.
pub fn tls_words(reason: &str) -> String {
    format!(
        "the platform's certificate is not trusted ({reason}); if it uses a private CA, \
         give its certificate file in Settings (CA certificate) or SSL_CERT_FILE"
    )
}

fn transport_error(e: &reqwest::Error) -> CallError {
    if let Some(words) = tls_failure(e) {
        return CallError::new(CallErrorKind::Tls, words);
    }
    let kind = io_kind(e);
    if e.is_connect() {
        let words = match kind {
            Some(std::io::ErrorKind::ConnectionRefused) => {
                "the platform refused the connection (is the address in Settings right?)"
                    .to_owned()
            }
            _ if e.is_timeout() => {
                "cannot reach the platform in time (no network, or the address in Settings is wrong)"
                    .to_owned()
            }
            _ => format!(
                "cannot reach the platform (no network, or the address in Settings is wrong: {})",
                root_cause(e)
            ),
        };
        return CallError::new(CallErrorKind::Offline, words);
    }
    if e.is_timeout() || kind == Some(std::io::ErrorKind::TimedOut) {
        return CallError::new(
            CallErrorKind::Timeout,
            "the platform did not answer in time",
        );
    }
    if e.is_builder() {
        return CallError::new(
            CallErrorKind::Setup,
            format!("the platform's address cannot be used ({e}); check it in Settings"),
        );
    }
    CallError::new(
        CallErrorKind::Lost,
        format!(
            "the connection broke before the platform answered ({})",
            root_cause(e)
        ),
    )
}

fn body_error(e: &std::io::Error) -> CallError {
    let timed_out = e.kind() == std::io::ErrorKind::TimedOut
        || e.get_ref()
            .and_then(|inner| inner.downcast_ref::<reqwest::Error>())
            .is_some_and(reqwest::Error::is_timeout);
    if timed_out {
        CallError::new(
            CallErrorKind::Timeout,
            "the platform did not finish its answer in time",
        )
    } else {
        CallError::new(
            CallErrorKind::Lost,
            format!("the connection broke while the platform answered ({e})"),
        )
    }
}

/// The innermost error's words (reqwest's own say only "error sending request").
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut last = e;
    while let Some(next) = under(last) {
        last = next;
    }
    last.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_is_refused_only_for_other_machines_unless_allowed() {
        assert!(plain_http_refused("http://example.com/p002", false).is_some());
        assert_eq!(plain_http_refused("http://example.com/p002", true), None);
        assert_eq!(plain_http_refused("https://example.com/p002", false), None);
        for local in [
            "http://127.0.0.1:8765/p002",
            "http://127.9.9.9/",
            "http://[::1]:80/x",
            "http://localhost:1/",
            "http://LOCALHOST./",
        ] {
            assert_eq!(plain_http_refused(local, false), None, "{local}");
        }
        let words = plain_http_refused("http://10.0.0.1:80/a", false).unwrap_or_default();
        assert!(
            words.starts_with("the address http://10.0.0.1 is plain http://"),
            "{words}"
        );
    }

    #[test]
    fn a_ca_file_that_is_not_pem_is_refused_with_its_name() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("ca.txt");
        std::fs::write(&path, "not a certificate").expect("write");
        let p = path.to_string_lossy().into_owned();
        let err = ca_certificates(&p).err().unwrap_or_default();
        assert!(
            err.starts_with(&format!("the CA certificate file {p} holds no PEM")),
            "{err}"
        );
        let missing = format!("{p}.missing");
        let err = ca_certificates(&missing).err().unwrap_or_default();
        assert!(
            err.starts_with(&format!("cannot read the CA certificate file {missing}")),
            "{err}"
        );
    }
}

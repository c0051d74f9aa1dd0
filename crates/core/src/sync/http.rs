//! The one HTTP client the connectors use (ureq, blocking, with a global timeout per
//! request). It turns every outcome into an `Answer` or a `CallError` whose kind the
//! engine can act on; nothing here retries.

use std::time::Duration;

use super::connector::{CallError, CallErrorKind};

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
    agent: ureq::Agent,
    /// Requests sent (for the run report and the benchmark).
    pub sent: u64,
}

/// Answers larger than this are refused (a list page is far smaller).
const MAX_BODY: u64 = 64 << 20;

impl Http {
    pub fn new(timeout: Duration) -> Http {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(timeout))
            .user_agent(concat!("CouponDesk/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Http { agent, sent: 0 }
    }

    /// Sends one request. `body`: JSON bytes for POST/PUT.
    pub fn call(
        &mut self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Result<Answer, CallError> {
        self.sent += 1;
        let result = match method {
            "GET" => {
                let mut r = self.agent.get(url);
                for (k, v) in headers {
                    r = r.header(*k, *v);
                }
                r.call()
            }
            _ => {
                let mut r = if method == "PUT" {
                    self.agent.put(url)
                } else {
                    self.agent.post(url)
                };
                for (k, v) in headers {
                    r = r.header(*k, *v);
                }
                match body {
                    Some(b) => r.header("Content-Type", "application/json").send(b),
                    None => r.send_empty(),
                }
            }
        };
        let mut resp = result.map_err(transport_error)?;
        let retry_after = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let body = resp
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .read_to_vec()
            .map_err(transport_error)?;
        Ok(Answer {
            status: resp.status().as_u16(),
            retry_after,
            body,
        })
    }
}

fn transport_error(e: ureq::Error) -> CallError {
    use ureq::Error as E;
    let (kind, words) = match &e {
        E::Timeout(_) => (
            CallErrorKind::Timeout,
            "the platform did not answer in time".to_owned(),
        ),
        E::ConnectionFailed | E::HostNotFound => (
            CallErrorKind::Offline,
            "cannot reach the platform (no network, or the address in Settings is wrong)"
                .to_owned(),
        ),
        E::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => (
            CallErrorKind::Offline,
            "the platform refused the connection (is the address in Settings right?)".to_owned(),
        ),
        _ => (
            CallErrorKind::Lost,
            format!("the connection broke before the platform answered ({e})"),
        ),
    };
    CallError::new(kind, words)
}

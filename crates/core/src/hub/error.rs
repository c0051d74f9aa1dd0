//! The hub's errors. Each says what to do; their codes are stable (the UI and the CLI's
//! `--json` branch on them).

use crate::error_codes::impl_error_code;

#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum HubError {
    /// No answer within the deadline, or no connection at all (refused, no route, DNS).
    #[error("the hub does not answer ({0}); the desk keeps working offline. Check the network and that the PostgreSQL server is running")]
    Offline(String),
    #[error("the hub refused the login ({0}); check the user and password (hub join gives each terminal its own)")]
    Auth(String),
    #[error("TLS to the hub failed ({0}); check sslmode and sslrootcert in the hub URL, or the server's certificate")]
    Tls(String),
    #[error("the hub's schema is version {hub}, newer than this CouponDesk (version {build}); update CouponDesk on this desk")]
    Newer { hub: i64, build: i64 },
    #[error("the database has no CouponDesk hub yet; run `coupondesk hub init --url ...` with an administrator's URL first")]
    NotInitialised,
    #[error("this desk has not joined a hub; run `coupondesk hub join --url ... --store NAME --terminal NAME`")]
    NotJoined,
    #[error("the hub URL is not usable: {0}")]
    BadUrl(String),
    #[error("the hub has no database {0}; create it (createdb) or fix the URL")]
    NoDatabase(String),
    #[error("the hub refused: {0}; this needs an administrator's URL (a role that may create roles and schemas)")]
    Denied(String),
    #[error("the store and the terminal each need a name (--store NAME --terminal NAME)")]
    NoName,
    #[error(
        "the hub already has a terminal {terminal} in store {store}; choose another terminal name"
    )]
    TerminalTaken { store: String, terminal: String },
    #[error("the hub deadline must be between {min} and {max} ms (got {got})")]
    BadDeadline { got: i64, min: i64, max: i64 },
    #[error(
        "e-Buy activations are sent by the platform desk; activate at the platform desk ({0})"
    )]
    NotPlatformDesk(String),
    #[error("the hub failed: {0}")]
    Failed(String),
}

impl_error_code!(HubError {
    codes {
        HubError::Offline(_) => "hub_unreachable",
        HubError::Auth(_) => "hub_auth",
        HubError::Tls(_) => "hub_tls",
        HubError::Newer { .. } => "hub_newer",
        HubError::NotInitialised => "hub_not_initialised",
        HubError::NotJoined => "hub_not_joined",
        HubError::BadUrl(_) => "hub_bad_url",
        HubError::NoDatabase(_) => "hub_no_database",
        HubError::Denied(_) => "hub_denied",
        HubError::NoName => "hub_no_name",
        HubError::BadDeadline { .. } => "hub_bad_deadline",
        HubError::TerminalTaken { .. } => "hub_terminal_taken",
        HubError::NotPlatformDesk(_) => "hub_not_platform_desk",
        HubError::Failed(_) => "hub_failed",
    }
});

impl HubError {
    /// The error for a failed statement or connection (the words of the innermost cause).
    pub fn from_pg(e: &tokio_postgres::Error) -> HubError {
        use tokio_postgres::error::SqlState;
        if let Some(db) = e.as_db_error() {
            let msg = db.message().to_owned();
            let code = db.code();
            return if *code == SqlState::INVALID_PASSWORD
                || *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION
            {
                HubError::Auth(msg)
            } else if *code == SqlState::INVALID_CATALOG_NAME {
                HubError::NoDatabase(msg)
            } else if *code == SqlState::INSUFFICIENT_PRIVILEGE {
                HubError::Denied(msg)
            } else {
                HubError::Failed(msg)
            };
        }
        if let Some(t) = tls_reason(e) {
            return HubError::Tls(t);
        }
        let words = chain_words(e);
        if words.contains("server does not support TLS") {
            return HubError::Tls(words);
        }
        if e.is_closed() || io_under(e) {
            return HubError::Offline(words);
        }
        HubError::Failed(words)
    }
}

fn chain_words(e: &(dyn std::error::Error + 'static)) -> String {
    let mut words = e.to_string();
    let mut cur = e.source();
    while let Some(inner) = cur {
        let w = inner.to_string();
        if !words.contains(&w) {
            words.push_str(": ");
            words.push_str(&w);
        }
        cur = inner.source();
    }
    words
}

fn tls_reason(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(t) = err.downcast_ref::<rustls::Error>() {
            return Some(t.to_string());
        }
        // rustls's error travels inside an io::Error as its payload.
        if let Some(t) = err
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        {
            return Some(t.to_string());
        }
        cur = err.source();
    }
    None
}

fn io_under(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if err.downcast_ref::<std::io::Error>().is_some() {
            return true;
        }
        cur = err.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes() {
        crate::error_codes::assert_codes(vec![
            (HubError::Offline("x".into()), "hub_unreachable"),
            (HubError::Auth("x".into()), "hub_auth"),
            (HubError::Tls("x".into()), "hub_tls"),
            (HubError::Newer { hub: 2, build: 1 }, "hub_newer"),
            (HubError::NotInitialised, "hub_not_initialised"),
            (HubError::NotJoined, "hub_not_joined"),
            (
                HubError::NotPlatformDesk("x".into()),
                "hub_not_platform_desk",
            ),
        ]);
        let m = HubError::Newer { hub: 3, build: 1 }.to_string();
        assert!(m.contains("version 3") && m.contains("version 1"), "{m}");
    }
}

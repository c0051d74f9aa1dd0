//! The hub's address: a libpq-style `postgres://USER[:PASSWORD]@HOST[:PORT]/DB` URL with
//! the TLS choice in `sslmode` (and, for a private CA, `sslrootcert=PATH`).
//!
//! `sslmode`, as libpq means it (docs/chain-mode.md, "TLS"):
//! - `disable`: plain TCP, never TLS;
//! - `prefer` (the default): TLS when the server offers it, plain TCP when it does not;
//!   the certificate is NOT checked (protects from passive listeners only);
//! - `require`: TLS or no connection; the certificate is NOT checked;
//! - `verify-full`: TLS, the certificate must chain to a trusted root (`sslrootcert`'s
//!   CA when given, else the OS's roots) and name the host.
//!
//! libpq's `allow` and `verify-ca` are refused with a word on what to use instead
//! (rustls always checks the name when it checks the chain).
//!
//! The password never leaves this value: `display()` and `stored()` omit it.

use std::str::FromStr;

use super::HubError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SslMode {
    Disable,
    Prefer,
    Require,
    VerifyFull,
}

impl SslMode {
    pub fn as_str(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyFull => "verify-full",
        }
    }
}

/// A parsed hub URL.
#[derive(Clone)]
pub struct HubUrl {
    pub(crate) config: tokio_postgres::Config,
    pub ssl: SslMode,
    /// PEM file of the CA that `verify-full` trusts instead of the OS's roots.
    pub root_cert: Option<String>,
    /// Query parameters other than the TLS ones, passed on to the client as given.
    rest: Vec<(String, String)>,
}

impl std::fmt::Debug for HubUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.display())
    }
}

impl HubUrl {
    pub fn parse(url: &str) -> Result<HubUrl, HubError> {
        let url = url.trim();
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(HubError::BadUrl(
                "it must start with postgres:// (postgres://USER@HOST:PORT/DATABASE)".into(),
            ));
        }
        let (base, query) = url.split_once('?').unwrap_or((url, ""));
        let mut ssl = SslMode::Prefer;
        let mut root_cert = None;
        let mut rest = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            match k {
                "sslmode" => {
                    ssl = match v {
                        "disable" => SslMode::Disable,
                        "prefer" => SslMode::Prefer,
                        "require" => SslMode::Require,
                        "verify-full" => SslMode::VerifyFull,
                        "verify-ca" => {
                            return Err(HubError::BadUrl(
                                "sslmode=verify-ca is not offered: use verify-full (the \
                                 certificate must also name the host)"
                                    .into(),
                            ))
                        }
                        other => {
                            return Err(HubError::BadUrl(format!(
                                "sslmode={other}: use disable, prefer, require or verify-full"
                            )))
                        }
                    }
                }
                "sslrootcert" => root_cert = Some(percent_decode(v)),
                _ => rest.push((k.to_owned(), v.to_owned())),
            }
        }
        let mut passed = base.to_owned();
        if !rest.is_empty() {
            let q: Vec<String> = rest.iter().map(|(k, v)| format!("{k}={v}")).collect();
            passed = format!("{passed}?{}", q.join("&"));
        }
        let mut config = tokio_postgres::Config::from_str(&passed)
            .map_err(|e| HubError::BadUrl(e.to_string()))?;
        if config.get_dbname().is_none() {
            return Err(HubError::BadUrl(
                "it names no database: postgres://USER@HOST:PORT/DATABASE".into(),
            ));
        }
        if config.get_user().is_none() {
            return Err(HubError::BadUrl(
                "it names no user: postgres://USER@HOST:PORT/DATABASE".into(),
            ));
        }
        config.ssl_mode(match ssl {
            SslMode::Disable => tokio_postgres::config::SslMode::Disable,
            SslMode::Prefer => tokio_postgres::config::SslMode::Prefer,
            SslMode::Require | SslMode::VerifyFull => tokio_postgres::config::SslMode::Require,
        });
        config.application_name("coupondesk");
        Ok(HubUrl {
            config,
            ssl,
            root_cert,
            rest,
        })
    }

    pub fn user(&self) -> &str {
        self.config.get_user().unwrap_or("")
    }

    pub fn database(&self) -> &str {
        self.config.get_dbname().unwrap_or("")
    }

    pub fn has_password(&self) -> bool {
        self.config.get_password().is_some()
    }

    /// The URL's password (an administrator's, given on the command line), if any.
    pub fn password(&self) -> Option<String> {
        self.config
            .get_password()
            .map(|p| String::from_utf8_lossy(p).into_owned())
    }

    /// The same hub as another user (a terminal's role), with that user's password.
    pub fn as_user(&self, user: &str, password: Option<&str>) -> HubUrl {
        let mut u = self.clone();
        u.config.user(user);
        // Config has no way to clear a password; a fresh one replaces it, and the
        // terminal always has one.
        u.config.password(password.unwrap_or(""));
        u
    }

    /// The URL without its password: what is stored in the desk's file and shown.
    pub fn display(&self) -> String {
        use tokio_postgres::config::Host;
        let host = match self.config.get_hosts().first() {
            Some(Host::Tcp(h)) if h.contains(':') => format!("[{h}]"),
            Some(Host::Tcp(h)) => h.clone(),
            Some(Host::Unix(_)) | None => String::new(),
        };
        let port = self
            .config
            .get_ports()
            .first()
            .map(|p| format!(":{p}"))
            .unwrap_or_default();
        let mut q = vec![format!("sslmode={}", self.ssl.as_str())];
        if let Some(r) = &self.root_cert {
            q.push(format!("sslrootcert={}", percent_encode(r)));
        }
        if let Some(Host::Unix(p)) = self.config.get_hosts().first() {
            q.push(format!("host={}", percent_encode(&p.to_string_lossy())));
        }
        q.extend(
            self.rest
                .iter()
                .filter(|(k, _)| k != "host")
                .map(|(k, v)| format!("{k}={v}")),
        );
        format!(
            "postgres://{}@{host}{port}/{}?{}",
            percent_encode(self.user()),
            percent_encode(self.database()),
            q.join("&")
        )
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn percent_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_sslmode_and_hides_the_password() {
        let u = HubUrl::parse("postgres://admin:s3cret@db.example:5433/shop?sslmode=verify-full&sslrootcert=/etc/ca%20x.pem")
            .expect("parse");
        assert_eq!(u.ssl, SslMode::VerifyFull);
        assert_eq!(u.root_cert.as_deref(), Some("/etc/ca x.pem"));
        assert_eq!(u.database(), "shop");
        assert_eq!(u.password().as_deref(), Some("s3cret"));
        let shown = u.display();
        assert!(!shown.contains("s3cret"), "{shown}");
        assert_eq!(
            shown,
            "postgres://admin@db.example:5433/shop?sslmode=verify-full&sslrootcert=/etc/ca%20x.pem"
        );
        let again = HubUrl::parse(&shown).expect("reparse");
        assert_eq!(again.display(), shown);
        assert!(!again.has_password());
    }

    #[test]
    fn defaults_to_prefer_and_refuses_what_it_cannot_do() {
        let u = HubUrl::parse("postgres://a@h/db").expect("parse");
        assert_eq!(u.ssl, SslMode::Prefer);
        for bad in [
            "mysql://a@h/db",
            "postgres://a@h/db?sslmode=verify-ca",
            "postgres://a@h/db?sslmode=sometimes",
            "postgres://a@h",
        ] {
            assert!(
                matches!(HubUrl::parse(bad), Err(HubError::BadUrl(_))),
                "{bad}"
            );
        }
    }
}

//! Platforms' settings (sync_platforms, no secret) and the Sync page's status lines.

use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension};

use super::types::{
    ConnectionTest, ConnectionVerdict, Platform, PlatformSettings, PlatformSettingsInput,
    PlatformStatus, RemoteSummary, SyncStatus,
};
use super::{credentials, outbox, SyncError, SyncResult};
use crate::store::from_ms;

/// A platform's settings with its secret, for the engine only. Reads as its settings
/// (`endpoint.base_url`, `endpoint.platform`, ...).
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub settings: PlatformSettings,
    pub secret: credentials::Secret,
}

impl std::ops::Deref for Endpoint {
    type Target = PlatformSettings;
    fn deref(&self) -> &PlatformSettings {
        &self.settings
    }
}

fn ensure_row(conn: &Connection, p: Platform) -> SyncResult<()> {
    conn.execute(
        "INSERT OR IGNORE INTO sync_platforms (platform) VALUES (?1)",
        [p.id()],
    )?;
    Ok(())
}

pub fn get(conn: &Connection, db: &Path, p: Platform) -> SyncResult<PlatformSettings> {
    let row = conn
        .query_row(
            "SELECT enabled, base_url, app_id, brand_id, sign_type, shop_no, org, ca_file,
                    allow_http, upload_path
             FROM sync_platforms WHERE platform = ?1",
            [p.id()],
            |r| {
                Ok(PlatformSettings {
                    platform: p,
                    enabled: r.get(0)?,
                    base_url: r.get(1)?,
                    app_id: r.get(2)?,
                    brand_id: r.get(3)?,
                    sign_type: r.get(4)?,
                    shop_no: r.get(5)?,
                    org: r.get(6)?,
                    ca_file: r.get(7)?,
                    allow_http: r.get(8)?,
                    upload_path: r.get(9)?,
                    has_secret: false,
                })
            },
        )
        .optional()?;
    let mut s = row.unwrap_or(PlatformSettings {
        platform: p,
        enabled: false,
        base_url: String::new(),
        app_id: String::new(),
        brand_id: String::new(),
        sign_type: "HMAC-SHA256".into(),
        shop_no: String::new(),
        org: String::new(),
        ca_file: String::new(),
        allow_http: false,
        upload_path: String::new(),
        has_secret: false,
    });
    s.has_secret = credentials::has(db, p);
    Ok(s)
}

pub fn all(conn: &Connection, db: &Path) -> SyncResult<Vec<PlatformSettings>> {
    Platform::ALL
        .into_iter()
        .map(|p| get(conn, db, p))
        .collect()
}

fn field(field: &'static str, message: impl Into<String>) -> SyncError {
    SyncError::Field {
        field,
        code: "invalid",
        message: message.into(),
    }
}

/// A value the form must have for what was asked (turning sync on).
fn required(field: &'static str, message: impl Into<String>) -> SyncError {
    SyncError::Field {
        field,
        code: "required",
        message: message.into(),
    }
}

/// Checks and stores a platform's settings; the secret goes to the OS keyring (or the
/// credentials file where none is reachable, `credentials`).
pub fn save(
    conn: &mut Connection,
    db: &Path,
    input: &PlatformSettingsInput,
) -> SyncResult<PlatformSettings> {
    let p = input.platform;
    let url = input.base_url.trim().trim_end_matches('/');
    let scheme_ok = url.starts_with("http://") || url.starts_with("https://");
    if !url.is_empty() && !scheme_ok {
        return Err(field(
            "baseUrl",
            "the address must start with http:// or https://, e.g. https://api.example.com",
        ));
    }
    // Saved settings may predate this rule: `Http` refuses such a URL too.
    if let Some(words) = super::http::plain_http_refused(url, input.allow_http) {
        return Err(field("baseUrl", words));
    }
    let ca_file = input.ca_file.trim();
    if !ca_file.is_empty() {
        super::http::ca_certificates(ca_file).map_err(|words| field("caFile", words))?;
    }
    if input.enabled && url.is_empty() {
        return Err(required(
            "baseUrl",
            "enter the platform's address before turning sync on",
        ));
    }
    let sign_type = if input.sign_type.trim().is_empty() {
        "HMAC-SHA256".to_owned()
    } else {
        input.sign_type.trim().to_owned()
    };
    if p == Platform::Ebuy {
        if coupondesk_wire::ebuy::SignType::parse(&sign_type).is_none() {
            return Err(field(
                "signType",
                "the signing algorithm must be HMAC-SHA256",
            ));
        }
        if input.enabled && input.app_id.trim().is_empty() {
            return Err(required(
                "appId",
                "enter the appId e-Buy gave you before turning sync on",
            ));
        }
        if input.enabled && input.brand_id.trim().is_empty() {
            return Err(required(
                "brandId",
                "enter the brandId: e-Buy needs it to deactivate codes",
            ));
        }
    }
    if let Some(s) = &input.secret {
        if s.trim().is_empty() {
            return Err(field(
                "secret",
                "the secret is empty; leave the box alone to keep the stored one, or use \"clear\"",
            ));
        }
    }
    let has_secret = match (&input.secret, input.clear_secret) {
        (Some(_), _) => true,
        (None, true) => false,
        (None, false) => credentials::has(db, p),
    };
    if input.enabled && !has_secret {
        return Err(required(
            "secret",
            format!("enter the {} before turning sync on", p.secret_name()),
        ));
    }
    // The secret first: if the keyring or the file refuses it, nothing changes.
    if let Some(s) = &input.secret {
        credentials::set(db, p, Some(s.trim()))?;
    } else if input.clear_secret {
        credentials::set(db, p, None)?;
    }
    let tx = conn.transaction()?;
    ensure_row(&tx, p)?;
    tx.execute(
        "UPDATE sync_platforms SET enabled = ?2, base_url = ?3, app_id = ?4, brand_id = ?5,
                sign_type = ?6, shop_no = ?7, org = ?8, ca_file = ?9, allow_http = ?10,
                upload_path = ?11, paused_until = 0
         WHERE platform = ?1",
        params![
            p.id(),
            input.enabled,
            url,
            input.app_id.trim(),
            input.brand_id.trim(),
            sign_type,
            input.shop_no.trim(),
            input.org.trim(),
            ca_file,
            input.allow_http,
            input.upload_path.trim()
        ],
    )?;
    crate::store::audit::record(
        &tx,
        "sync.settings",
        p.id(),
        &serde_json::json!({"enabled": input.enabled, "baseUrl": url,
                            "appId": input.app_id.trim(), "brandId": input.brand_id.trim(),
                            "caFile": ca_file, "allowHttp": input.allow_http,
                            "uploadPath": input.upload_path.trim(),
                            "secretChanged": input.secret.is_some() || input.clear_secret}),
    )?;
    tx.commit()?;
    get(conn, db, p)
}

/// The platform's endpoint when it is enabled and complete; `Err(words)` says what is missing.
pub fn endpoint(conn: &Connection, db: &Path, p: Platform) -> SyncResult<Result<Endpoint, String>> {
    let s = get(conn, db, p)?;
    if !s.enabled {
        return Ok(Err(
            "sync with this platform is off; turn it on in Settings".into(),
        ));
    }
    let secret = match credentials::get(db, p)? {
        Some(x) => x,
        None => {
            return Ok(Err(format!(
                "no {} stored; enter it in Settings",
                p.secret_name()
            )))
        }
    };
    Ok(Ok(Endpoint {
        settings: s,
        secret,
    }))
}

pub fn status(conn: &Connection, db: &Path) -> SyncResult<SyncStatus> {
    let mut platforms = Vec::new();
    for p in Platform::ALL {
        let s = get(conn, db, p)?;
        let (queued, conflicts) = outbox::counts(conn, p)?;
        type Row = (
            Option<bool>,
            Option<i64>,
            Option<String>,
            Option<i64>,
            i64,
            Option<i64>,
            Option<String>,
            Option<String>,
            Option<i64>,
            Option<String>,
        );
        let row: Option<Row> = conn
            .query_row(
                "SELECT online, last_success_at, last_error, last_error_at, paused_until,
                        last_pull_at, remote_summary, last_test, last_test_at, last_error_kind
                 FROM sync_platforms WHERE platform = ?1",
                [p.id()],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                        r.get(7)?,
                        r.get(8)?,
                        r.get(9)?,
                    ))
                },
            )
            .optional()?;
        let (online, ok_at, err, err_at, paused, pull_at, remote, test, test_at, err_kind) =
            row.unwrap_or((None, None, None, None, 0, None, None, None, None, None));
        let now = crate::store::now_ms();
        platforms.push(PlatformStatus {
            platform: p,
            enabled: s.enabled,
            configured: s.enabled && s.has_secret && !s.base_url.is_empty(),
            online,
            queued,
            conflicts,
            last_success_at: ok_at.map(from_ms),
            last_error: err,
            last_error_kind: err_kind,
            last_error_at: err_at.map(from_ms),
            paused_until: (paused > now).then(|| from_ms(paused)),
            last_pull_at: pull_at.map(from_ms),
            remote: remote.and_then(|t| serde_json::from_str::<RemoteSummary>(&t).ok()),
            allow_http: s.allow_http,
            last_test: test.and_then(|t| serde_json::from_str::<ConnectionTest>(&t).ok()),
            last_test_at: test_at.map(from_ms),
        });
    }
    Ok(SyncStatus {
        queued: platforms.iter().map(|p| p.queued).sum(),
        conflicts: platforms.iter().map(|p| p.conflicts).sum(),
        platforms,
    })
}

/// Records the outcome of a call: reached the server or not, error words, pause.
pub fn note(conn: &Connection, p: Platform, n: &Note) -> SyncResult<()> {
    ensure_row(conn, p)?;
    let now = crate::store::now_ms();
    match n {
        Note::Success => conn.execute(
            "UPDATE sync_platforms SET online = 1, last_attempt_at = ?2, last_success_at = ?2,
                    last_error = NULL, paused_until = 0 WHERE platform = ?1",
            params![p.id(), now],
        )?,
        // "Online" means the last call got a usable answer: any failure (a refused
        // connection, an untrusted certificate, a refused redirect, a 404, a refused
        // token, a 5xx, a 429) leaves the platform not online.
        Note::Failure {
            kind,
            message,
            pause_until,
        } => conn.execute(
            "UPDATE sync_platforms SET online = 0, last_attempt_at = ?2, last_error = ?3,
                    last_error_kind = ?5, last_error_at = ?2, paused_until = ?4
              WHERE platform = ?1",
            params![p.id(), now, message, pause_until, kind.as_str()],
        )?,
        Note::Reached => conn.execute(
            "UPDATE sync_platforms SET online = 1, last_attempt_at = ?2, last_success_at = ?2,
                    last_error = NULL, last_error_kind = NULL WHERE platform = ?1",
            params![p.id(), now],
        )?,
        Note::Pulled(summary) => conn.execute(
            "UPDATE sync_platforms SET last_pull_at = ?2, remote_summary = ?3 WHERE platform = ?1",
            params![
                p.id(),
                now,
                serde_json::to_string(summary).unwrap_or_default()
            ],
        )?,
    };
    Ok(())
}

pub enum Note {
    /// A call got a usable answer: online, the error cleared, the queue's pause ended.
    Success,
    /// "Test connection" was authorised: online and the error cleared, but a pause the
    /// queue is in (the platform's Retry-After, a backoff) stays.
    Reached,
    Failure {
        kind: super::http::CallErrorKind,
        message: String,
        pause_until: i64,
    },
    Pulled(RemoteSummary),
}

/// Stores a "Test connection" verdict (as the `ConnectionTest` JSON in `last_test`).
/// Authorised also marks the platform online (without ending a pause of its queue);
/// any other verdict but "not configured" leaves it not online.
pub fn note_test(conn: &Connection, t: &ConnectionTest) -> SyncResult<()> {
    let p = t.platform;
    ensure_row(conn, p)?;
    let now = crate::store::now_ms();
    conn.execute(
        "UPDATE sync_platforms SET last_test = ?2, last_test_at = ?3 WHERE platform = ?1",
        params![p.id(), serde_json::to_string(t).unwrap_or_default(), now],
    )?;
    match t.verdict {
        ConnectionVerdict::Authorised | ConnectionVerdict::Reachable => {
            note(conn, p, &Note::Reached)?
        }
        ConnectionVerdict::NotConfigured => {}
        _ => {
            conn.execute(
                "UPDATE sync_platforms SET online = 0, last_attempt_at = ?2 WHERE platform = ?1",
                params![p.id(), now],
            )?;
        }
    }
    Ok(())
}

pub fn paused_until(conn: &Connection, p: Platform) -> SyncResult<i64> {
    Ok(conn
        .query_row(
            "SELECT paused_until FROM sync_platforms WHERE platform = ?1",
            [p.id()],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(0))
}

/// Whether the platform's last pull is older than `every` (or there was none).
pub fn pull_due(conn: &Connection, p: Platform, every: std::time::Duration) -> SyncResult<bool> {
    let last: Option<i64> = conn
        .query_row(
            "SELECT last_pull_at FROM sync_platforms WHERE platform = ?1",
            [p.id()],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    Ok(last.is_none_or(|at| crate::store::now_ms() - at >= every.as_millis() as i64))
}

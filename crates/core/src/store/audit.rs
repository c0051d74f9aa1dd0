//! The audit log: every user action writes one entry in the same transaction as the
//! change it describes (who, when, what, on which subject).

use rusqlite::{params, Connection};

use super::{actor, now_ms, StoreError};

pub fn record(
    conn: &Connection,
    action: &str,
    subject: &str,
    detail: &serde_json::Value,
) -> Result<(), StoreError> {
    record_as(conn, &actor(), action, subject, detail)
}

/// As `record`, for actions done by a named staff member (the counter's operator).
pub fn record_as(
    conn: &Connection,
    who: &str,
    action: &str,
    subject: &str,
    detail: &serde_json::Value,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO audit_log (at, actor, action, subject, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![now_ms(), who, action, subject, detail.to_string()])?;
    Ok(())
}

//! Disables waiting for the hub (migration 22; docs/chain-mode.md, "Disables"): a code
//! disabled at a joined desk is queued in the disable's own transaction and removed in
//! the one that records the hub's answer.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection};

use super::StoreError;

/// One disable to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedDisable {
    pub code: String,
    pub staff: String,
    pub at: DateTime<Utc>,
}

/// Queues `code`'s disable when this desk is joined to a hub (in the caller's
/// transaction); nothing otherwise.
pub fn queue(conn: &Connection, code: &str, staff: &str, at_ms: i64) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO hub_disables (code, staff, at)
         SELECT ?1, ?2, ?3 WHERE EXISTS (SELECT 1 FROM hub_link)",
    )?
    .execute(params![code, staff, at_ms])?;
    Ok(())
}

/// The oldest `limit` queued disables.
pub fn queued(conn: &Connection, limit: u32) -> Result<Vec<QueuedDisable>, StoreError> {
    let mut st =
        conn.prepare_cached("SELECT code, staff, at FROM hub_disables ORDER BY at, code LIMIT ?1")?;
    let rows = st.query_map([limit], |r| {
        Ok(QueuedDisable {
            code: r.get(0)?,
            staff: r.get(1)?,
            at: DateTime::<Utc>::from_timestamp_millis(r.get(2)?).unwrap_or_default(),
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

pub fn count(conn: &Connection) -> Result<u64, StoreError> {
    let n: i64 = conn.query_row("SELECT count(*) FROM hub_disables", [], |r| r.get(0))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// The hub answered: the disable leaves the queue.
pub fn sent(conn: &Connection, code: &str) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM hub_disables WHERE code = ?1")?
        .execute([code])?;
    Ok(())
}

/// Not taken now (offline, or the hub lacks the code yet): tried again at the next push.
pub fn failed(conn: &Connection, code: &str, error: &str) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE hub_disables SET tries = tries + 1, last_error = ?2 WHERE code = ?1",
    )?
    .execute(params![code, error])?;
    Ok(())
}

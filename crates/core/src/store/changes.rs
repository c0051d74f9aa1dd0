//! The `changes` table: change records (`domain::change::Change`) waiting to be routed
//! to the platforms' outboxes by the sync layer.
//!
//! What must stay true:
//! - `append` is called inside the transaction that makes the change, so the change and
//!   its record commit or roll back together;
//! - records are read in id order and removed only by `remove_through`, which the router
//!   calls in the same transaction as the outbox rows it wrote for them: a record is
//!   routed exactly once, even if the process dies between any two statements.

use std::cell::Cell;

use rusqlite::{params, Connection};

use super::{now_ms, StoreError};
use crate::domain::change::Change;

thread_local! {
    /// Set when this thread appended a record since the last `take_appended`. Only a hint
    /// that saves the router's query after use cases that recorded nothing (a redemption
    /// of an issued code): a record whose hint is lost (a rolled-back write, another
    /// thread) is still routed, at the latest when the next sync run starts.
    static APPENDED: Cell<bool> = const { Cell::new(false) };
}

/// Appends one record, by `who` (the audit log's actor of the same change).
pub fn append(conn: &Connection, who: &str, change: &Change) -> Result<i64, StoreError> {
    let text = serde_json::to_string(change)
        .map_err(|e| StoreError::Sqlite(rusqlite::Error::ToSqlConversionFailure(Box::new(e))))?;
    conn.prepare_cached("INSERT INTO changes (change, actor, created_at) VALUES (?1, ?2, ?3)")?
        .execute(params![text, who, now_ms()])?;
    APPENDED.with(|a| a.set(true));
    Ok(conn.last_insert_rowid())
}

/// Whether this thread appended a record since the last call (and clears the mark).
pub fn take_appended() -> bool {
    APPENDED.with(|a| a.replace(false))
}

/// A record waiting to be routed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub id: i64,
    pub actor: String,
    pub change: Change,
}

/// Every waiting record, oldest first.
pub fn pending(conn: &Connection) -> Result<Vec<Pending>, StoreError> {
    let mut st = conn.prepare_cached("SELECT id, actor, change FROM changes ORDER BY id")?;
    let rows = st.query_map([], |r| {
        let text: String = r.get(2)?;
        let change = serde_json::from_str(&text).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(2, rusqlite::types::Type::Text, Box::new(e))
        })?;
        Ok(Pending {
            id: r.get(0)?,
            actor: r.get(1)?,
            change,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// Removes the records up to and including `id` (the ones just routed).
pub fn remove_through(conn: &Connection, id: i64) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM changes WHERE id <= ?1")?
        .execute([id])?;
    Ok(())
}

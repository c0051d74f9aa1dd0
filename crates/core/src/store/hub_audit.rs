//! The desk's side of the audit trail's upload to the hub (docs/chain-mode.md, "The audit
//! trail at the hub"): the cursor (`hub_link.audit_sent_id`, migration 28: the last id the
//! hub took) and the entries after it, read as they are stored.
//!
//! What must stay true: the cursor moves only to an id the hub said it holds (taken now or
//! identical already), so a crash anywhere sends the same entries again, never skips one.

use rusqlite::{params, Connection, OptionalExtension};

use super::audit::{lossy_int, lossy_text, GENESIS};
use super::StoreError;

/// One local entry as stored, with the stored hash of the entry before it (`GENESIS` for
/// the first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub terminal: String,
    pub action: String,
    pub subject: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The last id the hub took (0: none, or not joined).
pub fn cursor(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn
        .query_row("SELECT audit_sent_id FROM hub_link WHERE id = 1", [], |r| {
            r.get(0)
        })
        .optional()?
        .unwrap_or(0))
}

/// Sets the cursor to `id` (the join: where this hub's chain of the terminal ends).
pub fn set_cursor(conn: &Connection, id: i64) -> Result<(), StoreError> {
    conn.execute("UPDATE hub_link SET audit_sent_id = ?1 WHERE id = 1", [id])?;
    Ok(())
}

/// Moves the cursor forward to `id`, never back: two uploads of one desk at once (the
/// window's and the CLI's) may answer out of order.
pub fn advance_cursor(conn: &Connection, id: i64) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE hub_link SET audit_sent_id = max(audit_sent_id, ?1) WHERE id = 1",
        [id],
    )?;
    Ok(())
}

/// Entries not sent yet: up to `limit` above `after`, in id order, each with the hash
/// stored on the entry before it.
pub fn after(conn: &Connection, after: i64, limit: i64) -> Result<Vec<Stored>, StoreError> {
    let mut prev: String = if after <= 0 {
        GENESIS.to_owned()
    } else {
        conn.query_row(
            "SELECT hash FROM audit_log WHERE id <= ?1 ORDER BY id DESC LIMIT 1",
            [after],
            |r| lossy_text(r, 0),
        )
        .optional()?
        .unwrap_or_default()
    };
    let mut st = conn.prepare_cached(
        "SELECT id, at, actor, terminal, action, subject, detail, hash
           FROM audit_log WHERE id > ?1 ORDER BY id LIMIT ?2",
    )?;
    let mut rows = st.query(params![after, limit])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let hash = lossy_text(r, 7)?;
        out.push(Stored {
            id: r.get(0)?,
            at: lossy_int(r, 1)?,
            actor: lossy_text(r, 2)?,
            terminal: lossy_text(r, 3)?,
            action: lossy_text(r, 4)?,
            subject: lossy_text(r, 5)?,
            detail: lossy_text(r, 6)?,
            prev_hash: std::mem::replace(&mut prev, hash.clone()),
            hash,
        });
    }
    Ok(out)
}

/// Entries above the cursor: what the next push will send.
pub fn unsent(conn: &Connection) -> Result<i64, StoreError> {
    let c = cursor(conn)?;
    Ok(
        conn.query_row("SELECT count(*) FROM audit_log WHERE id > ?1", [c], |r| {
            r.get(0)
        })?,
    )
}

/// The last upload's refusal as the desk wrote it (`hub_link.audit_refusal`, migration
/// 30): JSON text, or None when that upload went to the end (or never ran).
pub fn refusal(conn: &Connection) -> Result<Option<String>, StoreError> {
    Ok(conn
        .query_row("SELECT audit_refusal FROM hub_link WHERE id = 1", [], |r| {
            r.get(0)
        })
        .optional()?
        .flatten())
}

/// Keeps the answer of the upload that just ran: its refusal, or None (it went to the end).
pub fn set_refusal(conn: &Connection, json: Option<&str>) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE hub_link SET audit_refusal = ?1 WHERE id = 1",
        [json],
    )?;
    Ok(())
}

//! How far each batch's codes have reached the hub (migration 24; docs/chain-mode.md,
//! "Changes between desks"): codes added to a batch the hub already has (a second
//! import, a generation) go up at the next pull, and only those.
//!
//! What must stay true: a batch's codes are added in seq order without gaps, so every
//! code with seq below `upto_seq` is at the hub; a mark only moves to a `next_seq` read
//! before the codes below it were sent (or, for a download, when nothing of this desk's
//! own was waiting below it).

use rusqlite::{params, Connection, OptionalExtension};

use super::{code_id, StoreError};
use crate::domain::lifecycle::CodeStatus;

/// A local batch and what of it the hub has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchMark {
    pub id: i64,
    pub ticket_type: String,
    pub name: String,
    /// The seq its next code gets.
    pub next_seq: i64,
    /// Codes below it are at the hub; None: never sent (sent whole).
    pub sent_upto: Option<i64>,
}

impl BatchMark {
    /// Whether some of its codes have not been sent.
    pub fn unsent(&self) -> bool {
        self.sent_upto.is_none_or(|s| s < self.next_seq)
    }
}

pub fn marks(conn: &Connection) -> Result<Vec<BatchMark>, StoreError> {
    let mut st = conn.prepare_cached(
        "SELECT b.id, b.ticket_type, b.name, b.next_seq, s.upto_seq
           FROM batches b LEFT JOIN hub_batch_sent s ON s.batch_id = b.id
          ORDER BY b.id",
    )?;
    let rows = st.query_map([], |r| {
        Ok(BatchMark {
            id: r.get(0)?,
            ticket_type: r.get(1)?,
            name: r.get(2)?,
            next_seq: r.get(3)?,
            sent_upto: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Each live code of the batch from seq `from` on, with its status, in seq order; the
/// batch's `next_seq` as it was read (the mark to set once they are sent).
pub fn for_each_code_from(
    conn: &Connection,
    batch_id: i64,
    from: i64,
    f: &mut dyn FnMut(&str, CodeStatus),
) -> Result<i64, StoreError> {
    let next_seq: i64 = conn.query_row(
        "SELECT next_seq FROM batches WHERE id = ?1",
        [batch_id],
        |r| r.get(0),
    )?;
    let mut st =
        conn.prepare("SELECT code, status FROM codes WHERE id >= ?1 AND id < ?2 ORDER BY id")?;
    let mut rows = st.query(params![
        code_id(batch_id, from.max(1)),
        code_id(batch_id, next_seq)
    ])?;
    while let Some(r) = rows.next()? {
        let code: String = r.get(0)?;
        let status = CodeStatus::from_db(r.get(1)?).unwrap_or(CodeStatus::Issued);
        f(&code, status);
    }
    Ok(next_seq)
}

/// The codes below `upto` are at the hub.
pub fn set_sent(conn: &Connection, batch_id: i64, upto: i64) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO hub_batch_sent (batch_id, upto_seq) VALUES (?1, ?2)
         ON CONFLICT (batch_id) DO UPDATE SET upto_seq = max(upto_seq, excluded.upto_seq)",
    )?
    .execute(params![batch_id, upto])?;
    Ok(())
}

/// After a download added the hub's codes at seqs `before..after`: they are the hub's,
/// so the mark follows them, but only when nothing of this desk's own waited below
/// `before` (the mark was at `before`), or the batch is new here. Otherwise the next
/// upload sends them with the desk's own (the hub skips what it has).
pub fn downloaded(
    conn: &Connection,
    batch_id: i64,
    before: Option<i64>,
    after: i64,
) -> Result<(), StoreError> {
    let mark: Option<i64> = conn
        .prepare_cached("SELECT upto_seq FROM hub_batch_sent WHERE batch_id = ?1")?
        .query_row([batch_id], |r| r.get(0))
        .optional()?;
    let follows = match (before, mark) {
        (None, None) => true,
        (Some(b), Some(m)) => m >= b,
        _ => false,
    };
    if follows {
        set_sent(conn, batch_id, after)?;
    }
    Ok(())
}

/// The batch's id and `next_seq`, when this database has it.
pub fn next_seq_of(conn: &Connection, ticket_type: &str) -> Result<Option<(i64, i64)>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT id, next_seq FROM batches WHERE ticket_type = ?1")?
        .query_row([ticket_type], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

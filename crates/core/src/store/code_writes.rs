//! Writes to the `codes` table other than the counter's (store/redemptions.rs): adding a
//! batch's codes (import, generation) and moving many codes of a batch between two
//! statuses at once (activation on an outside channel and its undoing).
//!
//! What must stay true:
//! - a code is unique across the database, bonus codes included (`CodeAdder::add`);
//! - every status move is one the lifecycle allows (`CodeStatus::transition`), changes
//!   `batch_counts` in the same transaction, and is audited once per request.

use std::collections::HashSet;

use rusqlite::{params, CachedStatement, Connection, OptionalExtension, Transaction};

use super::batches::add_count;
use super::{code_id, now_ms, StoreError};
use crate::domain::lifecycle::{CodeStatus, IllegalTransition};

/// Adds codes to a batch, in the caller's transaction (one chunk of an import or a
/// generation run). Codes get their ids from the caller, who owns the batch's sequence.
pub struct CodeAdder<'tx> {
    conn: &'tx Connection,
    insert: CachedStatement<'tx>,
    run_id: i64,
}

impl<'tx> CodeAdder<'tx> {
    pub fn new(conn: &'tx Connection, run_id: i64) -> Result<CodeAdder<'tx>, StoreError> {
        let insert = conn.prepare_cached(
            "INSERT INTO codes (id, code, run_id) VALUES (?1, ?2, ?3)
             ON CONFLICT (code) DO NOTHING",
        )?;
        Ok(CodeAdder {
            conn,
            insert,
            run_id,
        })
    }

    /// Adds `code` as `id`, issued; false when the code is taken (by a code or a bonus),
    /// and then nothing was written and `id` is still free.
    pub fn add(&mut self, id: i64, code: &str) -> Result<bool, StoreError> {
        // Only 11 capital letters can be a bonus's code, so other codes skip the lookup.
        if crate::domain::bonus::is_code(code) && super::bonuses::code_exists(self.conn, code)? {
            return Ok(false);
        }
        if self.insert.execute(params![id, code, self.run_id])? == 1 {
            return Ok(true);
        }
        // A code left only by a run being undone is free: its row goes now.
        if super::run_undo::release_doomed(self.conn, code)? {
            return Ok(self.insert.execute(params![id, code, self.run_id])? == 1);
        }
        Ok(false)
    }
}

/// Which codes of a batch a move is about.
#[derive(Debug, Clone, Copy)]
pub enum Selection<'a> {
    /// Every code of the batch that is in the `from` status.
    WholeBatch,
    /// These codes (trimmed; blanks and repeats ignored).
    Named(&'a [String]),
}

/// A code a move left as it was, and why: `unknown`, `not_in_batch`, `final`,
/// `already_active`, `not_active`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skip {
    pub code: String,
    pub reason: &'static str,
}

/// What a move did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Moved {
    pub batch_id: i64,
    /// (id, code) of each code moved, in id order for a whole batch, else as named.
    pub changed: Vec<(i64, String)>,
    /// The first `skips_kept` skips.
    pub skipped: Vec<Skip>,
    pub skipped_total: u64,
}

/// How a move is audited: the action, and what else the entry says (`detail` gets the
/// counts added).
pub struct MoveAudit<'a> {
    pub action: &'a str,
    pub detail: serde_json::Value,
}

/// Moves the selected codes of batch `ticket_type` from `from` to `to`, in the caller's
/// transaction, with the batch counts and one audit entry. None: no such batch.
pub fn move_status<E>(
    tx: &Transaction<'_>,
    ticket_type: &str,
    selection: Selection<'_>,
    (from, to): (CodeStatus, CodeStatus),
    skips_kept: usize,
    audit: MoveAudit<'_>,
) -> Result<Option<Moved>, E>
where
    E: From<StoreError> + From<IllegalTransition>,
{
    let to = from.transition(to)?;
    let ticket_type = ticket_type.trim();
    let batch: Option<(i64, i64)> = tx
        .query_row(
            "SELECT id, next_seq FROM batches WHERE ticket_type = ?1",
            [ticket_type],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .map_err(StoreError::from)?;
    let Some((batch_id, next_seq)) = batch else {
        return Ok(None);
    };
    let mut moved = Moved {
        batch_id,
        ..Moved::default()
    };
    match selection {
        Selection::WholeBatch => whole_batch(tx, batch_id, next_seq, from, to, &mut moved)?,
        Selection::Named(codes) => named(tx, codes, (from, to), skips_kept, &mut moved)?,
    }
    let n = moved.changed.len() as i64;
    add_count(tx, batch_id, from, -n)?;
    add_count(tx, batch_id, to, n)?;
    let mut detail = audit.detail;
    if let Some(d) = detail.as_object_mut() {
        d.insert("queued".into(), n.into());
        d.insert("skipped".into(), moved.skipped_total.into());
        d.insert(
            "wholeBatch".into(),
            matches!(selection, Selection::WholeBatch).into(),
        );
    }
    super::audit::record(tx, audit.action, ticket_type, &detail)?;
    Ok(Some(moved))
}

/// The whole batch: its codes are one id range (store/mod.rs).
fn whole_batch(
    tx: &Transaction<'_>,
    batch_id: i64,
    next_seq: i64,
    from: CodeStatus,
    to: CodeStatus,
    moved: &mut Moved,
) -> Result<(), StoreError> {
    let mut st = tx.prepare(
        "UPDATE codes SET status = ?3, updated_at = ?4
          WHERE id >= ?1 AND id < ?2 AND status = ?5 RETURNING id, code",
    )?;
    let rows = st.query_map(
        params![
            code_id(batch_id, 1),
            code_id(batch_id, next_seq),
            to.to_db(),
            now_ms(),
            from.to_db()
        ],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    for r in rows {
        moved.changed.push(r?);
    }
    moved.changed.sort_unstable();
    Ok(())
}

fn named(
    tx: &Transaction<'_>,
    codes: &[String],
    (from, to): (CodeStatus, CodeStatus),
    skips_kept: usize,
    moved: &mut Moved,
) -> Result<(), StoreError> {
    // A code at or above its batch's next_seq is a run's being undone: unknown.
    let mut find = tx.prepare_cached(
        "SELECT c.id, c.status FROM codes c JOIN batches b ON b.id = (c.id >> 32)
          WHERE c.code = ?1 AND (c.id & 0xFFFFFFFF) < b.next_seq",
    )?;
    let mut set =
        tx.prepare_cached("UPDATE codes SET status = ?2, updated_at = ?3 WHERE id = ?1")?;
    let now = now_ms();
    let mut seen = HashSet::new();
    for code in codes.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
        if !seen.insert(code) {
            continue;
        }
        let found: Option<(i64, i64)> = find
            .query_row([code], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let reason = match found {
            None => "unknown",
            Some((id, _)) if id >> 32 != moved.batch_id => "not_in_batch",
            Some((id, s)) if s == from.to_db() => {
                set.execute(params![id, to.to_db(), now])?;
                moved.changed.push((id, code.to_owned()));
                continue;
            }
            Some((_, s)) if CodeStatus::from_db(s).is_some_and(|s| s.is_final()) => "final",
            Some(_) if to == CodeStatus::Active => "already_active",
            Some(_) => "not_active",
        };
        moved.skipped_total += 1;
        if moved.skipped.len() < skips_kept {
            moved.skipped.push(Skip {
                code: code.to_owned(),
                reason,
            });
        }
    }
    Ok(())
}

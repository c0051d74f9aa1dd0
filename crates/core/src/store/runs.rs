//! `code_runs` and `code_run_issues`: an import or a generation into a batch, from its
//! start to done, cancelled or interrupted.
//!
//! A run appends codes with seq >= its `first_seq`; only one run per batch runs at a time
//! (its process holds the batch's lock file), so undoing a run is putting `next_seq`
//! back and deleting the tail of the batch from `first_seq` on: in chunks, see
//! `run_undo`.

use std::path::Path;
use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};

use super::locks::BatchLock;
use super::run_undo;
use super::{batches, now_ms, StoreError};
use crate::domain::run::RunState;
use crate::domain::{BatchName, CodeStatus, TicketType};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunKind {
    Import,
    Generate,
}

impl RunKind {
    fn as_str(self) -> &'static str {
        match self {
            RunKind::Import => "import",
            RunKind::Generate => "generate",
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunCounts {
    pub rows_read: u64,
    pub imported: u64,
    pub skipped_duplicate: u64,
    pub skipped_invalid: u64,
}

/// A started run, with the batch lock that makes it the batch's only one.
#[derive(Debug)]
pub struct Claim {
    pub run_id: i64,
    pub batch_id: i64,
    pub first_seq: i64,
    _lock: BatchLock,
}

/// Starts a run into an existing batch.
pub fn claim_existing(
    conn: &mut Connection,
    db: &Path,
    ticket_type: &str,
    kind: RunKind,
    source: Option<&str>,
) -> Result<Claim, StoreError> {
    let key = batches::key(conn, ticket_type)?;
    let lock = BatchLock::try_acquire(db, key.id)?
        .ok_or_else(|| StoreError::BatchBusy(ticket_type.to_owned()))?;
    // Holding the lock, any run still `running` here is dead: take it out of sight, and
    // give its (or an earlier) cleanup a moment to finish.
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    mark_dead(&tx, key.id)?;
    tx.commit()?;
    run_undo::wait_for_batch(conn, db, key.id, CLEANUP_WAIT)?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let (run_id, first_seq) = start(&tx, key.id, kind, source, false)?;
    tx.commit()?;
    Ok(Claim {
        run_id,
        batch_id: key.id,
        first_seq,
        _lock: lock,
    })
}

/// Creates a batch and starts a run into it, in one transaction; undoing the run
/// removes the batch again.
pub fn claim_new(
    conn: &mut Connection,
    db: &Path,
    ticket_type: &TicketType,
    name: &BatchName,
    kind: RunKind,
    source: Option<&str>,
) -> Result<Claim, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let batch_id = batches::insert(&tx, ticket_type, name)?;
    // Taken before the run is visible, so no other process can take it for dead.
    let lock = BatchLock::try_acquire(db, batch_id)?
        .ok_or_else(|| StoreError::BatchBusy(ticket_type.as_str().to_owned()))?;
    let (run_id, first_seq) = start(&tx, batch_id, kind, source, true)?;
    tx.commit()?;
    Ok(Claim {
        run_id,
        batch_id,
        first_seq,
        _lock: lock,
    })
}

/// Undoes a run (cancel, or an error part-way): takes its codes out of sight in one
/// short transaction, then deletes them chunk by chunk behind the counter
/// (`run_undo`), so the caller returns with the run fully undone.
pub fn abandon(
    conn: &mut Connection,
    db: &Path,
    run_id: i64,
    state: RunState,
) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    run_undo::mark(&tx, run_id, state)?;
    tx.commit()?;
    run_undo::drain(conn, db, Some(run_id), None)?;
    Ok(())
}

/// How long a new run waits for the cleanup of an earlier run into its batch before it
/// is refused with `batch_cleaning_up`: small cleanups finish meanwhile.
const CLEANUP_WAIT: Duration = Duration::from_secs(3);

/// The highest seq a batch can hold: ids keep the seq in their low 32 bits.
pub const MAX_SEQ: i64 = 0xFFFF_FFFF;

/// Takes the runs of this batch that a dead process left out of sight, inside `tx`
/// (which must hold the batch's lock file, so none of them is alive).
fn mark_dead(tx: &Transaction<'_>, batch_id: i64) -> Result<(), StoreError> {
    let dead: Vec<i64> = tx
        .prepare("SELECT id FROM code_runs WHERE batch_id = ?1 AND state = 'running'")?
        .query_map([batch_id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for run in dead {
        run_undo::mark(tx, run, RunState::Interrupted)?;
    }
    Ok(())
}

/// Starts a run inside `tx` (which must hold the batch's lock file, and have marked the
/// runs a dead process left: `mark_dead`): refused while an earlier run's codes are
/// still being deleted, as its seqs would collide with the new ones. Returns its id.
fn start(
    tx: &Transaction<'_>,
    batch_id: i64,
    kind: RunKind,
    source: Option<&str>,
    created_batch: bool,
) -> Result<(i64, i64), StoreError> {
    mark_dead(tx, batch_id)?;
    if run_undo::pending(tx, batch_id)? {
        return Err(StoreError::BatchCleaningUp(ticket_type_of(tx, batch_id)?));
    }
    let key = batches::key_by_id(tx, batch_id)?
        .ok_or_else(|| StoreError::BatchNotFound(format!("#{batch_id}")))?;
    tx.execute(
        "INSERT INTO code_runs (batch_id, kind, state, created_batch, source, first_seq, actor, started_at)
         VALUES (?1, ?2, 'running', ?3, ?4, ?5, ?6, ?7)",
        params![batch_id, kind.as_str(), created_batch, source, key.next_seq, super::actor(), now_ms()],
    )?;
    Ok((tx.last_insert_rowid(), key.next_seq))
}

/// Records a chunk's outcome: the batch's next seq and counts, and the run's counters.
pub fn save_chunk(
    tx: &Transaction<'_>,
    run_id: i64,
    batch_id: i64,
    next_seq: i64,
    added: u64,
    totals: RunCounts,
) -> Result<(), StoreError> {
    batches::set_next_seq(tx, batch_id, next_seq)?;
    batches::add_count(tx, batch_id, CodeStatus::Issued, added as i64)?;
    tx.prepare_cached(
        "UPDATE code_runs SET rows_read = ?2, imported = ?3, skipped_duplicate = ?4,
           skipped_invalid = ?5 WHERE id = ?1",
    )?
    .execute(params![
        run_id,
        totals.rows_read as i64,
        totals.imported as i64,
        totals.skipped_duplicate as i64,
        totals.skipped_invalid as i64
    ])?;
    Ok(())
}

pub fn add_issue(
    tx: &Transaction<'_>,
    run_id: i64,
    line: u64,
    kind: &str,
    value: &str,
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT OR REPLACE INTO code_run_issues (run_id, line, kind, value) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![run_id, line as i64, kind, value])?;
    Ok(())
}

/// The ticket type of the batch a run went into; RunNotFound when there is no such run.
pub fn ticket_type_of_run(conn: &Connection, run_id: i64) -> Result<String, StoreError> {
    conn.query_row(
        "SELECT b.ticket_type FROM code_runs r JOIN batches b ON b.id = r.batch_id WHERE r.id = ?1",
        [run_id],
        |r| r.get(0),
    )
    .optional()?
    .ok_or(StoreError::RunNotFound(run_id))
}

/// Every row a run did not import (line, kind as `RowIssueKind::as_str`, value as read),
/// in file order.
pub fn for_each_issue<E: From<StoreError>>(
    conn: &Connection,
    run_id: i64,
    f: &mut dyn FnMut(u64, &str, &str) -> Result<(), E>,
) -> Result<(), E> {
    let mut stmt = conn
        .prepare("SELECT line, kind, value FROM code_run_issues WHERE run_id = ?1 ORDER BY line")
        .map_err(StoreError::from)?;
    let mut rows = stmt.query([run_id]).map_err(StoreError::from)?;
    while let Some(r) = rows.next().map_err(StoreError::from)? {
        let line: i64 = r.get(0).map_err(StoreError::from)?;
        let kind: String = r.get(1).map_err(StoreError::from)?;
        let value: String = r.get(2).map_err(StoreError::from)?;
        f(line.max(0) as u64, &kind, &value)?;
    }
    Ok(())
}

pub fn finish(conn: &mut Connection, run_id: i64) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let (batch_id, kind, counts) = tx.query_row(
        "SELECT batch_id, kind, rows_read, imported, skipped_duplicate, skipped_invalid
         FROM code_runs WHERE id = ?1",
        [run_id],
        |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                serde_json::json!({
                    "run": run_id,
                    "rows_read": r.get::<_, i64>(2)?,
                    "imported": r.get::<_, i64>(3)?,
                    "skipped_duplicate": r.get::<_, i64>(4)?,
                    "skipped_invalid": r.get::<_, i64>(5)?,
                }),
            ))
        },
    )?;
    tx.execute(
        "UPDATE code_runs SET state = 'done', finished_at = ?2 WHERE id = ?1",
        params![run_id, now_ms()],
    )?;
    let ticket_type = ticket_type_of(&tx, batch_id)?;
    super::audit::record(&tx, &format!("codes.{kind}"), &ticket_type, &counts)?;
    tx.commit()?;
    Ok(())
}

/// The ticket type the audit log names a batch by.
fn ticket_type_of(conn: &Connection, batch_id: i64) -> Result<String, StoreError> {
    Ok(conn.query_row(
        "SELECT ticket_type FROM batches WHERE id = ?1",
        [batch_id],
        |r| r.get(0),
    )?)
}

/// Undoes, in their own transactions, the runs whose process died (their batch's lock
/// is free). Runs still owned by a live process are left alone.
pub fn recover_interrupted(conn: &mut Connection, db: &Path) -> Result<usize, StoreError> {
    let running: Vec<(i64, i64)> = conn
        .prepare("SELECT id, batch_id FROM code_runs WHERE state = 'running'")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut undone = 0;
    for (run_id, batch_id) in running {
        let Some(_lock) = BatchLock::try_acquire(db, batch_id)? else {
            continue;
        };
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let still: bool = tx
            .query_row(
                "SELECT state = 'running' FROM code_runs WHERE id = ?1",
                [run_id],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(false);
        if still {
            run_undo::mark(&tx, run_id, RunState::Interrupted)?;
            undone += 1;
        }
        tx.commit()?;
    }
    Ok(undone)
}

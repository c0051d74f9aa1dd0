//! Undoing a run (interrupted by a dead process, cancelled, or failed part-way) without
//! holding the database: one short transaction takes the run's codes out of sight, then
//! the rows go in small chunks, each its own transaction, behind the counter.
//!
//! 1. `mark` (short, one transaction): the run gets its final state; the batch's counts
//!    lose what the run added, its `next_seq` goes back to the run's `first_seq` and its
//!    `indexed_seq` to at most that; the run keeps in `undo_to_seq` where the rows still
//!    to delete end. From then on the run's codes are "doomed": every read of `codes`
//!    is bounded by its batch's `next_seq` (lists, counts, searches, export, the counter,
//!    sync), so none of them sees a doomed code, and the counts are already right.
//! 2. `chunk` (one transaction each): deletes the top seqs left of the oldest pending
//!    run (as many as `Pace` finds fit in about 5 ms), their search entries first
//!    (`code_trigrams::forget_ids`), and moves `undo_to_seq` down. The last one clears it and removes the batch if the run made
//!    it. A kill at any moment loses nothing: progress is in the database, and the next
//!    process continues.
//!
//! Who runs the chunks: `Undoer`, a thread of every Desk (the app's, and each CLI
//! process's while it lives), only one process at a time (`<db>.locks/undo.lock`); a
//! cancelled run's own process (`drain`); a new run into the batch waits up to 3 s
//! (`wait_for_batch`) and is refused with `batch_cleaning_up` if it is not done.
//!
//! What must stay true: while a run's cleanup is pending no other run goes into its
//! batch (the doomed seqs would collide with new ones), and a doomed code is free for
//! any other batch (`release_doomed`: an import or generation deletes it in its own
//! transaction).

use std::path::Path;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};

use super::code_trigrams;
use super::counter_lane::GiveWay;
use super::locks::NamedLock;
use super::{batches, code_id, now_ms, StoreError};
use crate::domain::run::RunState;
use crate::domain::CodeStatus;

/// Seqs a chunk deletes to begin with (and what `mark` deletes at once). Each deleted row
/// dirties a random page of the unique-code index and adds search tombstones, so a
/// chunk's time grows with its rows and with the machine's load: `Pace` sizes the next
/// chunks from how long the last one took (`coupondesk-bench undo`, docs/benchmarks.md).
pub const CHUNK: i64 = 500;
/// What `Pace` keeps one chunk's transaction under: a redemption that arrives just
/// after a chunk began waits for it (the give-way check is between chunks).
const TARGET: Duration = Duration::from_millis(5);
const MIN_CHUNK: i64 = 50;
const MAX_CHUNK: i64 = 4_000;
/// How often an idle `Undoer` looks for runs left by a dead process.
const IDLE: Duration = Duration::from_secs(2);
/// How often a new run waiting for another process's cleanup looks again.
const WATCH: Duration = Duration::from_millis(50);
/// `<db>.locks/undo.lock`: held by the one process deleting doomed codes.
const UNDO_LOCK: &str = "undo";

/// A run whose codes are still to be deleted.
struct Doomed {
    run_id: i64,
    batch_id: i64,
    first_seq: i64,
    /// Seqs `first_seq..to_seq` may still have rows.
    to_seq: i64,
    /// Seqs `first_seq..indexed_seq` are in the search index.
    indexed_seq: i64,
    created_batch: bool,
}

/// Step 1, inside the caller's (short) transaction: gives the run `state`, takes its
/// codes out of the batch's counts and sight, and records what is left to delete. A run
/// that added at most one chunk is deleted at once, so small undos finish here.
pub fn mark(tx: &Transaction<'_>, run_id: i64, state: RunState) -> Result<(), StoreError> {
    let Some((batch_id, first_seq, created_batch, kind)) = tx
        .query_row(
            "SELECT batch_id, first_seq, created_batch, kind FROM code_runs WHERE id = ?1",
            [run_id],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, bool>(2)?,
                    r.get::<_, String>(3)?,
                ))
            },
        )
        .optional()?
    else {
        return Ok(());
    };
    let Some(key) = batches::key_by_id(tx, batch_id)? else {
        return Ok(());
    };
    let to_seq = key.next_seq.max(first_seq);
    subtract_counts(tx, batch_id, first_seq, to_seq)?;
    tx.execute(
        "UPDATE batches SET next_seq = ?2, indexed_seq = min(indexed_seq, ?2) WHERE id = ?1",
        params![batch_id, first_seq],
    )?;
    let doomed = Doomed {
        run_id,
        batch_id,
        first_seq,
        to_seq,
        indexed_seq: key.indexed_seq.clamp(first_seq, to_seq),
        created_batch,
    };
    tx.execute(
        "UPDATE code_runs SET state = ?2, finished_at = ?3, undo_to_seq = ?4,
           undo_indexed_seq = ?5 WHERE id = ?1",
        params![
            run_id,
            state.as_str(),
            now_ms(),
            doomed.to_seq,
            doomed.indexed_seq
        ],
    )?;
    let ticket_type: String = tx.query_row(
        "SELECT ticket_type FROM batches WHERE id = ?1",
        [batch_id],
        |r| r.get(0),
    )?;
    super::audit::record(
        tx,
        &format!("codes.{kind}.{}", state.as_str()),
        &ticket_type,
        &serde_json::json!({ "run": run_id, "removed_batch": created_batch }),
    )?;
    if to_seq - first_seq <= CHUNK {
        delete_top(tx, &doomed, CHUNK)?;
    }
    Ok(())
}

/// Takes the codes with seq in `first..to` out of the batch's counts, per status. Seqs
/// below `next_seq` have no gaps (store/mod.rs), so the issued ones are the rest once
/// the others are counted on the partial status index (a few rows, not millions).
fn subtract_counts(
    tx: &Transaction<'_>,
    batch_id: i64,
    first: i64,
    to: i64,
) -> Result<(), StoreError> {
    if to <= first {
        return Ok(());
    }
    let (lo, hi) = (code_id(batch_id, first), code_id(batch_id, to - 1));
    let mut others = 0i64;
    for status in CodeStatus::ALL
        .into_iter()
        .filter(|s| *s != CodeStatus::Issued)
    {
        let n: i64 = tx
            .prepare_cached(
                "SELECT count(*) FROM codes
                  WHERE status = ?1 AND status <> 0 AND id BETWEEN ?2 AND ?3",
            )?
            .query_row(params![status.to_db(), lo, hi], |r| r.get(0))?;
        batches::add_count(tx, batch_id, status, -n)?;
        others += n;
    }
    // Clamped: should the rows ever disagree with the seqs, the open that marks the run
    // must still succeed (a CHECK failure here would refuse the database for good).
    tx.prepare_cached(
        "UPDATE batch_counts SET n = max(0, n - ?3) WHERE batch_id = ?1 AND status = ?2",
    )?
    .execute(params![
        batch_id,
        CodeStatus::Issued.to_db(),
        (to - first - others).max(0)
    ])?;
    Ok(())
}

/// Trigrams whose rows of one index chunk a step forgets: a few milliseconds of seeks.
const FORGET_TRIS: usize = 4096;

/// Deletes the top `size` seqs left of `d` (search entries first), and records the
/// progress; the last chunk ends the cleanup and removes a batch the run created.
fn delete_top(tx: &Transaction<'_>, d: &Doomed, size: i64) -> Result<(), StoreError> {
    let lo = (d.to_seq - size.max(1)).max(d.first_seq);
    // Seqs of the run from `indexed` up have no search entries left after this step. The
    // rows and the index entries go at their own pace: the index part may outlast the rows.
    let mut indexed = d.indexed_seq;
    if d.indexed_seq > d.first_seq {
        indexed = match code_trigrams::last_chunk_below(tx, d.batch_id, d.indexed_seq)? {
            // An index chunk of the run's own (an import indexes as it goes): forgotten
            // in steps of FORGET_TRIS trigrams, one per transaction; forgetting it in one
            // held the write lock for about 0.2 s (docs/benchmarks.md).
            Some((start, end)) if start >= d.first_seq && end > d.first_seq => {
                if code_trigrams::forget_chunk_step(tx, d.batch_id, start, FORGET_TRIS)? {
                    start
                } else {
                    d.indexed_seq
                }
            }
            // A chunk that began before the run: rebuilt without the run's part, once.
            Some((_, end)) if end > d.first_seq => {
                code_trigrams::forget_ids(
                    tx,
                    code_id(d.batch_id, d.first_seq),
                    code_id(d.batch_id, end - 1),
                )?;
                d.first_seq
            }
            _ => d.first_seq,
        };
    }
    if d.to_seq > lo {
        tx.prepare_cached("DELETE FROM codes WHERE id BETWEEN ?1 AND ?2")?
            .execute(params![
                code_id(d.batch_id, lo),
                code_id(d.batch_id, d.to_seq - 1)
            ])?;
    }
    // Not done while rows or index entries of the run are left.
    if lo > d.first_seq || indexed > d.first_seq {
        tx.prepare_cached(
            "UPDATE code_runs SET undo_to_seq = ?2, undo_indexed_seq = min(undo_indexed_seq, ?3)
              WHERE id = ?1",
        )?
        .execute(params![d.run_id, lo, indexed])?;
        return Ok(());
    }
    tx.prepare_cached(
        "UPDATE code_runs SET undo_to_seq = NULL, undo_indexed_seq = NULL WHERE id = ?1",
    )?
    .execute([d.run_id])?;
    if d.created_batch {
        tx.execute("DELETE FROM batches WHERE id = ?1", [d.batch_id])?;
    }
    Ok(())
}

/// Step 2: one chunk of `CHUNK` seqs of the oldest pending cleanup (of `run` only, if
/// given), in its own transaction. False when there was nothing left to do.
pub fn chunk(conn: &mut Connection, run: Option<i64>) -> Result<bool, StoreError> {
    chunk_of(conn, run, CHUNK)
}

/// How big the next chunk is: doubled while chunks take under half of `TARGET`, halved
/// when one takes longer, within `MIN_CHUNK..=MAX_CHUNK`.
struct Pace {
    size: i64,
}

impl Pace {
    fn new() -> Pace {
        Pace { size: CHUNK }
    }

    /// Runs one chunk of the next size and learns from its time.
    fn chunk(&mut self, conn: &mut Connection, run: Option<i64>) -> Result<bool, StoreError> {
        let start = Instant::now();
        let more = chunk_of(conn, run, self.size)?;
        let took = start.elapsed();
        if took > TARGET {
            self.size = (self.size / 2).max(MIN_CHUNK);
        } else if took < TARGET / 2 {
            self.size = (self.size * 2).min(MAX_CHUNK);
        }
        Ok(more)
    }
}

fn chunk_of(conn: &mut Connection, run: Option<i64>, size: i64) -> Result<bool, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let doomed = tx
        .prepare_cached(
            "SELECT id, batch_id, first_seq, undo_to_seq, coalesce(undo_indexed_seq, first_seq),
                    created_batch
               FROM code_runs WHERE undo_to_seq IS NOT NULL AND (?1 IS NULL OR id = ?1)
              ORDER BY id LIMIT 1",
        )?
        .query_row([run], |r| {
            Ok(Doomed {
                run_id: r.get(0)?,
                batch_id: r.get(1)?,
                first_seq: r.get(2)?,
                to_seq: r.get(3)?,
                indexed_seq: r.get(4)?,
                created_batch: r.get(5)?,
            })
        })
        .optional()?;
    let Some(d) = doomed else {
        return Ok(false);
    };
    delete_top(&tx, &d, size)?;
    tx.commit()?;
    Ok(true)
}

/// Runs chunks (of `run` only, if given) until none is left or `budget` has passed,
/// giving way to the counter before each. True when nothing is left.
pub fn drain(
    conn: &mut Connection,
    db: &Path,
    run: Option<i64>,
    budget: Option<Duration>,
) -> Result<bool, StoreError> {
    let mut lane = GiveWay::open(db);
    let mut pace = Pace::new();
    let start = Instant::now();
    loop {
        if budget.is_some_and(|b| start.elapsed() >= b) {
            return Ok(false);
        }
        lane.wait_turn();
        if !pace.chunk(conn, run)? {
            return Ok(true);
        }
    }
}

/// Waits at most `budget` for this batch's pending cleanup to end: runs its chunks when
/// no other process is deleting (the undo lock is free), else watches that process's
/// progress. True when nothing is left.
pub fn wait_for_batch(
    conn: &mut Connection,
    db: &Path,
    batch_id: i64,
    budget: Duration,
) -> Result<bool, StoreError> {
    let start = Instant::now();
    while pending(conn, batch_id)? {
        if start.elapsed() >= budget {
            return Ok(false);
        }
        if let Some(_lock) = NamedLock::try_acquire(db, UNDO_LOCK)? {
            let left = budget.saturating_sub(start.elapsed());
            return drain_batch(conn, db, batch_id, left);
        }
        std::thread::sleep(WATCH);
    }
    Ok(true)
}

/// Runs the chunks of this batch's pending cleanup for at most `budget`; true when
/// nothing is left.
fn drain_batch(
    conn: &mut Connection,
    db: &Path,
    batch_id: i64,
    budget: Duration,
) -> Result<bool, StoreError> {
    let start = Instant::now();
    let runs: Vec<i64> = conn
        .prepare("SELECT id FROM code_runs WHERE batch_id = ?1 AND undo_to_seq IS NOT NULL")?
        .query_map([batch_id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for run in runs {
        let left = budget.saturating_sub(start.elapsed());
        if !drain(conn, db, Some(run), Some(left))? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// True while a run's codes in this batch are still being deleted.
pub fn pending(conn: &Connection, batch_id: i64) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM code_runs WHERE batch_id = ?1 AND undo_to_seq IS NOT NULL")?
        .query_row([batch_id], |_| Ok(()))
        .optional()?
        .is_some())
}

/// When `code` is only a doomed row (its seq at or above its batch's `next_seq`), deletes
/// it in the caller's transaction so another run may take the code; true when it did.
/// The batch's counts left it already (`mark`).
pub fn release_doomed(conn: &Connection, code: &str) -> Result<bool, StoreError> {
    let found: Option<(i64, i64)> = conn
        .prepare_cached(
            "SELECT c.id, coalesce(r.undo_indexed_seq, 0)
               FROM codes c JOIN batches b ON b.id = (c.id >> 32)
               JOIN code_runs r ON r.batch_id = b.id AND r.undo_to_seq IS NOT NULL
              WHERE c.code = ?1 AND (c.id & 0xFFFFFFFF) >= b.next_seq",
        )?
        .query_row([code], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((id, indexed_seq)) = found else {
        return Ok(false);
    };
    if super::seq_of(id) < indexed_seq {
        code_trigrams::forget_ids(conn, id, id)?;
    }
    conn.prepare_cached("DELETE FROM codes WHERE id = ?1")?
        .execute([id])?;
    Ok(true)
}

/// The background side: a thread that, while its Desk is open, deletes doomed codes
/// chunk by chunk, and every few seconds marks runs whose process died meanwhile.
pub struct Undoer {
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Undoer {
    /// Starts the thread; if its connection cannot open (a read-only database), the
    /// cleanup is left to the next process that can write.
    pub fn start(db: &Path) -> Undoer {
        let (stop, stopped) = mpsc::channel::<()>();
        let db = db.to_owned();
        let thread = std::thread::Builder::new()
            .name("run-undo".into())
            .spawn(move || {
                // Its connection keeps SQLite's automatic checkpoint, like imports: the
                // WAL must not grow by the whole undo (one dirty page a deleted row).
                if let Ok(mut conn) = super::open(&db) {
                    work(&mut conn, &db, &stopped);
                }
            })
            .ok();
        Undoer {
            stop: Some(stop),
            thread,
        }
    }
}

fn work(conn: &mut Connection, db: &Path, stopped: &Receiver<()>) {
    let mut lane = GiveWay::open(db);
    let mut pace = Pace::new();
    loop {
        // Only one process deletes at a time; the others look again later.
        if let Ok(Some(_lock)) = NamedLock::try_acquire(db, UNDO_LOCK) {
            loop {
                if !matches!(stopped.try_recv(), Err(TryRecvError::Empty)) {
                    return;
                }
                lane.wait_turn();
                // Nothing left, or an error (busy for 10 s, a full disk): idle, retry.
                if !matches!(pace.chunk(conn, None), Ok(true)) {
                    break;
                }
            }
        }
        if !matches!(stopped.recv_timeout(IDLE), Err(RecvTimeoutError::Timeout)) {
            return;
        }
        // A process killed while this one runs: its run is found here, not only at the
        // next start. Errors wait for the next round.
        let _ = super::runs::recover_interrupted(conn, db);
    }
}

impl Drop for Undoer {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

//! The substring search index (FTS5 trigram over `codes`) follows behind imports and
//! generations instead of slowing them down: `catch_up` adds each batch's codes from its
//! `indexed_seq` on, in chunks, each chunk one transaction. Searches read the index for
//! the indexed part and scan the rest, so they are complete at every moment.

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use crate::progress::CancelToken;
use crate::store::{code_id, StoreError};

const CHUNK: i64 = 50_000;

/// Indexes everything not yet indexed; returns how many codes it added.
pub fn catch_up(conn: &mut Connection, cancel: &CancelToken) -> Result<u64, StoreError> {
    let mut added = 0u64;
    loop {
        if cancel.is_cancelled() {
            return Ok(added);
        }
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let next: Option<(i64, i64, i64)> = tx
            .query_row(
                "SELECT id, indexed_seq, next_seq FROM batches
                 WHERE indexed_seq < next_seq ORDER BY id LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((batch, from, next_seq)) = next else {
            return Ok(added);
        };
        let upto = (from + CHUNK).min(next_seq);
        let n = index_range(&tx, batch, from, upto)?;
        tx.commit()?;
        added += n as u64;
    }
}

/// Adds the codes of `batch` with seq in `from..upto` to the index and moves its
/// `indexed_seq` to `upto`, in the caller's transaction. `from` must be the batch's
/// `indexed_seq`, so the indexed part stays one prefix of the batch.
fn index_range(conn: &Connection, batch: i64, from: i64, upto: i64) -> Result<usize, StoreError> {
    let n = add_range(conn, batch, from, upto)?;
    mark_indexed(conn, batch, upto)?;
    Ok(n)
}

/// Adds the codes of `batch` with seq in `from..upto` to the index, in the caller's
/// transaction, which must `mark_indexed` up to where it added before it commits (an
/// import adds its chunk in steps, and marks once the chunk's `next_seq` is saved).
pub fn add_range(conn: &Connection, batch: i64, from: i64, upto: i64) -> Result<usize, StoreError> {
    if from >= upto {
        return Ok(0);
    }
    Ok(conn
        .prepare_cached(
            "INSERT INTO code_search (rowid, code)
             SELECT id, code FROM codes WHERE id BETWEEN ?1 AND ?2",
        )?
        .execute(params![code_id(batch, from), code_id(batch, upto - 1)])?)
}

/// Records that the codes of `batch` below seq `upto` are in the index.
pub fn mark_indexed(conn: &Connection, batch: i64, upto: i64) -> Result<(), StoreError> {
    conn.prepare_cached("UPDATE batches SET indexed_seq = ?2 WHERE id = ?1")?
        .execute(params![batch, upto])?;
    Ok(())
}

/// Indexes every code of `batch` not yet indexed, in the caller's transaction.
pub fn index_batch(conn: &Connection, batch: i64) -> Result<usize, StoreError> {
    let (from, next_seq): (i64, i64) = conn
        .prepare_cached("SELECT indexed_seq, next_seq FROM batches WHERE id = ?1")?
        .query_row([batch], |r| Ok((r.get(0)?, r.get(1)?)))?;
    index_range(conn, batch, from, next_seq)
}

/// Removes the index entries of the codes with id in `lo..=hi`. Call it in the same
/// transaction as, and BEFORE, the delete of those rows (FTS5's external content needs
/// each row's text to remove its entry), and only for ids in the indexed part of their
/// batch (seq below the `indexed_seq` they were indexed under): an entry removed that was
/// never added corrupts an FTS5 index. Ids in the range with no row are skipped.
pub fn forget_ids(conn: &Connection, lo: i64, hi: i64) -> Result<usize, StoreError> {
    if lo > hi {
        return Ok(0);
    }
    Ok(conn
        .prepare_cached(
            "INSERT INTO code_search (code_search, rowid, code)
             SELECT 'delete', id, code FROM codes WHERE id BETWEEN ?1 AND ?2",
        )?
        .execute(params![lo, hi])?)
}

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
        let n = tx.execute(
            "INSERT INTO code_search (rowid, code)
             SELECT id, code FROM codes WHERE id BETWEEN ?1 AND ?2",
            params![code_id(batch, from), code_id(batch, upto - 1)],
        )?;
        tx.execute(
            "UPDATE batches SET indexed_seq = ?2 WHERE id = ?1",
            params![batch, upto],
        )?;
        tx.commit()?;
        added += n as u64;
    }
}

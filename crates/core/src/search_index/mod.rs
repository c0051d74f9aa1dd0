//! The substring search index follows behind imports and generations instead of slowing
//! them down: `catch_up` adds each batch's codes from its `indexed_seq` on, in chunks,
//! each chunk one transaction. Searches read the index for the indexed part and scan the
//! rest, so they are complete at every moment.
//!
//! The index is built here, in Rust (issue 14: FTS5's trigram tokenizer cost twice the
//! import itself): per chunk of about `CHUNK` seqs (at most that in a catch-up, up to
//! twice that in an import, import_chunk.rs), the trigrams of its codes are
//! grouped in memory and written as one `code_trigrams` row per trigram (store/code_trigrams/postings.rs);
//! `code_trigram_chunks` lists the chunks. What must stay true, per batch:
//! - the chunks tile seqs `1..indexed_seq` exactly, and every `code_trigrams` row
//!   belongs to a chunk (store/code_trigrams/verify.rs checks both and every posting);
//! - a code's entries are removed (`forget_ids`) before the code's row is deleted, in
//!   the same transaction, so a later run reusing those seqs never meets stale rows.
//!
//! The index's tables are the store's (`store::code_trigrams`: writing and reading
//! chunks, forgetting ids, the check); this module is the long work on top of them: the
//! catch-up and an import's own chunk writer, which give way to the counter.

mod import_chunk;

pub use crate::store::code_trigrams::{
    add_range, forget_ids, index_batch, mark_indexed, verify, CHUNK,
};
pub use import_chunk::ImportChunk;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

use crate::progress::CancelToken;
use crate::store::code_trigrams::index_range;
use crate::store::StoreError;

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
                "SELECT id, indexed_seq, next_seq FROM batches b
                 WHERE indexed_seq < next_seq
                   -- A running import indexes its own codes (import_chunk.rs).
                   AND NOT EXISTS (SELECT 1 FROM code_runs r
                                   WHERE r.batch_id = b.id AND r.state = 'running')
                 ORDER BY id LIMIT 1",
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

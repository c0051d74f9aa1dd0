//! How an import indexes its own codes without making the counter wait: the trigrams
//! of the codes are gathered in memory as the rows go in (no read-back), and once an
//! index chunk is full (or the file ends) its rows are written in steps of
//! `STEP_ROWS`, giving way to a waiting redemption between steps (committing what is
//! written and waiting its turn, as the import itself does).
//!
//! What must stay true while a chunk is written over several transactions:
//! - the chunk's entry in `code_trigram_chunks` is written with its first rows, so a
//!   kill part-way leaves rows that `forget_ids` finds (the run's undo removes them);
//! - its rows stay unread until the last step moves `indexed_seq` past them (a search
//!   reads only rows with `first_seq < indexed_seq`);
//! - `catch_up` leaves a batch with a running import alone, so the two never index the
//!   same seqs.

use rusqlite::{Connection, TransactionBehavior};

use crate::store::code_trigrams::{
    mark_indexed, put_chunk_entry, put_posting, ChunkPostings, CHUNK,
};
use crate::store::counter_lane::GiveWay;
use crate::store::StoreError;

/// Index rows written between two looks at the counter's lane: about a millisecond.
const STEP_ROWS: usize = 1_024;

/// The import's index chunk being gathered: codes of seqs `first_seq..end_seq`.
pub struct ImportChunk {
    batch: i64,
    first_seq: i64,
    end_seq: i64,
    postings: ChunkPostings,
}

impl ImportChunk {
    /// Starts gathering at `first_seq`, where the batch's index ends.
    pub fn new(batch: i64, first_seq: i64) -> ImportChunk {
        ImportChunk {
            batch,
            first_seq,
            end_seq: first_seq,
            postings: ChunkPostings::default(),
        }
    }

    /// A code the import added at `seq` (the next seq: seqs come in order).
    pub fn add(&mut self, seq: i64, code: &str) {
        self.postings.add(seq as u32, code.as_bytes());
        self.end_seq = seq + 1;
    }

    pub fn is_full(&self) -> bool {
        self.end_seq - self.first_seq >= CHUNK
    }

    /// Writes the gathered chunk (nothing when empty) and moves `indexed_seq` to its end,
    /// in transactions of its own, giving way to the counter between steps; returns the
    /// next chunk, empty, starting where this one ended.
    pub fn write(
        self,
        conn: &mut Connection,
        lane: &mut GiveWay,
    ) -> Result<ImportChunk, StoreError> {
        let next = ImportChunk::new(self.batch, self.end_seq);
        if self.end_seq == self.first_seq {
            return Ok(next);
        }
        // Sorting is the CPU part: done before the write lock is taken.
        let rows = self.postings.finish(self.first_seq as u32);
        let mut tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        put_chunk_entry(&tx, self.batch, self.first_seq, self.end_seq)?;
        for (i, p) in rows.iter().enumerate() {
            put_posting(&tx, self.batch, self.first_seq, p)?;
            if (i + 1) % STEP_ROWS == 0 && lane.should_give_way() {
                tx.commit()?;
                lane.wait_turn();
                tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            }
        }
        mark_indexed(&tx, self.batch, self.end_seq)?;
        tx.commit()?;
        Ok(next)
    }
}

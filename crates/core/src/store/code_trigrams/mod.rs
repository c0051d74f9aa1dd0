//! The substring search index's tables: `code_trigrams` (one row per batch, trigram and
//! chunk: the seqs of the chunk's codes holding the trigram, as delta varints) and
//! `code_trigram_chunks` (the chunks). Writing a chunk, reading candidates for a search,
//! forgetting ids before their rows go, and the check that they tile `1..indexed_seq`.
//! The long work that fills them (catch-up, an import's chunks) is `search_index`.
//!
//! What must stay true, per batch: the chunks tile seqs `1..indexed_seq` exactly, and
//! every `code_trigrams` row belongs to a chunk (verify.rs checks both and every posting).

mod lookup;
mod postings;
mod verify;

pub(crate) use lookup::candidate_seqs;
pub(crate) use postings::ChunkPostings;
pub use verify::verify;

use rusqlite::{params, Connection, OptionalExtension};

use super::{code_id, seq_of, StoreError};
use postings::{column_bytes, Posting};

/// Seqs per chunk of the index (and per catch-up transaction): about 0.1 s of work, and
/// a search reads one row per chunk of each of its trigrams. Memory: 8 bytes per
/// trigram of the chunk (about 8 MB for 100,000 codes of 12 characters).
pub const CHUNK: i64 = 100_000;

/// Adds the codes of `batch` with seq in `from..upto` to the index and moves its
/// `indexed_seq` to `upto`, in the caller's transaction. `from` must be the batch's
/// `indexed_seq`, so the indexed part stays one prefix of the batch.
pub fn index_range(
    conn: &Connection,
    batch: i64,
    from: i64,
    upto: i64,
) -> Result<usize, StoreError> {
    let n = add_range(conn, batch, from, upto)?;
    mark_indexed(conn, batch, upto)?;
    Ok(n)
}

/// Adds the codes of `batch` with seq in `from..upto` to the index, in the caller's
/// transaction, which must `mark_indexed` up to where it added before it commits (an
/// import adds each chunk once its rows are in). `from` must be where the index ends.
/// Writes one index chunk per `CHUNK` seqs; returns how many codes it added.
pub fn add_range(conn: &Connection, batch: i64, from: i64, upto: i64) -> Result<usize, StoreError> {
    let mut added = 0;
    let mut lo = from.max(1);
    while lo < upto {
        let hi = (lo + CHUNK).min(upto);
        added += add_chunk(conn, batch, lo, hi)?;
        lo = hi;
    }
    Ok(added)
}

/// Indexes seqs `from..upto` (at most `CHUNK` of them) as one chunk.
fn add_chunk(conn: &Connection, batch: i64, from: i64, upto: i64) -> Result<usize, StoreError> {
    let mut chunk = ChunkPostings::default();
    let mut added = 0;
    {
        let mut read =
            conn.prepare_cached("SELECT id, code FROM codes WHERE id BETWEEN ?1 AND ?2")?;
        let mut rows = read.query(params![code_id(batch, from), code_id(batch, upto - 1)])?;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let code = column_bytes(r, 1)?;
            chunk.add(seq_of(id) as u32, code);
            added += 1;
        }
    }
    put_chunk_entry(conn, batch, from, upto)?;
    for p in chunk.finish(from as u32) {
        put_posting(conn, batch, from, &p)?;
    }
    Ok(added)
}

/// Records the chunk `first_seq..end_seq` of `batch`. A leftover chunk with the same
/// start fails here on the key instead of mixing its rows with the new ones.
pub(crate) fn put_chunk_entry(
    conn: &Connection,
    batch: i64,
    first_seq: i64,
    end_seq: i64,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO code_trigram_chunks (batch_id, first_seq, end_seq) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![batch, first_seq, end_seq])?;
    Ok(())
}

pub(crate) fn put_posting(
    conn: &Connection,
    batch: i64,
    first_seq: i64,
    p: &Posting,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO code_trigrams (batch_id, tri, first_seq, n, seqs) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![batch, p.tri, first_seq, p.n as i64, p.blob])?;
    Ok(())
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

/// The last index chunk of `batch` that starts below `seq`: (first_seq, end_seq).
pub fn last_chunk_below(
    conn: &Connection,
    batch: i64,
    seq: i64,
) -> Result<Option<(i64, i64)>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT first_seq, end_seq FROM code_trigram_chunks
              WHERE batch_id = ?1 AND first_seq < ?2 ORDER BY first_seq DESC LIMIT 1",
        )?
        .query_row(params![batch, seq], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// One step of forgetting the whole chunk of `batch` that starts at `first_seq`, for the
/// chunked undo of a run (store/run_undo.rs): deletes the chunk's rows of at most `tris`
/// of the batch's trigrams (one seek each) past the chunk's cursor
/// (`forget_after_tri`), so no step holds the write lock for long; true once the chunk
/// is gone (its entry last). Its rows are never read meanwhile: the undo has put the
/// batch's `indexed_seq` below the chunk.
pub fn forget_chunk_step(
    conn: &Connection,
    batch: i64,
    first_seq: i64,
    tris: usize,
) -> Result<bool, StoreError> {
    let cursor: Option<Option<i64>> = conn
        .prepare_cached(
            "SELECT forget_after_tri FROM code_trigram_chunks
              WHERE batch_id = ?1 AND first_seq = ?2",
        )?
        .query_row(params![batch, first_seq], |r| r.get(0))
        .optional()?;
    let Some(cursor) = cursor else {
        return Ok(true);
    };
    let mut tri = cursor.unwrap_or(-1);
    let mut next = conn.prepare_cached(
        "SELECT tri FROM code_trigrams WHERE batch_id = ?1 AND tri > ?2 ORDER BY tri LIMIT 1",
    )?;
    let mut delete = conn.prepare_cached(
        "DELETE FROM code_trigrams WHERE batch_id = ?1 AND tri = ?2 AND first_seq = ?3",
    )?;
    for _ in 0..tris {
        let Some(t) = next
            .query_row(params![batch, tri], |r| r.get::<_, i64>(0))
            .optional()?
        else {
            conn.prepare_cached(
                "DELETE FROM code_trigram_chunks WHERE batch_id = ?1 AND first_seq = ?2",
            )?
            .execute(params![batch, first_seq])?;
            return Ok(true);
        };
        delete.execute(params![batch, t, first_seq])?;
        tri = t;
    }
    conn.prepare_cached(
        "UPDATE code_trigram_chunks SET forget_after_tri = ?3
          WHERE batch_id = ?1 AND first_seq = ?2",
    )?
    .execute(params![batch, first_seq, tri])?;
    Ok(false)
}

/// Removes the index entries of codes with id in `lo_id..=hi_id` (one batch); call it
/// before deleting those rows, in the same transaction. It does not move the batch's
/// `indexed_seq`: the caller lowers it with the rows it deletes. A chunk only partly in
/// the range is rebuilt from the codes outside it, so the chunks still tile what stays.
pub fn forget_ids(conn: &Connection, lo_id: i64, hi_id: i64) -> Result<(), StoreError> {
    if lo_id > hi_id {
        return Ok(());
    }
    let batch = lo_id >> 32;
    let (lo, hi) = (
        seq_of(lo_id),
        if hi_id >> 32 > batch {
            i64::MAX
        } else {
            seq_of(hi_id)
        },
    );
    let chunks: Vec<(i64, i64)> = conn
        .prepare_cached(
            "SELECT first_seq, end_seq FROM code_trigram_chunks
             WHERE batch_id = ?1 AND first_seq <= ?3 AND end_seq > ?2 ORDER BY first_seq",
        )?
        .query_map(params![batch, lo, hi], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let (Some(&(first, _)), Some(&(last, end))) = (chunks.first(), chunks.last()) else {
        return Ok(());
    };
    drop_chunks(conn, batch, first, last)?;
    // What the first and last chunks held outside the range goes back in.
    if first < lo {
        add_chunk(conn, batch, first, lo)?;
    }
    if hi.saturating_add(1) < end {
        add_chunk(conn, batch, hi + 1, end)?;
    }
    Ok(())
}

/// Deletes the rows of the chunks of `batch` starting at `first..=last`. The rows are
/// keyed by trigram first, so it steps through the batch's trigrams (one seek each)
/// and deletes each one's rows of those chunks, whatever the codes hold now.
fn drop_chunks(conn: &Connection, batch: i64, first: i64, last: i64) -> Result<(), StoreError> {
    let mut next = conn.prepare_cached(
        "SELECT tri FROM code_trigrams WHERE batch_id = ?1 AND tri > ?2 ORDER BY tri LIMIT 1",
    )?;
    let mut delete = conn.prepare_cached(
        "DELETE FROM code_trigrams WHERE batch_id = ?1 AND tri = ?2 AND first_seq BETWEEN ?3 AND ?4",
    )?;
    let mut tri: i64 = -1;
    while let Some(t) = next
        .query_row(params![batch, tri], |r| r.get::<_, i64>(0))
        .optional()?
    {
        delete.execute(params![batch, t, first, last])?;
        tri = t;
    }
    conn.prepare_cached(
        "DELETE FROM code_trigram_chunks WHERE batch_id = ?1 AND first_seq BETWEEN ?2 AND ?3",
    )?
    .execute(params![batch, first, last])?;
    Ok(())
}

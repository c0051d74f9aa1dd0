//! A full check of the index against the codes (tests use it after every scenario): per
//! batch, the chunks tile seqs `1..indexed_seq`, each chunk's rows are exactly what its
//! codes give, and no row lies outside a chunk.

use rusqlite::{params, Connection};

use super::postings::{column_bytes, ChunkPostings};
use crate::store::{code_id, seq_of, StoreError};

/// `Ok(None)` when the index matches the codes; otherwise what differs first.
pub fn verify(conn: &Connection) -> Result<Option<String>, StoreError> {
    let batches: Vec<(i64, i64)> = conn
        .prepare("SELECT id, indexed_seq FROM batches ORDER BY id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut rows_in_chunks = 0i64;
    for (batch, indexed_seq) in batches {
        let chunks: Vec<(i64, i64)> = conn
            .prepare(
                "SELECT first_seq, end_seq FROM code_trigram_chunks
                 WHERE batch_id = ?1 ORDER BY first_seq",
            )?
            .query_map([batch], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let mut at = 1;
        for (first, end) in chunks {
            if first != at {
                return Ok(Some(format!(
                    "batch {batch}: a chunk starts at {first}, not {at}"
                )));
            }
            at = end;
            let mut expected = ChunkPostings::default();
            let mut read = conn.prepare("SELECT id, code FROM codes WHERE id BETWEEN ?1 AND ?2")?;
            let mut rows = read.query(params![code_id(batch, first), code_id(batch, end - 1)])?;
            while let Some(r) = rows.next()? {
                expected.add(seq_of(r.get(0)?) as u32, column_bytes(r, 1)?);
            }
            let expected: Vec<(i64, i64, Vec<u8>)> = expected
                .finish(first as u32)
                .into_iter()
                .map(|p| (i64::from(p.tri), p.n as i64, p.blob))
                .collect();
            let stored: Vec<(i64, i64, Vec<u8>)> = conn
                .prepare(
                    "SELECT tri, n, seqs FROM code_trigrams
                     WHERE batch_id = ?1 AND first_seq = ?2 ORDER BY tri",
                )?
                .query_map(params![batch, first], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })?
                .collect::<Result<_, _>>()?;
            if stored != expected {
                return Ok(Some(format!(
                    "batch {batch}: the chunk {first}..{end} holds {} trigram rows, its codes give {}{}",
                    stored.len(),
                    expected.len(),
                    if stored.len() == expected.len() { " (contents differ)" } else { "" }
                )));
            }
            rows_in_chunks += stored.len() as i64;
        }
        if at != indexed_seq {
            return Ok(Some(format!(
                "batch {batch}: the chunks end at {at}, indexed_seq is {indexed_seq}"
            )));
        }
    }
    let rows: i64 = conn.query_row("SELECT count(*) FROM code_trigrams", [], |r| r.get(0))?;
    if rows != rows_in_chunks {
        return Ok(Some(format!(
            "{} index rows lie outside every chunk",
            rows - rows_in_chunks
        )));
    }
    Ok(None)
}

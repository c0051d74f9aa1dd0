//! Reading the index: the seqs of a batch's indexed codes that hold every trigram of a
//! search. For a 3-character search that is the exact answer; longer ones are candidates
//! the caller confirms on the codes themselves.

use rusqlite::{params, Connection};

use super::postings::{column_bytes, decode, trigrams_of};
use crate::store::StoreError;

/// Ascending seqs below `indexed_seq` of the codes of `batch` holding every trigram of
/// `needle` (at least 3 bytes). The rarest trigram's seqs are narrowed by each other's.
pub(crate) fn candidate_seqs(
    conn: &Connection,
    batch: i64,
    needle: &[u8],
    indexed_seq: i64,
) -> Result<Vec<u32>, StoreError> {
    let tris = trigrams_of(needle);
    // Smallest first, by the stored counts: the others are only probed.
    let mut sized = Vec::with_capacity(tris.len());
    for t in tris {
        let n: i64 = conn
            .prepare_cached(
                "SELECT coalesce(sum(n), 0) FROM code_trigrams WHERE batch_id = ?1 AND tri = ?2",
            )?
            .query_row(params![batch, t], |r| r.get(0))?;
        if n == 0 {
            return Ok(Vec::new());
        }
        sized.push((n, t));
    }
    sized.sort_unstable();
    let mut found: Vec<u32> = Vec::new();
    let mut other: Vec<u32> = Vec::new();
    for (i, &(_, t)) in sized.iter().enumerate() {
        let into = if i == 0 { &mut found } else { &mut other };
        into.clear();
        let mut stmt = conn.prepare_cached(
            "SELECT first_seq, seqs FROM code_trigrams
             WHERE batch_id = ?1 AND tri = ?2 AND first_seq < ?3 ORDER BY first_seq",
        )?;
        let mut rows = stmt.query(params![batch, t, indexed_seq])?;
        while let Some(r) = rows.next()? {
            decode(r.get(0)?, column_bytes(r, 1)?, into)?;
        }
        if i > 0 {
            // Both ascend: keep what `other` also holds.
            let mut j = 0;
            found.retain(|s| {
                j += other[j..].partition_point(|o| o < s);
                other.get(j) == Some(s)
            });
        }
        if found.is_empty() {
            break;
        }
    }
    // The chunks end at indexed_seq; this bound only guards a torn reading.
    found.retain(|&s| i64::from(s) < indexed_seq);
    Ok(found)
}

//! Trigram postings of one chunk of a batch's codes, built in memory: which seqs of the
//! chunk contain each trigram, as ascending seqs encoded in delta varints.
//!
//! What must stay true: a code's trigrams are its byte windows of 3, case-sensitive
//! (codes and searches are ASCII: `Code::parse` and the search's character check), each
//! counted once per code; seqs in a posting ascend strictly.

use crate::store::StoreError;

/// The key of a trigram: its three bytes, big-endian.
pub(crate) fn trigram(w: &[u8]) -> u32 {
    (u32::from(w[0]) << 16) | (u32::from(w[1]) << 8) | u32::from(w[2])
}

/// The distinct trigrams of `text`, in the order they first appear.
pub(crate) fn trigrams_of(text: &[u8]) -> Vec<u32> {
    let mut out: Vec<u32> = Vec::new();
    for t in text.windows(3).map(trigram) {
        if !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

/// The postings of one chunk: (trigram, seq) pairs, sorted by trigram then seq.
#[derive(Default)]
pub(crate) struct ChunkPostings {
    pairs: Vec<u64>,
}

/// One trigram's posting in a chunk.
pub(crate) struct Posting {
    pub tri: u32,
    pub n: usize,
    pub blob: Vec<u8>,
}

impl ChunkPostings {
    pub fn add(&mut self, seq: u32, code: &[u8]) {
        for w in code.windows(3) {
            self.pairs
                .push((u64::from(trigram(w)) << 32) | u64::from(seq));
        }
    }

    /// The chunk's postings by ascending trigram; `first_seq` is the chunk's first seq
    /// (every added seq is at least that).
    pub fn finish(mut self, first_seq: u32) -> Vec<Posting> {
        self.pairs.sort_unstable();
        // A code holding a trigram twice is listed once.
        self.pairs.dedup();
        let mut out = Vec::new();
        let mut i = 0;
        while i < self.pairs.len() {
            let tri = (self.pairs[i] >> 32) as u32;
            let mut blob = Vec::new();
            let mut prev = first_seq;
            let start = i;
            while i < self.pairs.len() && (self.pairs[i] >> 32) as u32 == tri {
                let seq = self.pairs[i] as u32;
                put_varint(&mut blob, seq - prev);
                prev = seq;
                i += 1;
            }
            out.push(Posting {
                tri,
                n: i - start,
                blob,
            });
        }
        out
    }
}

fn put_varint(out: &mut Vec<u8>, mut v: u32) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Column `i` of `r` as bytes (a code's text or a posting's blob), without a copy.
pub(crate) fn column_bytes<'r>(r: &'r rusqlite::Row<'_>, i: usize) -> Result<&'r [u8], StoreError> {
    let v = r.get_ref(i)?;
    v.as_bytes_or_null()
        .map(|b| b.unwrap_or_default())
        .map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(i, v.data_type(), Box::new(e)).into()
        })
}

/// Appends the seqs of a posting to `out`. A blob that does not decode (a damaged file)
/// is an error, never a wrong answer.
pub(crate) fn decode(first_seq: i64, blob: &[u8], out: &mut Vec<u32>) -> Result<(), StoreError> {
    let damaged = || {
        StoreError::Sqlite(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CORRUPT),
            Some("a posting of the search index (code_trigrams) does not decode".into()),
        ))
    };
    let mut prev = u32::try_from(first_seq).map_err(|_| damaged())?;
    let mut v: u32 = 0;
    let mut shift = 0u32;
    for &b in blob {
        if shift > 28 {
            return Err(damaged());
        }
        v |= u32::from(b & 0x7F) << shift;
        if b & 0x80 != 0 {
            shift += 7;
            continue;
        }
        prev = prev.checked_add(v).ok_or_else(damaged)?;
        out.push(prev);
        v = 0;
        shift = 0;
    }
    if shift != 0 {
        return Err(damaged());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postings_list_each_code_once_per_trigram_and_round_trip() {
        let mut c = ChunkPostings::default();
        c.add(5, b"AAAAB");
        c.add(6, b"XAAA");
        c.add(300, b"AAB");
        let postings = c.finish(5);
        let aaa = postings
            .iter()
            .find(|p| p.tri == trigram(b"AAA"))
            .expect("AAA");
        assert_eq!(aaa.n, 2);
        let mut seqs = Vec::new();
        decode(5, &aaa.blob, &mut seqs).expect("decode");
        assert_eq!(seqs, vec![5, 6]);
        let aab = postings
            .iter()
            .find(|p| p.tri == trigram(b"AAB"))
            .expect("AAB");
        seqs.clear();
        decode(5, &aab.blob, &mut seqs).expect("decode");
        assert_eq!(seqs, vec![5, 300]);
        let tris: Vec<u32> = postings.iter().map(|p| p.tri).collect();
        let mut sorted = tris.clone();
        sorted.sort_unstable();
        assert_eq!(tris, sorted);
    }

    #[test]
    fn a_truncated_posting_is_damage_not_an_answer() {
        let mut seqs = Vec::new();
        assert!(decode(1, &[0x85], &mut seqs).is_err());
        assert!(decode(1, &[0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], &mut seqs).is_err());
    }

    #[test]
    fn trigrams_of_a_text_are_distinct_and_case_sensitive() {
        assert_eq!(trigrams_of(b"ABAB").len(), 2);
        assert_eq!(trigrams_of(b"abc"), vec![trigram(b"abc")]);
        assert_ne!(trigram(b"abc"), trigram(b"ABC"));
        assert!(trigrams_of(b"AB").is_empty());
    }
}

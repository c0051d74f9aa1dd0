-- Issue 14: the substring index is built in Rust (search_index/) instead of by FTS5,
-- which cost about twice the import itself. Per chunk of a batch's codes (seqs
-- first_seq..end_seq), one row per trigram holds the seqs of the chunk's codes that
-- contain it. The key puts a trigram's rows of a batch side by side (a search reads
-- one short range per trigram).
DROP TABLE code_search;

CREATE TABLE code_trigrams (
  batch_id   INTEGER NOT NULL,
  -- The trigram's three bytes, big-endian (codes are ASCII; case-sensitive).
  tri        INTEGER NOT NULL,
  first_seq  INTEGER NOT NULL,
  -- How many seqs `seqs` holds: a count without decoding.
  n          INTEGER NOT NULL,
  -- Ascending seqs as varints: the first minus first_seq, then each minus the one before.
  seqs       BLOB NOT NULL,
  PRIMARY KEY (batch_id, tri, first_seq)
) WITHOUT ROWID;

-- The chunks of code_trigrams: per batch they tile seqs 1..indexed_seq exactly, so the
-- rows of a range can be found and removed (search_index::forget_ids).
CREATE TABLE code_trigram_chunks (
  batch_id   INTEGER NOT NULL,
  first_seq  INTEGER NOT NULL,
  end_seq    INTEGER NOT NULL CHECK (end_seq > first_seq),
  -- Set while the chunked undo of a run forgets this chunk in steps
  -- (store/code_trigrams `forget_chunk_step`): its rows of trigrams up to this one are
  -- gone. NULL otherwise.
  forget_after_tri  INTEGER,
  PRIMARY KEY (batch_id, first_seq)
) WITHOUT ROWID;

-- Nothing is indexed any more: the background catch-up rebuilds every batch, and
-- searches scan the unindexed part meanwhile, so they stay complete. (1, not 0: seq 1
-- is a batch's first code, and codes with seq < indexed_seq are the indexed ones.)
UPDATE batches SET indexed_seq = 1;

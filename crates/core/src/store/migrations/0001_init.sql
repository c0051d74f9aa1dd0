-- Schema version 1: code batches, their codes, import/generate runs, the substring
-- search index and the audit log. Times are milliseconds since the Unix epoch, UTC.

CREATE TABLE batches (
  id           INTEGER PRIMARY KEY CHECK (id BETWEEN 1 AND 2147483647),
  ticket_type  TEXT NOT NULL UNIQUE,
  name         TEXT NOT NULL UNIQUE,
  -- seq the next code of this batch gets; codes 1..next_seq-1 exist, without gaps.
  next_seq     INTEGER NOT NULL DEFAULT 1 CHECK (next_seq BETWEEN 1 AND 4294967296),
  -- codes with seq < indexed_seq are in code_search.
  indexed_seq  INTEGER NOT NULL DEFAULT 1 CHECK (indexed_seq <= next_seq),
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL
);

-- How many codes of a batch are in each status; changed with the codes, never stale.
CREATE TABLE batch_counts (
  batch_id  INTEGER NOT NULL REFERENCES batches(id) ON DELETE CASCADE,
  status    INTEGER NOT NULL,
  n         INTEGER NOT NULL CHECK (n >= 0),
  PRIMARY KEY (batch_id, status)
) WITHOUT ROWID;

-- One import or generation into a batch. At most one runs per batch at a time; its
-- owner holds the batch's lock file while state = 'running'.
CREATE TABLE code_runs (
  id                 INTEGER PRIMARY KEY,
  batch_id           INTEGER NOT NULL REFERENCES batches(id) ON DELETE CASCADE,
  kind               TEXT NOT NULL CHECK (kind IN ('import', 'generate')),
  state              TEXT NOT NULL CHECK (state IN ('running', 'done', 'cancelled', 'interrupted')),
  created_batch      INTEGER NOT NULL DEFAULT 0,
  source             TEXT,
  first_seq          INTEGER NOT NULL,
  rows_read          INTEGER NOT NULL DEFAULT 0,
  imported           INTEGER NOT NULL DEFAULT 0,
  skipped_duplicate  INTEGER NOT NULL DEFAULT 0,
  skipped_invalid    INTEGER NOT NULL DEFAULT 0,
  actor              TEXT NOT NULL,
  started_at         INTEGER NOT NULL,
  finished_at        INTEGER
);
CREATE INDEX code_runs_running ON code_runs(batch_id) WHERE state = 'running';

-- Rows of an import that were not imported, with their line in the file.
CREATE TABLE code_run_issues (
  run_id  INTEGER NOT NULL REFERENCES code_runs(id) ON DELETE CASCADE,
  line    INTEGER NOT NULL,
  kind    TEXT NOT NULL,
  value   TEXT NOT NULL,
  PRIMARY KEY (run_id, line)
) WITHOUT ROWID;

-- id = (batch id << 32) | seq. run_id names the run that added the code; it has no
-- foreign key on purpose: deleting a run would then scan every code.
CREATE TABLE codes (
  id          INTEGER PRIMARY KEY,
  code        TEXT NOT NULL UNIQUE,
  status      INTEGER NOT NULL DEFAULT 0 CHECK (status BETWEEN 0 AND 4),
  run_id      INTEGER NOT NULL,
  updated_at  INTEGER
);
-- Status filters other than "issued" page through this. Partial, so imports and
-- generations (all status 0) never touch it; queries must say `status <> 0` to use it.
CREATE INDEX codes_by_status ON codes(status, id) WHERE status <> 0;

-- Substring search: trigrams of each code, filled behind imports by the indexer.
CREATE VIRTUAL TABLE code_search USING fts5(
  code, content = 'codes', content_rowid = 'id',
  tokenize = 'trigram case_sensitive 1', detail = 'none'
);

CREATE TABLE audit_log (
  id       INTEGER PRIMARY KEY,
  at       INTEGER NOT NULL,
  actor    TEXT NOT NULL,
  action   TEXT NOT NULL,
  subject  TEXT NOT NULL,
  detail   TEXT NOT NULL
);

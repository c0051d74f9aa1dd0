-- Schema version 5: what it takes to talk to real platforms (issue #10).

-- Per platform: a private CA (a PEM file's path) trusted beside the OS's roots; plain
-- http:// to a non-loopback host only when staff allowed it; 000's non-standard code
-- upload path ('' = off: only the documented endpoints are called).
ALTER TABLE sync_platforms ADD COLUMN ca_file TEXT NOT NULL DEFAULT '';
ALTER TABLE sync_platforms ADD COLUMN allow_http INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sync_platforms ADD COLUMN upload_path TEXT NOT NULL DEFAULT '';
-- The last test-connection verdict (sync::types::ConnectionVerdict as text) and when.
ALTER TABLE sync_platforms ADD COLUMN last_test TEXT;
ALTER TABLE sync_platforms ADD COLUMN last_test_at INTEGER;
-- The kind of the last error (sync::connector::CallErrorKind::as_str), so the Sync page
-- words it in the staff's language; last_error keeps the core's details.
ALTER TABLE sync_platforms ADD COLUMN last_error_kind TEXT;

-- Per op, the facts the "never apply twice" rule needs (docs/sync.md, "Creates that
-- may have been applied"):
-- maybe_applied: 1 once a request carrying it may have been applied (set before the
--   request leaves; put back to its earlier value only when the call certainly did not
--   reach the platform's logic: refused connection, 429, 5xx, token refused).
-- sent_at: when that request left (ms); a read-back waits until sent_at + settle.
-- readbacks: read-backs after the settle time that found nothing.
ALTER TABLE outbox ADD COLUMN maybe_applied INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN sent_at INTEGER;
ALTER TABLE outbox ADD COLUMN readbacks INTEGER NOT NULL DEFAULT 0;
-- What a connector must remember of its last send to read it back after a crash or a lost
-- answer (JSON; 000: the ticket type's total before the import).
ALTER TABLE outbox ADD COLUMN send_note TEXT;
-- Rows written before this version that were sent count as possibly applied.
UPDATE outbox SET maybe_applied = 1, sent_at = updated_at WHERE sent = 1 AND state = 'queued';

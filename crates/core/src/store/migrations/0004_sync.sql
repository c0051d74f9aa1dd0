-- Schema version 4: the outbox that carries user actions to the five remote platforms,
-- each platform's settings and sync state, and the map from local rows to remote ids.
-- Secrets (tokens, signing keys) are never stored here: see sync/credentials.rs.

-- One row per platform, created on first use. Settings (enabled, where, ids) and the
-- engine's last outcome; no secret.
CREATE TABLE sync_platforms (
  platform         TEXT PRIMARY KEY CHECK (platform IN ('p000', 'p001', 'p002', 'p003', 'p004')),
  enabled          INTEGER NOT NULL DEFAULT 0,
  base_url         TEXT NOT NULL DEFAULT '',
  -- p004: appId, brandId, signType, activateInfo.optShopNo / optOrg.
  app_id           TEXT NOT NULL DEFAULT '',
  brand_id         TEXT NOT NULL DEFAULT '',
  sign_type        TEXT NOT NULL DEFAULT 'HMAC-SHA256',
  shop_no          TEXT NOT NULL DEFAULT '',
  org              TEXT NOT NULL DEFAULT '',
  -- NULL: not tried yet; 1: the last call reached the server; 0: it did not.
  online           INTEGER,
  last_attempt_at  INTEGER,
  last_success_at  INTEGER,
  last_error       TEXT,
  last_error_at    INTEGER,
  -- The queue head waits until then (backoff or Retry-After), ms.
  paused_until     INTEGER NOT NULL DEFAULT 0,
  last_pull_at     INTEGER,
  -- JSON: what the last pull counted on the platform (sync::types::RemoteSummary).
  remote_summary   TEXT
);

-- Every user action a platform must hear of, written in the same transaction as the
-- change. Drained per platform in id order; done rows stay as the history of results.
CREATE TABLE outbox (
  id              INTEGER PRIMARY KEY,
  platform        TEXT NOT NULL,
  op              TEXT NOT NULL,
  -- What it is about: a code, a bonus code, a template id, a voucher id, a batch.
  subject         TEXT NOT NULL,
  -- Codes' batch, so the batch page can show its per-code results.
  batch_id        INTEGER,
  -- Op-specific JSON, what the connector sends (edited from the conflict inbox).
  payload         TEXT NOT NULL,
  -- Unique per action; sent to the platform where it has a place for it (e-Buy's uuid
  -- is the envelope's, below; 002's xname carries this key).
  idem_key        TEXT NOT NULL UNIQUE,
  state           TEXT NOT NULL CHECK (state IN ('queued', 'done', 'conflict', 'discarded')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  not_before      INTEGER NOT NULL DEFAULT 0,
  -- 1 once a request carrying it may have reached the server: a create is then read back
  -- before it is sent again.
  sent            INTEGER NOT NULL DEFAULT 0,
  -- p004: the uuid of the envelope this row travels in. Set before the first send and
  -- kept across retries and crashes, so a re-send is answered from the server's store.
  envelope_uuid   TEXT,
  result_code     TEXT,
  result_message  TEXT,
  remote_ref      TEXT,
  actor           TEXT NOT NULL,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  done_at         INTEGER
);
CREATE INDEX outbox_queue ON outbox(platform, id) WHERE state = 'queued';
CREATE INDEX outbox_conflicts ON outbox(id) WHERE state = 'conflict';
CREATE INDEX outbox_by_subject ON outbox(platform, subject, id);
CREATE INDEX outbox_by_batch ON outbox(batch_id, id) WHERE batch_id IS NOT NULL;

-- Local row -> the platform's id for it (a bonus's rid, a template's card id, a
-- voucher's id, a batch's ticket_type on 000). Written with the op that learnt it.
CREATE TABLE remote_refs (
  platform    TEXT NOT NULL,
  kind        TEXT NOT NULL,
  local_id    TEXT NOT NULL,
  remote_id   TEXT NOT NULL,
  PRIMARY KEY (platform, kind, local_id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX remote_refs_by_remote ON remote_refs(platform, kind, remote_id);

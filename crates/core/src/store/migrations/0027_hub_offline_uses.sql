-- Schema version 27: bonuses may be used offline too when a manager allows it, their double
-- use is a conflict like a voucher's, and a voucher claim's release the hub did not take
-- waits in the hub outbox (docs/chain-mode.md, "Vouchers" and "Bonuses").

-- 1. Which things a joined desk may use when the hub does not answer: one row per kind,
-- no row meaning "not allowed" (the reading that cannot cost the merchant money). Takes
-- over migration 25's voucher-only table (kept over a rejoin, as it was).
CREATE TABLE hub_offline_uses (
  kind    TEXT PRIMARY KEY CHECK (kind IN ('voucher', 'bonus')),
  allowed INTEGER NOT NULL CHECK (allowed IN (0, 1))
) WITHOUT ROWID;
INSERT INTO hub_offline_uses (kind, allowed)
  SELECT 'voucher', offline_allowed FROM hub_voucher_settings WHERE id = 1;
DROP TABLE hub_voucher_settings;

-- 2. A use made here (a voucher's or a bonus's) that the hub refused at the upload
-- because another desk's came first: one list with a kind, for the Sync page. `item_id`
-- is the local voucher's or bonus's id (one conflict per item). kept_amount_fen: the
-- order the kept bonus use was for (NULL for a voucher: its use has no amount). Takes
-- over migrations 20 and 25's hub_voucher_conflicts, rows included.
CREATE TABLE hub_use_conflicts (
  kind            TEXT    NOT NULL CHECK (kind IN ('voucher', 'bonus')),
  item_id         INTEGER NOT NULL,
  kept_by         TEXT    NOT NULL,
  kept_terminal   TEXT    NOT NULL,
  kept_store      TEXT    NOT NULL,
  kept_at         INTEGER NOT NULL,
  kept_amount_fen INTEGER,
  created_at      INTEGER NOT NULL,
  settled_at      INTEGER,
  settled_by      TEXT,
  settlement      TEXT,
  PRIMARY KEY (kind, item_id)
) WITHOUT ROWID;
INSERT INTO hub_use_conflicts (kind, item_id, kept_by, kept_terminal, kept_store, kept_at,
                               created_at, settled_at, settled_by, settlement)
  SELECT 'voucher', voucher_id, kept_by, kept_terminal, kept_store, kept_at, created_at,
         settled_at, settled_by, settlement
    FROM hub_voucher_conflicts;
DROP TABLE hub_voucher_conflicts;

-- 3. The hub outbox also carries a voucher claim's release (op 'voucher_release':
-- claim_id is the voucher's hub uid, used_at the claim's time in ms, which
-- release_voucher needs to give back only that claim). SQLite cannot change a CHECK, so
-- the table is rebuilt with its rows and ids (the push sends oldest first, by id).
CREATE TABLE hub_outbox_new (
  id             INTEGER PRIMARY KEY,
  op             TEXT    NOT NULL CHECK (op IN ('upload', 'release', 'voucher_release')),
  claim_id       TEXT    NOT NULL,
  redemption_id  INTEGER REFERENCES redemptions(id),
  created_at     INTEGER NOT NULL,
  tries          INTEGER NOT NULL DEFAULT 0,
  last_error     TEXT,
  used_at        INTEGER,
  CHECK ((op = 'voucher_release') = (used_at IS NOT NULL))
);
INSERT INTO hub_outbox_new (id, op, claim_id, redemption_id, created_at, tries, last_error)
  SELECT id, op, claim_id, redemption_id, created_at, tries, last_error FROM hub_outbox;
DROP TABLE hub_outbox;
ALTER TABLE hub_outbox_new RENAME TO hub_outbox;

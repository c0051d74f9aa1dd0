-- Schema version 20: templates, batch links and customers waiting to go to the hub
-- (docs/chain-mode.md, "Changes between desks"; store::hub_records).
--
-- Triggers queue a row when a template is created or changed (title, draft, offline
-- policy), a batch's template changes, or a customer is added or renamed, only while the desk is joined (a hub_link row):
-- the join sends everything it has anyway. The pull's start uploads the queue and deletes
-- each row after the hub's commit, only if `n` is still the value it read: an edit made
-- during the upload bumps `n` and is sent next time. A pull applying another desk's
-- version deletes, in the same transaction, the row its own write just queued, so the
-- hub's version is not sent back.
CREATE TABLE hub_records_out (
  kind  TEXT NOT NULL CHECK (kind IN ('template', 'link', 'customer', 'voucher',
                                      'voucher_use')),
  -- template, voucher, voucher_use: the local row id; link: the batch's ticket type;
  -- customer: the phone
  key   TEXT NOT NULL,
  n     INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (kind, key)
) WITHOUT ROWID;

CREATE TRIGGER hub_out_template_new AFTER INSERT ON templates
WHEN EXISTS (SELECT 1 FROM hub_link)
BEGIN
  INSERT INTO hub_records_out (kind, key) VALUES ('template', CAST(NEW.id AS TEXT))
  ON CONFLICT (kind, key) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER hub_out_template_changed AFTER UPDATE OF title, draft, offline_policy ON templates
WHEN EXISTS (SELECT 1 FROM hub_link)
  AND (OLD.title IS NOT NEW.title OR OLD.draft IS NOT NEW.draft
       OR OLD.offline_policy IS NOT NEW.offline_policy)
BEGIN
  INSERT INTO hub_records_out (kind, key) VALUES ('template', CAST(NEW.id AS TEXT))
  ON CONFLICT (kind, key) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER hub_out_link AFTER UPDATE OF template_id ON batches
WHEN EXISTS (SELECT 1 FROM hub_link) AND OLD.template_id IS NOT NEW.template_id
BEGIN
  INSERT INTO hub_records_out (kind, key) VALUES ('link', NEW.ticket_type)
  ON CONFLICT (kind, key) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER hub_out_customer_new AFTER INSERT ON customers
WHEN EXISTS (SELECT 1 FROM hub_link)
BEGIN
  INSERT INTO hub_records_out (kind, key) VALUES ('customer', NEW.phone)
  ON CONFLICT (kind, key) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER hub_out_customer_renamed AFTER UPDATE OF name ON customers
WHEN EXISTS (SELECT 1 FROM hub_link) AND OLD.name IS NOT NEW.name
BEGIN
  INSERT INTO hub_records_out (kind, key) VALUES ('customer', NEW.phone)
  ON CONFLICT (kind, key) DO UPDATE SET n = n + 1;
END;

-- Vouchers: a sale and a use each go up once. A voucher downloaded from the hub is
-- written with its uid already given (`hub_uid`), so it is never queued as a sale here;
-- a use another desk made (`used_elsewhere` = 1) is not queued, and not counted in this
-- desk's reports either (it was not this counter's work).
ALTER TABLE vouchers ADD COLUMN used_elsewhere INTEGER NOT NULL DEFAULT 0
  CHECK (used_elsewhere IN (0, 1));

CREATE TRIGGER hub_out_voucher_sold AFTER INSERT ON vouchers
WHEN EXISTS (SELECT 1 FROM hub_link) AND NEW.hub_uid IS NULL
BEGIN
  INSERT INTO hub_records_out (kind, key) VALUES ('voucher', CAST(NEW.id AS TEXT))
  ON CONFLICT (kind, key) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER hub_out_voucher_used AFTER UPDATE OF used_at ON vouchers
WHEN EXISTS (SELECT 1 FROM hub_link) AND OLD.used_at IS NULL AND NEW.used_at IS NOT NULL
  AND NEW.used_elsewhere = 0
BEGIN
  INSERT INTO hub_records_out (kind, key) VALUES ('voucher_use', CAST(NEW.id AS TEXT))
  ON CONFLICT (kind, key) DO UPDATE SET n = n + 1;
END;

-- Migration 14's count of vouchers used at this shop's counters, now also leaving out
-- the uses made at another desk of the chain (each desk counts its own counter's work).
DROP TRIGGER vouchers_count;
CREATE TRIGGER vouchers_count AFTER UPDATE OF used_at ON vouchers
  WHEN OLD.used_at IS NULL AND NEW.used_at IS NOT NULL
   AND coalesce(NEW.used_terminal, '') <> 'platform'
   AND NEW.used_elsewhere = 0
BEGIN
  INSERT INTO redemption_days
  VALUES ((NEW.used_at + (SELECT offset_ms FROM report_zone)) / 86400000, 3, 0, 0,
          coalesce(NEW.used_by, ''), coalesce(NEW.used_terminal, ''), 1, 0, NEW.price_fen)
  ON CONFLICT DO UPDATE SET uses = uses + 1,
    order_fen = order_fen + excluded.order_fen;
  INSERT INTO redemption_hours
  VALUES ((NEW.used_at + (SELECT offset_ms FROM report_zone)) / 86400000,
          ((NEW.used_at + (SELECT offset_ms FROM report_zone)) % 86400000) / 3600000,
          3, 1)
  ON CONFLICT DO UPDATE SET uses = uses + 1;
END;

-- A use of a voucher here that the hub refused because another desk's use came first
-- (the hub keeps the first; docs/chain-mode.md, "Vouchers").
CREATE TABLE hub_voucher_conflicts (
  voucher_id    INTEGER PRIMARY KEY REFERENCES vouchers(id),
  kept_by       TEXT NOT NULL,
  kept_terminal TEXT NOT NULL,
  kept_store    TEXT NOT NULL,
  kept_at       INTEGER NOT NULL,
  created_at    INTEGER NOT NULL
);

-- Migration 3's "a used voucher is final", now on the voucher's own columns only, so a
-- used voucher can still be given its hub uid (store::hub_keys) the first time it goes
-- to the hub (the join sends vouchers used before it).
DROP TRIGGER vouchers_used_once;
CREATE TRIGGER vouchers_used_once
  BEFORE UPDATE OF customer_id, pkg, name, price_fen, introduction, paid, used_at, used_by,
                   used_terminal, used_elsewhere ON vouchers
  WHEN OLD.used_at IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'voucher was already used');
END;

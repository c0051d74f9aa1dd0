-- Schema version 14: the manager's figures (issue 15). Every redemption at this desk (a
-- coupon code, a bonus, a voucher) is counted by triggers, in the writer's own
-- transaction, into `redemption_days` (one row per shop day and combination of kind,
-- template, batch, staff and terminal) and `redemption_hours` (per shop day, hour and
-- kind), so the dashboard and the report read a few thousand small rows instead of every
-- redemption (docs/reports.md), and no code path can forget to count.
--
-- Days are the shop's: `report_zone` holds the zone the rows were counted in, always the
-- settings' zone (store/settings.rs rebuilds both tables in the same transaction when the
-- zone changes: store/reports.rs `rebuild`, which also fills them for the redemptions made
-- before this version). A day is numbered from 1970-01-01. Bonuses and vouchers have no
-- template or batch: 0 there. `operator` is the staff member's name as the redemption
-- recorded it (names never change), `terminal` the counter's.
CREATE TABLE report_zone (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  offset_ms  INTEGER NOT NULL
);
INSERT INTO report_zone VALUES (1, 0);

CREATE TABLE redemption_days (
  day           INTEGER NOT NULL,
  -- 1 coupon code, 2 bonus, 3 voucher.
  kind          INTEGER NOT NULL CHECK (kind IN (1, 2, 3)),
  template_id   INTEGER NOT NULL,
  batch_id      INTEGER NOT NULL,
  operator      TEXT NOT NULL,
  terminal      TEXT NOT NULL,
  uses          INTEGER NOT NULL,
  discount_fen  INTEGER NOT NULL,
  order_fen     INTEGER NOT NULL,
  PRIMARY KEY (day, kind, template_id, batch_id, operator, terminal)
) WITHOUT ROWID;

CREATE TABLE redemption_hours (
  day    INTEGER NOT NULL,
  hour   INTEGER NOT NULL CHECK (hour BETWEEN 0 AND 23),
  kind   INTEGER NOT NULL CHECK (kind IN (1, 2, 3)),
  uses   INTEGER NOT NULL,
  PRIMARY KEY (day, hour, kind)
) WITHOUT ROWID;

-- What must stay true: a row's figures are the sums over the live (not undone) uses it
-- stands for; a use is counted once when it happens and taken back once when undone, on
-- the day and hour it happened (never the day of the undo).
CREATE TRIGGER redemptions_count AFTER INSERT ON redemptions
  WHEN NEW.undone_at IS NULL
BEGIN
  INSERT INTO redemption_days
  VALUES ((NEW.redeemed_at + (SELECT offset_ms FROM report_zone)) / 86400000, 1,
          NEW.template_id, NEW.code_id >> 32, NEW.operator, NEW.terminal, 1,
          NEW.reduction_fen, coalesce(NEW.order_fen, 0))
  ON CONFLICT DO UPDATE SET uses = uses + 1,
    discount_fen = discount_fen + excluded.discount_fen,
    order_fen = order_fen + excluded.order_fen;
  INSERT INTO redemption_hours
  VALUES ((NEW.redeemed_at + (SELECT offset_ms FROM report_zone)) / 86400000,
          ((NEW.redeemed_at + (SELECT offset_ms FROM report_zone)) % 86400000) / 3600000,
          1, 1)
  ON CONFLICT DO UPDATE SET uses = uses + 1;
END;

CREATE TRIGGER redemptions_uncount AFTER UPDATE OF undone_at ON redemptions
  WHEN OLD.undone_at IS NULL AND NEW.undone_at IS NOT NULL
BEGIN
  UPDATE redemption_days
     SET uses = uses - 1, discount_fen = discount_fen - OLD.reduction_fen,
         order_fen = order_fen - coalesce(OLD.order_fen, 0)
   WHERE day = (OLD.redeemed_at + (SELECT offset_ms FROM report_zone)) / 86400000
     AND kind = 1 AND template_id = OLD.template_id AND batch_id = OLD.code_id >> 32
     AND operator = OLD.operator AND terminal = OLD.terminal;
  UPDATE redemption_hours SET uses = uses - 1
   WHERE day = (OLD.redeemed_at + (SELECT offset_ms FROM report_zone)) / 86400000
     AND hour = ((OLD.redeemed_at + (SELECT offset_ms FROM report_zone)) % 86400000) / 3600000
     AND kind = 1;
  DELETE FROM redemption_days WHERE uses = 0
     AND day = (OLD.redeemed_at + (SELECT offset_ms FROM report_zone)) / 86400000;
  DELETE FROM redemption_hours WHERE uses = 0
     AND day = (OLD.redeemed_at + (SELECT offset_ms FROM report_zone)) / 86400000;
END;

CREATE TRIGGER bonus_redemptions_count AFTER INSERT ON bonus_redemptions
  WHEN NEW.undone_at IS NULL
BEGIN
  INSERT INTO redemption_days
  VALUES ((NEW.redeemed_at + (SELECT offset_ms FROM report_zone)) / 86400000, 2, 0, 0,
          NEW.operator, NEW.terminal, 1, NEW.reduction_fen, coalesce(NEW.order_fen, 0))
  ON CONFLICT DO UPDATE SET uses = uses + 1,
    discount_fen = discount_fen + excluded.discount_fen,
    order_fen = order_fen + excluded.order_fen;
  INSERT INTO redemption_hours
  VALUES ((NEW.redeemed_at + (SELECT offset_ms FROM report_zone)) / 86400000,
          ((NEW.redeemed_at + (SELECT offset_ms FROM report_zone)) % 86400000) / 3600000,
          2, 1)
  ON CONFLICT DO UPDATE SET uses = uses + 1;
END;

CREATE TRIGGER bonus_redemptions_uncount AFTER UPDATE OF undone_at ON bonus_redemptions
  WHEN OLD.undone_at IS NULL AND NEW.undone_at IS NOT NULL
BEGIN
  UPDATE redemption_days
     SET uses = uses - 1, discount_fen = discount_fen - OLD.reduction_fen,
         order_fen = order_fen - coalesce(OLD.order_fen, 0)
   WHERE day = (OLD.redeemed_at + (SELECT offset_ms FROM report_zone)) / 86400000
     AND kind = 2 AND template_id = 0 AND batch_id = 0
     AND operator = OLD.operator AND terminal = OLD.terminal;
  UPDATE redemption_hours SET uses = uses - 1
   WHERE day = (OLD.redeemed_at + (SELECT offset_ms FROM report_zone)) / 86400000
     AND hour = ((OLD.redeemed_at + (SELECT offset_ms FROM report_zone)) % 86400000) / 3600000
     AND kind = 2;
  DELETE FROM redemption_days WHERE uses = 0
     AND day = (OLD.redeemed_at + (SELECT offset_ms FROM report_zone)) / 86400000;
  DELETE FROM redemption_hours WHERE uses = 0
     AND day = (OLD.redeemed_at + (SELECT offset_ms FROM report_zone)) / 86400000;
END;

-- A voucher used at a counter of this shop (a platform's report of a use elsewhere is
-- not this shop's work: used_terminal 'platform'). Its order value is the voucher's
-- price, what the customer took goods for; it gives no discount. Used is final.
CREATE TRIGGER vouchers_count AFTER UPDATE OF used_at ON vouchers
  WHEN OLD.used_at IS NULL AND NEW.used_at IS NOT NULL
   AND coalesce(NEW.used_terminal, '') <> 'platform'
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

-- The rows behind a figure, newest first, by time.
CREATE INDEX redemptions_by_time ON redemptions(redeemed_at) WHERE undone_at IS NULL;
CREATE INDEX bonus_redemptions_by_time ON bonus_redemptions(redeemed_at)
  WHERE undone_at IS NULL;
CREATE INDEX vouchers_by_use ON vouchers(used_at)
  WHERE used_at IS NOT NULL AND coalesce(used_terminal, '') <> 'platform';

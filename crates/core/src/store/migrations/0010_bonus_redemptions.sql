-- Schema version 11: bonus redemptions get their own rows, like coupon redemptions, so
-- the counter's log lists both and a bonus redemption can be undone within the undo
-- window (the bonus row alone forgets a redemption once it is undone).
-- (Issue 13 parcels: 9 and 10 are other parcels' migrations.)
CREATE TABLE bonus_redemptions (
  id             INTEGER PRIMARY KEY,
  bonus_id       INTEGER NOT NULL REFERENCES bonuses(id),
  order_fen      INTEGER,
  reduction_fen  INTEGER NOT NULL,
  customer       TEXT,
  operator       TEXT NOT NULL,
  terminal       TEXT NOT NULL,
  staff_id       INTEGER REFERENCES staff(id),
  redeemed_at    INTEGER NOT NULL,
  undo_until     INTEGER NOT NULL,
  undone_at      INTEGER,
  undone_by      TEXT
);
-- At most one live redemption per bonus, whatever process writes.
CREATE UNIQUE INDEX bonus_redemptions_one_live ON bonus_redemptions(bonus_id)
  WHERE undone_at IS NULL;

-- Bonuses redeemed at this desk before this version: listed, no longer undoable (their
-- window is taken as already closed). Ones a platform reported used are not ours.
INSERT INTO bonus_redemptions (bonus_id, order_fen, reduction_fen, customer, operator,
                               terminal, redeemed_at, undo_until)
SELECT b.id, b.used_order_fen,
       min(b.amount_fen, coalesce(b.used_order_fen, b.amount_fen)),
       (SELECT c.phone FROM customers c WHERE c.id = b.customer_id),
       coalesce(b.used_by, ''), coalesce(b.used_terminal, ''), b.used_at, b.used_at
  FROM bonuses b
 WHERE b.status = 2 AND coalesce(b.used_terminal, '') <> 'platform';

-- Used stays final, with one exception: the undo of a redemption made at this desk
-- (store/bonus_undo.rs) first marks its row undone, then takes the bonus back to unused
-- stamped with that same instant (`updated_at` = the row's `undone_at`), in one
-- transaction. Any other change of a used bonus is refused, as before; a bonus a platform
-- reported used has no such row and stays used; disabled is final.
DROP TRIGGER bonuses_final;
CREATE TRIGGER bonuses_final BEFORE UPDATE ON bonuses
  WHEN OLD.status = 3
    OR (OLD.status = 2 AND NOT (NEW.status = 1
        AND NOT EXISTS (SELECT 1 FROM bonus_redemptions r
                         WHERE r.bonus_id = OLD.id AND r.undone_at IS NULL)
        AND EXISTS (SELECT 1 FROM bonus_redemptions r
                     WHERE r.bonus_id = OLD.id AND r.undone_at = NEW.updated_at)))
BEGIN
  SELECT RAISE(ABORT, 'bonus is used or disabled; it cannot change');
END;

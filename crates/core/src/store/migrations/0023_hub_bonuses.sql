-- Schema version 23: bonuses waiting to go to the hub, and bonuses used at another desk
-- (docs/chain-mode.md, "Bonuses"; store::hub_bonuses).
--
-- Triggers queue a bonus, only while the desk is joined (a hub_link row; the join sends
-- everything anyway): `bonus` when it is made, `bonus_state` when it is granted, used or
-- disabled. The pull's start uploads the queue and deletes each row after the hub's
-- commit, only if `n` is still the value it read. A pull applying the hub's version
-- deletes, in the same transaction, the row its own write queued (unless the row was
-- queued before: this desk's own change still goes up), so the hub's version is never
-- sent back as this desk's.
CREATE TABLE hub_bonuses_out (
  kind  TEXT NOT NULL CHECK (kind IN ('bonus', 'bonus_state')),
  -- the local bonus id
  key   INTEGER NOT NULL,
  n     INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (kind, key)
) WITHOUT ROWID;

-- A use another desk made (the hub's word): not sent back, and not this counter's work
-- (it has no bonus_redemptions row here, so no report counts it).
ALTER TABLE bonuses ADD COLUMN used_elsewhere INTEGER NOT NULL DEFAULT 0
  CHECK (used_elsewhere IN (0, 1));

CREATE TRIGGER hub_out_bonus_new AFTER INSERT ON bonuses
WHEN EXISTS (SELECT 1 FROM hub_link)
BEGIN
  INSERT INTO hub_bonuses_out (kind, key) VALUES ('bonus', NEW.id)
  ON CONFLICT (kind, key) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER hub_out_bonus_state AFTER UPDATE OF status, customer_id ON bonuses
WHEN EXISTS (SELECT 1 FROM hub_link)
  AND (OLD.status IS NOT NEW.status OR OLD.customer_id IS NOT NEW.customer_id)
BEGIN
  INSERT INTO hub_bonuses_out (kind, key) VALUES ('bonus_state', NEW.id)
  ON CONFLICT (kind, key) DO UPDATE SET n = n + 1;
END;

-- Migration 10's "used stays final", with one more exception: a use another desk made
-- (`used_elsewhere` = 1, written by a pull) goes back to unused when the hub gave it
-- back (that desk's undo, or its local commit failed; store::hub_bonuses). This desk's
-- own uses and disables stay as final as before.
DROP TRIGGER bonuses_final;
CREATE TRIGGER bonuses_final BEFORE UPDATE ON bonuses
  WHEN OLD.status = 3
    OR (OLD.status = 2
        AND NOT (NEW.status = 1
                 AND NOT EXISTS (SELECT 1 FROM bonus_redemptions r
                                  WHERE r.bonus_id = OLD.id AND r.undone_at IS NULL)
                 AND EXISTS (SELECT 1 FROM bonus_redemptions r
                              WHERE r.bonus_id = OLD.id AND r.undone_at = NEW.updated_at))
        AND NOT (OLD.used_elsewhere = 1 AND NEW.used_elsewhere = 0 AND NEW.status = 1
                 AND NEW.used_at IS NULL
                 AND NOT EXISTS (SELECT 1 FROM bonus_redemptions r
                                  WHERE r.bonus_id = OLD.id AND r.undone_at IS NULL)))
BEGIN
  SELECT RAISE(ABORT, 'bonus is used or disabled; it cannot change');
END;

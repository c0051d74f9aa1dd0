-- Issue 13: bonuses made by mistake are disabled as a group, the whole create run. A run is
-- named by the id of its first bonus; every bonus of one `bonus_create` carries it.
ALTER TABLE bonuses ADD COLUMN create_run INTEGER;

-- Bonuses made before this version: one creation wrote all its bonuses in one transaction
-- with one `created_at`, so bonuses sharing a creation time are one run. `bonuses_final`
-- refuses any update of a used or disabled bonus, so it is lifted for this backfill only
-- and put back exactly as version 3 made it.
DROP TRIGGER bonuses_final;
UPDATE bonuses SET create_run =
  (SELECT min(o.id) FROM bonuses o WHERE o.created_at = bonuses.created_at);
CREATE TRIGGER bonuses_final BEFORE UPDATE ON bonuses
  WHEN OLD.status IN (2, 3)
BEGIN
  SELECT RAISE(ABORT, 'bonus is used or disabled; it cannot change');
END;

CREATE INDEX bonuses_create_run ON bonuses (create_run);

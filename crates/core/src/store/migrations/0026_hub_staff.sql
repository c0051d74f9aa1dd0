-- Schema version 26: staff accounts between the desks of one hub (docs/chain-mode.md,
-- "Staff"; store::hub_staff).
--
-- An account is known across the desks by a uid (32 random hex digits), given the first
-- time it leaves this desk, or the hub's uid when it came from another desk; a uid never
-- changes (a unique index holds it). Not the name: two desks may each have made a 小王
-- before they joined, two people, and a key by name would merge them into one account
-- with one PIN and one role.
ALTER TABLE staff ADD COLUMN hub_uid TEXT NULL;
CREATE UNIQUE INDEX staff_by_hub_uid ON staff(hub_uid) WHERE hub_uid IS NOT NULL;

-- Accounts waiting to go to the hub (the local id). Triggers queue an account when it is
-- made here, or its name, role, PIN hash or disabled state changes, only while the desk
-- is joined (a hub_link row; the join sends every account anyway). A login's wrong-PIN
-- count and lockout are not watched: they stay at this desk. The pull's start uploads the
-- queue and deletes each row after the hub's commit, only if `n` is still the value it
-- read. A pull applying the hub's version deletes, in the same transaction, the row its
-- own write queued, so it is never sent back.
CREATE TABLE hub_staff_out (
  key   INTEGER PRIMARY KEY,
  n     INTEGER NOT NULL DEFAULT 1
);

-- An account downloaded from the hub is written with its uid already given: not queued.
CREATE TRIGGER hub_out_staff_new AFTER INSERT ON staff
WHEN EXISTS (SELECT 1 FROM hub_link) AND NEW.hub_uid IS NULL
BEGIN
  INSERT INTO hub_staff_out (key) VALUES (NEW.id)
  ON CONFLICT (key) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER hub_out_staff_changed AFTER UPDATE OF name, role, pin_hash, disabled_at ON staff
WHEN EXISTS (SELECT 1 FROM hub_link)
  AND (OLD.name IS NOT NEW.name OR OLD.role IS NOT NEW.role
       OR OLD.pin_hash IS NOT NEW.pin_hash
       OR (OLD.disabled_at IS NULL) <> (NEW.disabled_at IS NULL))
BEGIN
  INSERT INTO hub_staff_out (key) VALUES (NEW.id)
  ON CONFLICT (key) DO UPDATE SET n = n + 1;
END;

-- Staff accounts (issue 12). A database made before them opens with none, and the app asks
-- for the owner first (docs/staff-and-audit.md). Names are compared without case and never
-- change, so the name on old redemptions and audit entries keeps pointing at one person.
CREATE TABLE staff (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE COLLATE NOCASE,
  role          TEXT NOT NULL CHECK (role IN ('cashier', 'manager', 'owner')),
  -- Argon2id, PHC string form (salt and parameters included). Never the PIN.
  pin_hash      TEXT NOT NULL,
  disabled_at   INTEGER,
  -- Wrong PINs since the last right one or the last lockout.
  wrong_pins    INTEGER NOT NULL DEFAULT 0,
  locked_until  INTEGER,
  created_at    INTEGER NOT NULL
);

-- Who redeemed, by account: a cashier may undo only their own redemptions.
ALTER TABLE redemptions ADD COLUMN staff_id INTEGER REFERENCES staff(id);

-- A code's detail shows its audit history (entries whose subject is the code): one index
-- seek instead of a scan of the whole trail.
CREATE INDEX audit_log_by_subject ON audit_log(subject);

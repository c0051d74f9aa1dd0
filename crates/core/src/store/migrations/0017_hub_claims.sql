-- Schema version 17: chain mode's claims at the desk (docs/chain-mode.md, "Redemption
-- across desks"). Version 16 linked the desk to a hub and gave redemptions their
-- claim_id and hub_state.

-- A template's offline policy (domain::offline::OfflinePolicy as JSON); NULL is the
-- default, "not allowed": its codes wait for the hub.
ALTER TABLE templates ADD COLUMN offline_policy TEXT;

-- 1: decided at this desk while the hub did not answer (counted against the template's
-- offline limit; uploaded later through hub_outbox).
ALTER TABLE redemptions ADD COLUMN offline INTEGER NOT NULL DEFAULT 0;
CREATE INDEX redemptions_offline_day ON redemptions(template_id, terminal, redeemed_at)
  WHERE offline = 1;

-- What the hub has still to hear of, oldest first: an offline redemption to upload, or
-- an undone claim to release. Written in the transaction of the redemption or undo it
-- is about; removed in the transaction that records the hub's answer, so each is sent
-- until the hub has answered it, and repeating one is harmless (claims are named).
CREATE TABLE hub_outbox (
  id             INTEGER PRIMARY KEY,
  op             TEXT    NOT NULL CHECK (op IN ('upload', 'release')),
  claim_id       TEXT    NOT NULL,
  redemption_id  INTEGER REFERENCES redemptions(id),
  created_at     INTEGER NOT NULL,
  tries          INTEGER NOT NULL DEFAULT 0,
  last_error     TEXT
);

-- Offline redemptions the hub found another claim (or a lease, or a disabled code) had
-- first: the conflict inbox, for a manager to settle. The local redemption stays as it
-- was made (the customer has left with the goods); settling records what was done.
CREATE TABLE hub_conflicts (
  id             INTEGER PRIMARY KEY,
  redemption_id  INTEGER NOT NULL UNIQUE REFERENCES redemptions(id),
  code           TEXT    NOT NULL,
  reason         TEXT    NOT NULL,
  kept_staff     TEXT,
  kept_terminal  TEXT,
  kept_store     TEXT,
  kept_at        INTEGER,
  created_at     INTEGER NOT NULL,
  settled_at     INTEGER,
  settled_by     TEXT,
  settlement     TEXT
);

-- Codes leased to this terminal: it alone may redeem them, offline too.
CREATE TABLE hub_leased (
  code_id   INTEGER PRIMARY KEY,
  lease_id  INTEGER NOT NULL
) WITHOUT ROWID;

-- The hub's clock at the last sweep for orphan claims (claims a crash left at the hub
-- without a redemption here; desk::hub_counter): the next sweep asks for this
-- terminal's claims since then, less a margin.
ALTER TABLE hub_link ADD COLUMN swept_hub_ms INTEGER NOT NULL DEFAULT 0;

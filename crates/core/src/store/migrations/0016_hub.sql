-- Schema version 16: the desk's link to a chain-mode hub (issue 16, docs/chain-mode.md).
-- One row at most (id = 1): a desk joins one hub. The terminal role's password is not
-- here: it is kept with the platforms' secrets (sync/credentials.rs), never in this file.
CREATE TABLE hub_link (
  id              INTEGER PRIMARY KEY CHECK (id = 1),
  -- The hub's URL without any password (hub::HubUrl::display), with its sslmode.
  url             TEXT NOT NULL,
  hub_database    TEXT NOT NULL,
  store           TEXT NOT NULL,
  terminal        TEXT NOT NULL,
  terminal_id     INTEGER NOT NULL,
  -- The terminal's login role on the hub (cd_<database>_t<id>).
  role            TEXT NOT NULL,
  -- The highest change seq this desk has applied; the hub's max seq was read before the
  -- join's download, so nothing logged during it is missed.
  pulled_seq      INTEGER NOT NULL DEFAULT 0,
  last_contact_ms INTEGER,
  last_error      TEXT,
  -- How long a hub call may take before the hub counts as offline (a local setting).
  deadline_ms     INTEGER NOT NULL DEFAULT 1000 CHECK (deadline_ms > 0),
  -- Whether this desk drains the platform outbox for the whole hub.
  platform_desk   INTEGER NOT NULL DEFAULT 0 CHECK (platform_desk IN (0, 1))
);

-- A redemption's claim at the hub. NULL hub_state: made without a hub. The claims
-- (not built here) set 'claimed', 'pending', 'uploaded' or 'conflict'.
ALTER TABLE redemptions ADD COLUMN claim_id TEXT NULL;
ALTER TABLE redemptions ADD COLUMN hub_state TEXT NULL;

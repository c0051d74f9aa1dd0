-- Schema version 22: a code disabled at a joined desk waits here until the hub has
-- disabled it too (docs/chain-mode.md, "Disables"). Written in the disable's own
-- transaction, removed in the one that records the hub's answer, so a disable is sent
-- until the hub has answered it; sending it twice is harmless.
CREATE TABLE hub_disables (
  code        TEXT PRIMARY KEY,
  staff       TEXT NOT NULL,
  at          INTEGER NOT NULL,
  tries       INTEGER NOT NULL DEFAULT 0,
  last_error  TEXT
) WITHOUT ROWID;

-- Schema version 6: change records (issue #11, "the store knows nothing of sync").
--
-- The store appends one row per change a platform may need to hear of
-- (domain::change::Change as JSON), in the same transaction as the change. The sync
-- layer's router turns pending rows into outbox rows and deletes them in one
-- transaction, so each change becomes its outbox rows exactly once. Rows stay here only
-- between a use case's commit and the router's run (see docs/sync.md).
CREATE TABLE changes (
  id         INTEGER PRIMARY KEY,
  change     TEXT    NOT NULL,
  actor      TEXT    NOT NULL,
  created_at INTEGER NOT NULL
);

-- Schema version 21: the platform desk (docs/chain-mode.md, "The platform desk").
-- (Version 20 is parcel `hubdata`'s; the runner skips no version it has not run, so 21
-- may land before 20 on a branch: the lead renumbers at the merge.)
--
-- - hub_link.platform_name: the platform desk as this desk last heard it from the hub
--   ("store / terminal"); NULL: none chosen (every desk routes its own records, as
--   before chain mode). hub_link.platform_desk (migration 16) says it is this desk.
-- - hub_relay_sending: change records being relayed to the hub. A record is listed here
--   (committed) before it is sent, and removed with it after the hub's commit. While any
--   is listed the router routes nothing locally: a listed record may have reached the
--   hub already, so only the hub may route it (a desk that became the platform desk
--   meanwhile relays it again, harmlessly, and takes it back in order).
-- - hub_relay_routed: at the platform desk, the hub seqs of relayed records routed into
--   this desk's outbox, written in the same transaction as the outbox rows; a seq is
--   removed once the hub has confirmed it. After a crash between the two, a row the hub
--   still lists as taken and unconfirmed is only confirmed when its seq is here.
-- - hub_link.relay_waiting / relay_waiting_why: taken records not routable yet (a row
--   they name has not reached this desk), for `hub status`.
ALTER TABLE hub_link ADD COLUMN platform_name TEXT NULL;
ALTER TABLE hub_link ADD COLUMN relay_waiting INTEGER NOT NULL DEFAULT 0;
ALTER TABLE hub_link ADD COLUMN relay_waiting_why TEXT NULL;

CREATE TABLE hub_relay_sending (
  change_id INTEGER PRIMARY KEY REFERENCES changes(id) ON DELETE CASCADE
);

CREATE TABLE hub_relay_routed (
  seq       INTEGER PRIMARY KEY,
  routed_at INTEGER NOT NULL
);

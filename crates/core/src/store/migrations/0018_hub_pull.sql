-- Schema version 18: chain mode's pull (docs/chain-mode.md, "Changes between desks").

-- The codes whose local status is the hub's word (set by a join or a pull, not by
-- anything done here), with the status the hub gave. A release at the hub (an undo at
-- another desk) gives such a code back only while its local status is still this one;
-- a code whose status came from this desk (a redemption, a platform's word, a voucher)
-- is never listed, so the hub never undoes it.
CREATE TABLE hub_status_codes (
  code_id  INTEGER PRIMARY KEY,
  status   INTEGER NOT NULL
) WITHOUT ROWID;

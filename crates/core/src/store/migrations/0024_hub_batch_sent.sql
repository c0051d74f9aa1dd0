-- Schema version 24: how far each batch's codes have reached the hub (docs/chain-mode.md,
-- "Changes between desks"). A batch's codes are a contiguous seq range, added in seq
-- order, so one number per batch says which codes are still to send: those with
-- seq >= upto_seq. Set by each upload, and by a download whose codes came from the hub
-- when nothing of this desk's own was waiting. A batch without a row is sent whole (the
-- hub skips the codes it has), once.
CREATE TABLE hub_batch_sent (
  batch_id  INTEGER PRIMARY KEY REFERENCES batches(id) ON DELETE CASCADE,
  upto_seq  INTEGER NOT NULL
) WITHOUT ROWID;

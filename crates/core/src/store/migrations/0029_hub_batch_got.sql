-- Local schema version 29: per batch, how far this desk holds the hub's codes of it
-- (docs/chain-mode.md, "Changes between desks"; issue 16, scale). `upto_ord` is the
-- highest hub `ord` (hub schema 11) this desk has downloaded and imported for the batch:
-- every hub code of the batch with an ord up to it is here, so a `batch` change asks
-- the hub only for `ord > upto_ord`. A batch without a row is downloaded whole (the
-- join, a batch new here, a desk that never downloaded it), which then writes the row.
-- Moved only after the import has committed the codes it stands for: a crash between
-- downloads them again, and the import skips what it has.
CREATE TABLE hub_batch_got (
  batch_id  INTEGER PRIMARY KEY REFERENCES batches(id) ON DELETE CASCADE,
  upto_ord  INTEGER NOT NULL
) WITHOUT ROWID;

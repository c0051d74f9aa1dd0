-- Hub schema version 11: the order each code arrived in (docs/chain-mode.md, "Schema";
-- issue 16, scale). A `batch` change then costs the other desks the codes added since
-- their last download of the batch (`ord > their mark`), not the whole batch.
--
-- What must stay true:
-- - `ord` comes from the sequence only (the column's default), never from a desk;
-- - every INSERT into `codes` takes the upload lock first (hub/transfer.rs,
--   `UPLOAD_LOCK`) and holds it to its commit, so ords become visible in commit order:
--   a desk that has seen ord N has seen every code with a lower ord, and may ask for
--   `ord > N` next time without missing one committed later with a lower ord;
-- - rows from before this migration keep `ord` NULL ("before everything"): a desk's
--   first download of a batch is whole, and its mark starts at the highest ord it read
--   (0 when none had one), so they never travel twice.
-- ADD COLUMN without a default and SET DEFAULT afterwards rewrite nothing: a hub with
-- millions of codes migrates in the time of the index build.

SET LOCAL search_path = coupondesk;

CREATE SEQUENCE codes_ord;

ALTER TABLE codes ADD COLUMN ord bigint;
ALTER TABLE codes ALTER COLUMN ord SET DEFAULT nextval('coupondesk.codes_ord');

CREATE INDEX codes_ticket_type_ord ON codes (ticket_type, ord);

-- An upload's INSERT takes the default, so the terminals may draw from the sequence.
GRANT USAGE ON SEQUENCE codes_ord TO coupondesk_terminal;

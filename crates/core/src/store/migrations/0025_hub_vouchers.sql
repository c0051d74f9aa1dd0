-- Schema version 25: whether a joined desk may use a voucher when the hub does not answer
-- (docs/chain-mode.md, "Vouchers"). Off by default: a voucher used offline may have been
-- used at another desk too, and the service is then given twice. One row, set by a
-- manager (audited `hub.vouchers_offline`); kept over a rejoin (hub_link is rewritten).
-- (Version 23 is the `hubbonus` branch's.)
CREATE TABLE hub_voucher_settings (
  id              INTEGER PRIMARY KEY CHECK (id = 1),
  offline_allowed INTEGER NOT NULL DEFAULT 0 CHECK (offline_allowed IN (0, 1))
);

-- A manager settles a voucher conflict (the service given twice) from the Sync page, as
-- a code's (hub_conflicts): when, by whom, and the note saying what was done.
ALTER TABLE hub_voucher_conflicts ADD COLUMN settled_at INTEGER;
ALTER TABLE hub_voucher_conflicts ADD COLUMN settled_by TEXT;
ALTER TABLE hub_voucher_conflicts ADD COLUMN settlement TEXT;

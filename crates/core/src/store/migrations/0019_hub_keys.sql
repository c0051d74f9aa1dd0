-- Schema version 19: the keys rows are known by across the desks of one hub
-- (docs/chain-mode.md, "Keys"). Batches travel by ticket type, codes and bonuses by
-- code, customers by phone number: those are the same at every desk already. Templates
-- and vouchers have only a local row id, so each gets a uid the first time it leaves
-- this desk (store::hub_keys), or the hub's uid when it came from another desk. A uid
-- is never changed once given: the other desks and the hub know the row by it.
ALTER TABLE templates ADD COLUMN hub_uid TEXT NULL;
CREATE UNIQUE INDEX templates_by_hub_uid ON templates(hub_uid) WHERE hub_uid IS NOT NULL;
ALTER TABLE vouchers ADD COLUMN hub_uid TEXT NULL;
CREATE UNIQUE INDEX vouchers_by_hub_uid ON vouchers(hub_uid) WHERE hub_uid IS NOT NULL;

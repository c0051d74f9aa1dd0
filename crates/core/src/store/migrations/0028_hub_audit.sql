-- Local schema version 28: how far this desk's audit trail
-- has reached the hub (docs/chain-mode.md, "The audit trail at the hub"). The id of the
-- last entry the hub took (or had already, identical); moved only after the hub's answer,
-- so a crash before the move sends those entries again and the hub accepts them as the
-- same. Kept over a rejoin (hub_link is rewritten column by column); the join sets it to
-- the hub's own last id for this terminal.
ALTER TABLE hub_link ADD COLUMN audit_sent_id INTEGER NOT NULL DEFAULT 0;

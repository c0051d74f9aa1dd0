-- The hub's schema, version 1 (docs/chain-mode.md, "Schema"). Runs in one transaction
-- under the migration lock (hub/schema.rs). Everything lives in the schema `coupondesk`,
-- so a hub can share a database with other applications.
--
-- `coupondesk_terminal` below is a placeholder: hub/schema.rs puts this hub's own group
-- role in its place (`cd_<database>_terminal`), because role names are cluster-wide and
-- a group shared by two hubs in one cluster would let one hub's terminals read the other.

CREATE SCHEMA IF NOT EXISTS coupondesk;

CREATE TABLE coupondesk.meta (
    key   text PRIMARY KEY,
    value text NOT NULL
);

CREATE TABLE coupondesk.stores (
    id         bigserial PRIMARY KEY,
    name       text UNIQUE NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE coupondesk.terminals (
    id           bigserial PRIMARY KEY,
    store_id     bigint NOT NULL REFERENCES coupondesk.stores (id),
    name         text NOT NULL,
    role_name    text UNIQUE,
    joined_at    timestamptz NOT NULL DEFAULT now(),
    last_contact timestamptz,
    pulled_seq   bigint NOT NULL DEFAULT 0,
    UNIQUE (store_id, name)
);

-- The change log. seq is given by log_change only (never a column default), so that
-- the ordering rule below holds for every row.
CREATE SEQUENCE coupondesk.changes_seq;

CREATE TABLE coupondesk.changes (
    seq         bigint PRIMARY KEY,
    kind        text NOT NULL,
    subject     text NOT NULL,
    body        jsonb NOT NULL DEFAULT '{}'::jsonb,
    terminal_id bigint REFERENCES coupondesk.terminals (id),
    at          timestamptz NOT NULL DEFAULT now()
);

-- Appends one change and returns its seq.
--
-- seq order must be commit order: a puller that has read every change up to N must
-- never later see a change below N commit, or it would skip it forever. A plain
-- sequence does not give that (transaction A takes 5, B takes 6, B commits, a puller
-- reads up to 6, then A commits 5). So the function first takes a transaction-scoped
-- advisory lock: a second writer waits at this line until the first one's transaction
-- ends, and seqs are handed out, and become visible, in commit order. The price: the
-- transactions that log changes are serialised from their first log_change to their
-- commit, so they must stay short (one claim, one batch's upload).
-- The lock is per database (advisory locks are), so two hubs in one cluster do not wait
-- on each other.
CREATE FUNCTION coupondesk.log_change(p_kind text, p_subject text, p_body jsonb, p_terminal bigint)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    s bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(7235624523362955118); -- 'dc.chang' as a bigint
    s := nextval('coupondesk.changes_seq');
    INSERT INTO coupondesk.changes (seq, kind, subject, body, terminal_id)
    VALUES (s, p_kind, p_subject, coalesce(p_body, '{}'::jsonb), p_terminal);
    -- Delivered at commit only (NOTIFY is transactional): a woken desk finds the row.
    PERFORM pg_notify('coupondesk_changes', s::text);
    RETURN s;
END
$$;

CREATE TABLE coupondesk.templates (
    uid             text PRIMARY KEY,
    title           text NOT NULL,
    draft           jsonb NOT NULL DEFAULT '{}'::jsonb,
    offline_policy  jsonb NULL,
    origin_terminal bigint REFERENCES coupondesk.terminals (id),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE coupondesk.batches (
    ticket_type     text PRIMARY KEY,
    name            text UNIQUE NOT NULL,
    template_uid    text NULL REFERENCES coupondesk.templates (uid),
    origin_terminal bigint REFERENCES coupondesk.terminals (id),
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE coupondesk.codes (
    code           text PRIMARY KEY,
    ticket_type    text NOT NULL REFERENCES coupondesk.batches (ticket_type),
    status         text NOT NULL DEFAULT 'issued'
                   CHECK (status IN ('issued', 'active', 'redeemed', 'disabled', 'expired')),
    lease_id       bigint NULL,
    claim_id       uuid NULL,
    claim_terminal bigint NULL REFERENCES coupondesk.terminals (id),
    claim_staff    text NULL,
    claim_at       timestamptz NULL
);

CREATE INDEX codes_ticket_type ON coupondesk.codes (ticket_type);

-- Every change of a code's status is in the change log (uploads of new codes are logged
-- once per batch by the uploader instead, not per code).
CREATE FUNCTION coupondesk.code_status_changed()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM coupondesk.log_change(
        'code',
        NEW.code,
        jsonb_build_object('status', NEW.status, 'claim_id', NEW.claim_id,
                           'terminal', NEW.claim_terminal),
        NEW.claim_terminal);
    RETURN NULL;
END
$$;

CREATE TRIGGER codes_status_log
    AFTER UPDATE OF status ON coupondesk.codes
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION coupondesk.code_status_changed();

-- Rights (docs/chain-mode.md, "Rights"). Terminals read everything, add batches, codes
-- and templates (uploads), and change statuses only through SECURITY DEFINER functions
-- (the claims, migration 2): no UPDATE or DELETE on any table.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'coupondesk_terminal') THEN
        CREATE ROLE coupondesk_terminal NOLOGIN;
    END IF;
END
$$;

-- Functions are executable by PUBLIC unless revoked: each desk-facing one is granted
-- to the group by name, now and in later migrations.
ALTER DEFAULT PRIVILEGES IN SCHEMA coupondesk REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
REVOKE ALL ON SCHEMA coupondesk FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION coupondesk.log_change(text, text, jsonb, bigint) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION coupondesk.code_status_changed() FROM PUBLIC;

GRANT USAGE ON SCHEMA coupondesk TO coupondesk_terminal;
GRANT SELECT ON ALL TABLES IN SCHEMA coupondesk TO coupondesk_terminal;
GRANT INSERT ON coupondesk.batches, coupondesk.codes, coupondesk.templates TO coupondesk_terminal;
GRANT EXECUTE ON FUNCTION coupondesk.log_change(text, text, jsonb, bigint) TO coupondesk_terminal;

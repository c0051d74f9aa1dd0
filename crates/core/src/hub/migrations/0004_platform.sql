-- Hub schema version 4: the platform desk (docs/chain-mode.md, "The platform desk").
-- (Version 3 is the template travel of parcel `hubdata`; the runner takes versions in
-- order and skips none it has not run, so 4 may land before 3 on a branch.)
--
-- One desk of the hub, chosen in Settings, sends the five platforms' operations for the
-- whole hub. The other desks relay their change records here (`relayed`); the platform
-- desk takes them in seq order, routes them into its own outbox and confirms them.
--
-- What must stay true:
-- - a relayed record is keyed (origin terminal, local change id): a desk that sends the
--   same record again (after a lost answer) adds nothing;
-- - a row is taken once: only rows nobody took are taken, by the platform desk of the
--   moment; a taken row stays its taker's (after a switch too) until that desk confirms
--   it, so no two desks ever route the same record;
-- - the origin and the taker are the session's terminal (session_terminal()), never a
--   parameter a desk could lie in; terminals write these tables only through the
--   functions below.

SET LOCAL search_path = coupondesk;

-- The platform desk: one row at most (id = 1); none until Settings chooses one.
CREATE TABLE platform_desk (
  id           integer PRIMARY KEY CHECK (id = 1),
  terminal_id  bigint NOT NULL REFERENCES terminals(id),
  set_by       text NOT NULL,
  set_from     bigint NOT NULL REFERENCES terminals(id),
  set_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE relayed (
  seq          bigserial PRIMARY KEY,
  origin       bigint NOT NULL REFERENCES terminals(id),
  local_id     bigint NOT NULL,
  -- the change record with the keys every desk shares (template and voucher uids,
  -- ticket types) in place of the origin's row ids
  change       jsonb NOT NULL,
  actor        text NOT NULL,
  made_at      timestamptz NOT NULL,
  received_at  timestamptz NOT NULL DEFAULT now(),
  taken_by     bigint REFERENCES terminals(id),
  taken_at     timestamptz,
  confirmed_at timestamptz,
  UNIQUE (origin, local_id)
);
CREATE INDEX relayed_untaken ON relayed(seq) WHERE taken_by IS NULL;
CREATE INDEX relayed_unconfirmed ON relayed(taken_by, seq) WHERE confirmed_at IS NULL;

-- Makes a terminal (by its store's and its own name) the platform desk. Returns its id.
CREATE FUNCTION set_platform_desk(p_store text, p_terminal text, p_by text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = coupondesk, pg_temp AS $$
DECLARE
  me bigint := session_terminal();
  t bigint;
BEGIN
  SELECT tt.id INTO t FROM terminals tt JOIN stores s ON s.id = tt.store_id
   WHERE s.name = p_store AND tt.name = p_terminal;
  IF t IS NULL THEN
    RAISE EXCEPTION 'no terminal % in store % has joined the hub', p_terminal, p_store
      USING ERRCODE = 'P0002';
  END IF;
  INSERT INTO platform_desk (id, terminal_id, set_by, set_from) VALUES (1, t, p_by, me)
  ON CONFLICT (id) DO UPDATE SET terminal_id = excluded.terminal_id, set_by = excluded.set_by,
                                 set_from = excluded.set_from, set_at = now();
  PERFORM log_change('platform_desk', t::text, jsonb_build_object('by', p_by), me);
  RETURN t;
END $$;

-- Which desk is the platform desk (none: no row), what waits at the hub, and what this
-- session's terminal and the others have taken and not confirmed.
CREATE FUNCTION platform_state()
RETURNS TABLE (terminal_id bigint, store text, terminal text, untaken bigint,
               taken_by_me bigint, taken_by_others bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = coupondesk, pg_temp AS $$
  SELECT p.terminal_id, s.name, t.name,
         (SELECT count(*) FROM relayed WHERE taken_by IS NULL),
         (SELECT count(*) FROM relayed
           WHERE taken_by = session_terminal() AND confirmed_at IS NULL),
         (SELECT count(*) FROM relayed
           WHERE taken_by <> session_terminal() AND confirmed_at IS NULL)
    FROM (SELECT 1) one
    LEFT JOIN platform_desk p ON p.id = 1
    LEFT JOIN terminals t ON t.id = p.terminal_id
    LEFT JOIN stores s ON s.id = t.store_id
$$;

-- Relays this terminal's records: p_rows is a JSON array of
-- {"local_id", "change", "actor", "made_at"}. A record the hub has already (same origin,
-- same local id) is left as it is. Returns how many were new.
CREATE FUNCTION relay_changes(p_rows jsonb) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = coupondesk, pg_temp AS $$
DECLARE
  me bigint := session_terminal();
  n bigint;
BEGIN
  INSERT INTO relayed (origin, local_id, change, actor, made_at)
  SELECT me, (r->>'local_id')::bigint, r->'change', r->>'actor', (r->>'made_at')::timestamptz
    FROM jsonb_array_elements(p_rows) WITH ORDINALITY AS e(r, i)
   ORDER BY i
  ON CONFLICT (origin, local_id) DO NOTHING;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END $$;

-- The platform desk takes up to p_limit rows nobody took, oldest first; a desk that is
-- not the platform desk takes none. Either way, every row this terminal has taken and
-- not confirmed is returned, oldest first (after a crash, or after a switch away from
-- it, they are still its own to route and confirm).
CREATE FUNCTION take_relayed(p_limit integer)
RETURNS TABLE (seq bigint, origin bigint, local_id bigint, change jsonb, actor text,
               made_at timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = coupondesk, pg_temp AS $$
#variable_conflict use_column
DECLARE
  me bigint := session_terminal();
BEGIN
  IF EXISTS (SELECT 1 FROM platform_desk p WHERE p.id = 1 AND p.terminal_id = me) THEN
    UPDATE relayed r SET taken_by = me, taken_at = now()
      FROM (SELECT f.seq FROM relayed f WHERE f.taken_by IS NULL
             ORDER BY f.seq LIMIT p_limit FOR UPDATE SKIP LOCKED) free
     WHERE r.seq = free.seq;
  END IF;
  RETURN QUERY SELECT r.seq, r.origin, r.local_id, r.change, r.actor, r.made_at
                 FROM relayed r
                WHERE r.taken_by = me AND r.confirmed_at IS NULL
                ORDER BY r.seq;
END $$;

-- The taker confirms rows it routed. Returns how many were confirmed now.
CREATE FUNCTION confirm_relayed(p_seqs bigint[]) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = coupondesk, pg_temp AS $$
DECLARE
  me bigint := session_terminal();
  n bigint;
BEGIN
  UPDATE relayed SET confirmed_at = now()
   WHERE seq = ANY (p_seqs) AND taken_by = me AND confirmed_at IS NULL;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END $$;

GRANT SELECT ON platform_desk, relayed TO coupondesk_terminal;
GRANT EXECUTE ON FUNCTION set_platform_desk(text, text, text), platform_state(),
                          relay_changes(jsonb), take_relayed(integer),
                          confirm_relayed(bigint[])
  TO coupondesk_terminal;

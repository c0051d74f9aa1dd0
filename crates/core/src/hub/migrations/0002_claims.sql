-- Hub schema version 2: claims, redemptions, conflicts and leases (docs/chain-mode.md,
-- "Redemption across desks").
--
-- What must stay true:
-- - a code's status moves to 'redeemed' only in claim_code / upload_redemption, by one
--   conditional UPDATE on its row, so two desks can never both claim it;
-- - a claim is named by the desk's claim id (a UUID made before the claim is sent): a
--   desk that did not hear the answer sends the same claim again and learns it was its
--   own ('claimed'), never a conflict with itself;
-- - the terminal is the session's login role (terminals.role_name = session_user), never
--   a parameter a desk could lie in;
-- - every redemption a desk made offline reaches `redemptions`, even when another desk
--   had the code first: it is then one row of `conflicts` with both claims, for a
--   manager to settle. Nothing a desk uploads is dropped.

-- The names below are this schema's (for the rest of the migration's transaction).
SET LOCAL search_path = coupondesk;

CREATE TABLE leases (
  id           bigserial PRIMARY KEY,
  ticket_type  text NOT NULL REFERENCES batches(ticket_type),
  terminal_id  bigint NOT NULL REFERENCES terminals(id),
  codes        bigint NOT NULL,
  note         text NOT NULL DEFAULT '',
  created_by   text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  returned_at  timestamptz,
  returned_by  text
);

CREATE TABLE redemptions (
  claim_id       uuid PRIMARY KEY,
  code           text NOT NULL REFERENCES codes(code),
  terminal_id    bigint NOT NULL REFERENCES terminals(id),
  staff          text NOT NULL,
  at             timestamptz NOT NULL,
  order_fen      bigint,
  reduction_fen  bigint NOT NULL DEFAULT 0,
  -- false: decided at the desk while the hub did not answer, uploaded later.
  online         boolean NOT NULL,
  -- what the code was before this claim: an undo gives it back
  prev_status    text NOT NULL DEFAULT 'issued',
  received_at    timestamptz NOT NULL DEFAULT now(),
  released_at    timestamptz
);
CREATE INDEX redemptions_by_code ON redemptions(code);
CREATE INDEX redemptions_by_terminal ON redemptions(terminal_id, received_at) WHERE online;

CREATE TABLE conflicts (
  id           bigserial PRIMARY KEY,
  code         text NOT NULL REFERENCES codes(code),
  -- the claim that had the code first; none when the code was not claimed but leased
  -- to another terminal or disabled (`reason`)
  kept_claim   uuid REFERENCES redemptions(claim_id),
  later_claim  uuid NOT NULL UNIQUE REFERENCES redemptions(claim_id),
  reason       text NOT NULL CHECK (reason IN ('redeemed', 'leased', 'disabled', 'expired')),
  created_at   timestamptz NOT NULL DEFAULT now(),
  settled_at   timestamptz,
  settled_by   text,
  settlement   text
);

-- The terminal of this session; an error when the login role is not a joined terminal.
CREATE FUNCTION session_terminal() RETURNS bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = coupondesk, pg_temp AS $$
DECLARE t bigint;
BEGIN
  SELECT id INTO t FROM terminals WHERE role_name = session_user;
  IF t IS NULL THEN
    RAISE EXCEPTION 'the role % is not a joined terminal', session_user
      USING ERRCODE = '42501';
  END IF;
  RETURN t;
END $$;

-- Who holds a code now, for a refusal: the claim's staff, terminal, store and time, or
-- the lease's terminal and store.
CREATE FUNCTION holder(p_code text)
RETURNS TABLE (claim_id uuid, status text, staff text, at timestamptz, terminal text,
               store text, lease_terminal text, lease_store text, lease_terminal_id bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = coupondesk, pg_temp AS $$
  SELECT c.claim_id, c.status, c.claim_staff, c.claim_at, t.name, s.name, lt.name, ls.name,
         l.terminal_id
    FROM codes c
    LEFT JOIN terminals t ON t.id = c.claim_terminal
    LEFT JOIN stores s ON s.id = t.store_id
    LEFT JOIN leases l ON l.id = c.lease_id AND l.returned_at IS NULL
    LEFT JOIN terminals lt ON lt.id = l.terminal_id
    LEFT JOIN stores ls ON ls.id = lt.store_id
   WHERE c.code = p_code
$$;

-- A claim, online (p_online) or an offline redemption's upload. Outcomes:
--   claimed   the code is this claim's (now, or already: a repeat of the same claim)
--   taken     online, another claim has it: nothing written; the desk refuses
--   conflict  offline upload of a code another claim had: recorded as a conflict
--   leased    online, the code is leased to another terminal: nothing written
--   refused   online, the code is disabled or expired at the hub (`reason`); nothing
--             written
--   unknown   the hub has no such code (its batch was never uploaded)
-- Offline uploads of a code that is disabled, expired or leased to another terminal are
-- conflicts too (`conflicts.reason`), with no kept claim.
CREATE FUNCTION claim_code(p_code text, p_claim uuid, p_staff text, p_at timestamptz,
                           p_order_fen bigint, p_reduction_fen bigint, p_online boolean)
RETURNS TABLE (outcome text, reason text, claim_id uuid, staff text, at timestamptz,
               terminal text, store text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = coupondesk, pg_temp AS $$
DECLARE
  me bigint := session_terminal();
  was text;
  why text;
  h record;
BEGIN
  -- The one conditional statement: the row moves only from a usable status, and only
  -- for the lease's holder when it is leased. `o` reads the status it moves from (under
  -- the row lock, so a concurrent claim waits and then sees 'redeemed').
  UPDATE codes c
     SET status = 'redeemed', claim_id = p_claim, claim_terminal = me,
         claim_staff = p_staff, claim_at = p_at
    FROM (SELECT code, status FROM codes WHERE code = p_code FOR UPDATE) o
   WHERE c.code = o.code
     AND o.status IN ('issued', 'active')
     AND (c.lease_id IS NULL
          OR NOT EXISTS (SELECT 1 FROM leases l
                          WHERE l.id = c.lease_id AND l.returned_at IS NULL
                            AND l.terminal_id <> me))
  RETURNING o.status INTO was;
  IF FOUND THEN
    INSERT INTO redemptions (claim_id, code, terminal_id, staff, at, order_fen,
                             reduction_fen, online, prev_status)
    VALUES (p_claim, p_code, me, p_staff, p_at, p_order_fen, p_reduction_fen, p_online,
            was);
    RETURN QUERY SELECT 'claimed'::text, NULL::text, p_claim, p_staff, p_at, t.name, s.name
      FROM terminals t JOIN stores s ON s.id = t.store_id WHERE t.id = me;
    RETURN;
  END IF;

  SELECT * INTO h FROM holder(p_code);
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'unknown'::text, NULL::text, NULL::uuid, NULL::text,
                        NULL::timestamptz, NULL::text, NULL::text;
    RETURN;
  END IF;
  IF h.claim_id = p_claim THEN
    RETURN QUERY SELECT 'claimed'::text, NULL::text, h.claim_id, h.staff, h.at, h.terminal,
                        h.store;
    RETURN;
  END IF;
  IF p_online THEN
    IF h.status IN ('issued', 'active') AND h.lease_terminal_id IS NOT NULL THEN
      RETURN QUERY SELECT 'leased'::text, NULL::text, NULL::uuid, NULL::text,
                          NULL::timestamptz, h.lease_terminal, h.lease_store;
    ELSIF h.status = 'redeemed' THEN
      RETURN QUERY SELECT 'taken'::text, NULL::text, h.claim_id, h.staff, h.at, h.terminal,
                          h.store;
    ELSE
      RETURN QUERY SELECT 'refused'::text, h.status, NULL::uuid, NULL::text,
                          NULL::timestamptz, NULL::text, NULL::text;
    END IF;
    RETURN;
  END IF;

  -- An offline redemption of a code someone else holds: keep it, as a conflict.
  -- Repeating the upload finds the redemption row and answers the same.
  why := CASE WHEN h.status IN ('issued', 'active') THEN 'leased' ELSE h.status END;
  IF NOT EXISTS (SELECT 1 FROM redemptions r WHERE r.claim_id = p_claim) THEN
    INSERT INTO redemptions (claim_id, code, terminal_id, staff, at, order_fen,
                             reduction_fen, online)
    VALUES (p_claim, p_code, me, p_staff, p_at, p_order_fen, p_reduction_fen, false);
    INSERT INTO conflicts (code, kept_claim, later_claim, reason)
    VALUES (p_code, h.claim_id, p_claim, why);
    PERFORM log_change('conflict', p_code,
                       jsonb_build_object('kept', h.claim_id, 'later', p_claim), me);
  END IF;
  RETURN QUERY SELECT 'conflict'::text, why, h.claim_id, h.staff, h.at,
                      COALESCE(h.terminal, h.lease_terminal), COALESCE(h.store, h.lease_store);
END $$;

-- An undo: the claim lets go of its code, which becomes usable again. Only the claim's
-- own terminal may release it; a second release answers the same.
CREATE FUNCTION release_claim(p_claim uuid) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = coupondesk, pg_temp AS $$
DECLARE
  me bigint := session_terminal();
  r redemptions%ROWTYPE;
BEGIN
  SELECT * INTO r FROM redemptions WHERE claim_id = p_claim;
  IF NOT FOUND THEN RETURN 'unknown'; END IF;
  IF r.terminal_id <> me THEN RETURN 'not_yours'; END IF;
  IF r.released_at IS NOT NULL THEN RETURN 'released'; END IF;
  UPDATE redemptions SET released_at = now() WHERE claim_id = p_claim;
  UPDATE codes SET status = r.prev_status, claim_id = NULL, claim_terminal = NULL,
                   claim_staff = NULL, claim_at = NULL
   WHERE code = r.code AND claim_id = p_claim;
  RETURN 'released';
END $$;

-- This terminal's live online claims received since p_since, and the hub's time now. A
-- desk compares them with its own file, under its write lock, to find the claims a
-- crash left without a local redemption (the process died between the hub's commit and
-- its own) and releases them: such a code would otherwise stay used at the hub with no
-- redemption anywhere.
CREATE FUNCTION my_claims(p_since timestamptz)
RETURNS TABLE (claim_id uuid, code text, hub_now timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = coupondesk, pg_temp AS $$
  SELECT r.claim_id, r.code, now() FROM redemptions r
   WHERE r.terminal_id = session_terminal() AND r.online AND r.released_at IS NULL
     AND r.received_at >= p_since
  UNION ALL
  SELECT NULL, NULL, now()
$$;

GRANT EXECUTE ON FUNCTION claim_code(text, uuid, text, timestamptz, bigint, bigint, boolean),
                          release_claim(uuid), holder(text), session_terminal(),
                          my_claims(timestamptz)
  TO coupondesk_terminal;
GRANT SELECT ON leases, redemptions, conflicts TO coupondesk_terminal;

-- Leases (docs/chain-mode.md, "Leases"). A manager at any desk hands `p_count` usable
-- codes of a batch to one terminal (a stack of printed vouchers for that counter): the
-- batch's first free codes in code order. claim_code then refuses them to every other
-- terminal, so the holder may redeem them offline with no conflict possible.
CREATE FUNCTION lease_codes(p_ticket_type text, p_store text, p_terminal text,
                            p_count bigint, p_by text, p_note text)
RETURNS TABLE (lease_id bigint, code text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = coupondesk, pg_temp AS $$
DECLARE
  me bigint := session_terminal();
  holder_id bigint;
  l bigint;
  n bigint;
BEGIN
  SELECT t.id INTO holder_id FROM terminals t JOIN stores s ON s.id = t.store_id
   WHERE s.name = p_store AND t.name = p_terminal;
  IF holder_id IS NULL THEN
    RAISE EXCEPTION 'no terminal % in store % has joined the hub', p_terminal, p_store
      USING ERRCODE = 'P0002';
  END IF;
  IF p_count < 1 THEN
    RAISE EXCEPTION 'a lease needs at least one code' USING ERRCODE = '22023';
  END IF;
  INSERT INTO leases (ticket_type, terminal_id, codes, note, created_by)
  VALUES (p_ticket_type, holder_id, p_count, p_note, p_by)
  RETURNING id INTO l;
  UPDATE codes c SET lease_id = l
    FROM (SELECT f.code FROM codes f
           WHERE f.ticket_type = p_ticket_type AND f.status IN ('issued', 'active')
             AND f.lease_id IS NULL
           ORDER BY f.code LIMIT p_count FOR UPDATE SKIP LOCKED) free
   WHERE c.code = free.code;
  GET DIAGNOSTICS n = ROW_COUNT;
  IF n < p_count THEN
    RAISE EXCEPTION 'batch % has only % free codes to lease, not %', p_ticket_type, n, p_count
      USING ERRCODE = '22023';
  END IF;
  PERFORM log_change('lease', l::text,
                     jsonb_build_object('terminal', holder_id, 'codes', n,
                                        'ticket_type', p_ticket_type), me);
  RETURN QUERY SELECT l, c.code FROM codes c WHERE c.lease_id = l ORDER BY c.code;
END $$;

-- The lease ends: its codes not yet used are free for every terminal again (used ones
-- keep the lease for the record). Returns how many codes were freed; a second return
-- frees none.
CREATE FUNCTION return_lease(p_lease bigint, p_by text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = coupondesk, pg_temp AS $$
DECLARE
  me bigint := session_terminal();
  n bigint;
BEGIN
  UPDATE leases SET returned_at = now(), returned_by = p_by
   WHERE id = p_lease AND returned_at IS NULL;
  IF NOT FOUND THEN
    RETURN 0;
  END IF;
  UPDATE codes SET lease_id = NULL WHERE lease_id = p_lease AND status IN ('issued', 'active');
  GET DIAGNOSTICS n = ROW_COUNT;
  PERFORM log_change('lease', p_lease::text, jsonb_build_object('returned', true), me);
  RETURN n;
END $$;

-- This terminal's leased codes still usable: what the desk may redeem offline whatever
-- the templates' policies (`hub_leased`).
CREATE FUNCTION my_leased_codes() RETURNS TABLE (lease_id bigint, code text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = coupondesk, pg_temp AS $$
  SELECT l.id, c.code FROM leases l JOIN codes c ON c.lease_id = l.id
   WHERE l.terminal_id = session_terminal() AND l.returned_at IS NULL
     AND c.status IN ('issued', 'active')
$$;
CREATE INDEX codes_lease ON codes(lease_id) WHERE lease_id IS NOT NULL;

GRANT EXECUTE ON FUNCTION lease_codes(text, text, text, bigint, text, text),
                          return_lease(bigint, text), my_leased_codes()
  TO coupondesk_terminal;

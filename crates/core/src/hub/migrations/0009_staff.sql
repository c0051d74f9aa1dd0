-- Hub schema version 9: staff accounts travel between desks, known by a uid
-- (docs/chain-mode.md, "Staff"). Terminals have no UPDATE right, so the one write is a
-- SECURITY DEFINER function that logs one `staff` change (subject: the uid) when it
-- changed the row, in the same transaction.
--
-- What must stay true:
-- - a name belongs to one uid at the hub, without regard to case (as at the desk,
--   `name UNIQUE COLLATE NOCASE`), and never changes once the hub has it: a desk's
--   account with a name another uid holds is refused ('taken'), never merged into it
--   (two people called 小王 made at two desks must not share one PIN and one role);
-- - what travels is the name, the role, the Argon2id PHC string of the PIN (never the
--   PIN) and whether the account is disabled; wrong-PIN counts and lockouts do not;
-- - a repeat of the same values changes nothing and logs nothing (a pull applying
--   another desk's change must not make this one log another);
-- - the terminal is the session's login role (session_terminal), never a parameter.

SET LOCAL search_path = coupondesk;

CREATE TABLE staff (
  uid             text PRIMARY KEY,
  name            text NOT NULL,
  role            text NOT NULL CHECK (role IN ('cashier', 'manager', 'owner')),
  pin_hash        text NOT NULL,
  disabled        boolean NOT NULL DEFAULT false,
  origin_terminal bigint REFERENCES terminals (id),
  updated_at      timestamptz NOT NULL DEFAULT now()
);

-- The desk compares names with SQLite's NOCASE (ASCII case only); lower() folds more
-- (e.g. full-width Latin letters), so the hub may refuse a name the desk would take as
-- distinct: the refusal is the safe side (a rename), never a merge.
CREATE UNIQUE INDEX staff_name ON staff (lower(name));

-- Creates account p_uid or changes its role, PIN hash and disabled flag (the last upload
-- wins; the name of a uid the hub has never changes). outcome: 'changed' (logged),
-- 'same' (nothing to change), 'taken' (another uid holds the name: nothing written;
-- holder is that uid).
CREATE FUNCTION put_staff(p_uid text, p_name text, p_role text, p_pin_hash text,
                          p_disabled boolean)
RETURNS TABLE (outcome text, holder text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = coupondesk, pg_temp AS $$
DECLARE
  t bigint := session_terminal();
  n bigint;
  other text;
BEGIN
  SELECT uid INTO other FROM staff WHERE lower(name) = lower(p_name) AND uid <> p_uid;
  IF FOUND THEN
    RETURN QUERY SELECT 'taken'::text, other;
    RETURN;
  END IF;
  BEGIN
    INSERT INTO staff AS x (uid, name, role, pin_hash, disabled, origin_terminal)
    VALUES (p_uid, p_name, p_role, p_pin_hash, p_disabled, t)
    ON CONFLICT (uid) DO UPDATE
       SET role = excluded.role, pin_hash = excluded.pin_hash,
           disabled = excluded.disabled, updated_at = now()
     WHERE (x.role, x.pin_hash, x.disabled)
           IS DISTINCT FROM (excluded.role, excluded.pin_hash, excluded.disabled);
    GET DIAGNOSTICS n = ROW_COUNT;
  EXCEPTION WHEN unique_violation THEN
    -- Another desk's upload of the same name committed between the check above and
    -- this insert: the same answer as if it had come first.
    SELECT uid INTO other FROM staff WHERE lower(name) = lower(p_name);
    RETURN QUERY SELECT 'taken'::text, other;
    RETURN;
  END;
  IF n = 0 THEN
    RETURN QUERY SELECT 'same'::text, NULL::text;
    RETURN;
  END IF;
  PERFORM log_change('staff', p_uid, '{}'::jsonb, t);
  RETURN QUERY SELECT 'changed'::text, NULL::text;
END $$;

GRANT SELECT ON staff TO coupondesk_terminal;
GRANT EXECUTE ON FUNCTION put_staff(text, text, text, text, boolean) TO coupondesk_terminal;

-- Hub schema version 6: red-packet bonuses travel between desks, known by their code
-- (docs/chain-mode.md, "Bonuses"). Terminals have no UPDATE right, so every write is a
-- SECURITY DEFINER function that logs one `bonus` change (subject: the code) when it
-- changed the row, in the same transaction.
--
-- What must stay true:
-- - a bonus's status only moves forward: 'active' -> 'redeemed' or 'disabled' (every
--   UPDATE below is conditional on status = 'active'), except release_bonus, which gives
--   back the calling terminal's own use only (a failed local commit, an undo);
-- - a grant is once (`WHERE customer_phone IS NULL`);
-- - a repeat of any call changes nothing and logs nothing (a desk may send a row twice,
--   and a pull applying a desk's own change must not make it log another one);
-- - the terminal is the session's login role (session_terminal), never a parameter.

SET LOCAL search_path = coupondesk;

CREATE TABLE bonuses (
  code             text PRIMARY KEY,
  amount_fen       bigint NOT NULL CHECK (amount_fen > 0),
  min_amount_fen   bigint NOT NULL DEFAULT 0,
  expired_at       timestamptz,
  xname            text NOT NULL DEFAULT '',
  product_sku      text,
  status           text NOT NULL DEFAULT 'active'
                   CHECK (status IN ('active', 'redeemed', 'disabled')),
  customer_phone   text,
  granted_at       timestamptz,
  used_at          timestamptz,
  used_order_fen   bigint,
  used_product_sku text,
  used_by          text,
  used_terminal    bigint REFERENCES terminals (id),
  origin_terminal  bigint REFERENCES terminals (id),
  created_at       timestamptz NOT NULL
);

-- Bonuses made at a desk (arrays of one length: a bonus run sends thousands, in chunks).
-- A code the hub has keeps its row. Returns how many were new (each logged).
CREATE FUNCTION put_bonuses(p_codes text[], p_amounts bigint[], p_mins bigint[],
                            p_expired timestamptz[], p_xnames text[], p_skus text[],
                            p_created timestamptz[])
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = coupondesk, pg_temp AS $$
DECLARE
  t bigint := session_terminal();
  i integer;
  n bigint;
  made integer := 0;
BEGIN
  FOR i IN 1 .. coalesce(array_length(p_codes, 1), 0) LOOP
    INSERT INTO bonuses (code, amount_fen, min_amount_fen, expired_at, xname, product_sku,
                         origin_terminal, created_at)
    VALUES (p_codes[i], p_amounts[i], p_mins[i], p_expired[i], p_xnames[i], p_skus[i], t,
            p_created[i])
    ON CONFLICT (code) DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n > 0 THEN
      PERFORM log_change('bonus', p_codes[i], '{}'::jsonb, t);
      made := made + 1;
    END IF;
  END LOOP;
  RETURN made;
END $$;

-- Grants bonus p_code to p_phone, once. Returns the phone it is granted to after the
-- call (another desk's grant stands), NULL when the hub has no such bonus.
CREATE FUNCTION grant_bonus(p_code text, p_phone text, p_at timestamptz)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = coupondesk, pg_temp AS $$
DECLARE
  t bigint := session_terminal();
  now_phone text;
BEGIN
  UPDATE bonuses SET customer_phone = p_phone, granted_at = p_at
   WHERE code = p_code AND customer_phone IS NULL;
  IF FOUND THEN
    PERFORM log_change('bonus', p_code, '{}'::jsonb, t);
  END IF;
  SELECT customer_phone INTO now_phone FROM bonuses WHERE code = p_code;
  RETURN now_phone;
END $$;

-- Disables an active bonus. Returns its status after the call ('disabled', or
-- 'redeemed' when a use came first: a disable never undoes a use), 'unknown'.
CREATE FUNCTION disable_bonus(p_code text)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = coupondesk, pg_temp AS $$
DECLARE
  t bigint := session_terminal();
  s text;
BEGIN
  UPDATE bonuses SET status = 'disabled' WHERE code = p_code AND status = 'active';
  IF FOUND THEN
    PERFORM log_change('bonus', p_code, '{}'::jsonb, t);
  END IF;
  SELECT status INTO s FROM bonuses WHERE code = p_code;
  RETURN coalesce(s, 'unknown');
END $$;

-- This terminal used bonus p_code. outcome: 'used' (the hub took this use; logged),
-- 'same' (this terminal's use, sent again), 'refused' (another terminal used it first:
-- kept_* name who, when, which terminal and store), 'disabled', 'unknown'.
CREATE FUNCTION use_bonus(p_code text, p_at timestamptz, p_order_fen bigint,
                          p_sku text, p_by text)
RETURNS TABLE (outcome text, kept_by text, kept_at timestamptz, kept_terminal text,
               kept_store text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = coupondesk, pg_temp AS $$
DECLARE
  t bigint := session_terminal();
  b bonuses%ROWTYPE;
BEGIN
  UPDATE bonuses SET status = 'redeemed', used_at = p_at, used_order_fen = p_order_fen,
                     used_product_sku = p_sku, used_by = p_by, used_terminal = t
   WHERE code = p_code AND status = 'active';
  IF FOUND THEN
    PERFORM log_change('bonus', p_code, '{}'::jsonb, t);
    RETURN QUERY SELECT 'used'::text, NULL::text, NULL::timestamptz, NULL::text, NULL::text;
    RETURN;
  END IF;
  SELECT * INTO b FROM bonuses WHERE code = p_code;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'unknown'::text, NULL::text, NULL::timestamptz, NULL::text, NULL::text;
    RETURN;
  END IF;
  IF b.status = 'disabled' THEN
    RETURN QUERY SELECT 'disabled'::text, NULL::text, NULL::timestamptz, NULL::text, NULL::text;
    RETURN;
  END IF;
  IF b.used_terminal = t THEN
    RETURN QUERY SELECT 'same'::text, b.used_by, b.used_at, NULL::text, NULL::text;
    RETURN;
  END IF;
  RETURN QUERY
    SELECT 'refused'::text, b.used_by, b.used_at, te.name, s.name
      FROM terminals te JOIN stores s ON s.id = te.store_id
     WHERE te.id = b.used_terminal;
END $$;

-- Gives back this terminal's own use of bonus p_code (its local commit failed, or it was
-- undone there): the one move back, and only of the caller's own use, as release_claim
-- for codes. Returns true when it was released (and logged).
CREATE FUNCTION release_bonus(p_code text)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = coupondesk, pg_temp AS $$
DECLARE
  t bigint := session_terminal();
BEGIN
  UPDATE bonuses SET status = 'active', used_at = NULL, used_order_fen = NULL,
                     used_product_sku = NULL, used_by = NULL, used_terminal = NULL
   WHERE code = p_code AND status = 'redeemed' AND used_terminal = t;
  IF FOUND THEN
    PERFORM log_change('bonus', p_code, '{}'::jsonb, t);
    RETURN true;
  END IF;
  RETURN false;
END $$;

GRANT SELECT ON bonuses TO coupondesk_terminal;
GRANT EXECUTE ON FUNCTION
  put_bonuses(text[], bigint[], bigint[], timestamptz[], text[], text[], timestamptz[]),
  grant_bonus(text, text, timestamptz),
  disable_bonus(text),
  use_bonus(text, timestamptz, bigint, text, text),
  release_bonus(text)
  TO coupondesk_terminal;

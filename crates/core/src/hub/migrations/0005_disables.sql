-- Hub schema version 5: a code disabled at a desk (lost, leaked, refunded) is disabled
-- at the hub, so every other desk refuses it (docs/chain-mode.md, "Disables").
--
-- What must stay true: a disable never undoes a redemption. A code a claim already holds
-- stays redeemed at the hub; the desk that disabled it hears 'redeemed' (with who, where
-- and when through holder()) and keeps its own disable.

SET LOCAL search_path = coupondesk;

-- Who disabled a code, where and when (the desk's own time); one row per code.
CREATE TABLE disables (
  code         text PRIMARY KEY REFERENCES codes (code),
  terminal_id  bigint NOT NULL REFERENCES terminals (id),
  staff        text NOT NULL,
  at           timestamptz NOT NULL,
  received_at  timestamptz NOT NULL DEFAULT now()
);

-- Answers 'disabled' (now, or already), 'redeemed' (a claim holds it: left as it is),
-- 'expired', or 'unknown' (its batch has not reached the hub yet).
CREATE FUNCTION disable_code(p_code text, p_staff text, p_at timestamptz) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = coupondesk, pg_temp AS $$
DECLARE
  me bigint := session_terminal();
  s text;
BEGIN
  UPDATE codes SET status = 'disabled'
   WHERE code = p_code AND status IN ('issued', 'active');
  IF FOUND THEN
    INSERT INTO disables (code, terminal_id, staff, at) VALUES (p_code, me, p_staff, p_at)
    ON CONFLICT (code) DO NOTHING;
    RETURN 'disabled';
  END IF;
  SELECT status INTO s FROM codes WHERE code = p_code;
  RETURN coalesce(s, 'unknown');
END $$;

GRANT EXECUTE ON FUNCTION disable_code(text, text, timestamptz) TO coupondesk_terminal;
GRANT SELECT ON disables TO coupondesk_terminal;

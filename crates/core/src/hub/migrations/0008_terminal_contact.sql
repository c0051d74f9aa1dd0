-- Hub schema version 8: each terminal's contact and progress at the hub, so any desk's
-- `hub status` (and Settings -> Hub) lists every terminal of the merchant with when it
-- last reached the hub and how far behind the change log it is (docs/chain-mode.md,
-- "Status").
--
-- What must stay true: a terminal touches only its own row (the session's role decides,
-- never an argument), and pulled_seq never moves back.

SET LOCAL search_path = coupondesk;

CREATE FUNCTION touch_terminal(p_pulled bigint) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = coupondesk, pg_temp AS $$
  UPDATE terminals
     SET last_contact = now(), pulled_seq = greatest(pulled_seq, p_pulled)
   WHERE id = session_terminal();
$$;

GRANT EXECUTE ON FUNCTION touch_terminal(bigint) TO coupondesk_terminal;

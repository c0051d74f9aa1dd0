-- Hub schema 7: a voucher's use at a joined desk is claimed here before the desk writes
-- it (docs/chain-mode.md, "Vouchers"), as a code's redemption is. The claim is the use
-- itself: the same conditional UPDATE as use_voucher (the first use the hub hears of is
-- kept), but a refusal keeps no voucher_conflicts row, since the refused desk does not
-- give the service. A claim is named by (voucher, terminal): this terminal asking again
-- (a retry after a dropped answer, the upload at the pull) finds it its own ('same').

SET LOCAL search_path = coupondesk;

-- outcome: 'claimed' (this use is the hub's now; a `voucher` change logged), 'same' (this
-- terminal holds it already: kept_by and kept_at say since when), 'taken' (another
-- terminal's use: kept_* name it), 'unknown' (the hub has no such voucher).
CREATE FUNCTION claim_voucher(p_uid text, p_used_at timestamptz, p_used_by text)
RETURNS TABLE (outcome text, kept_by text, kept_at timestamptz, kept_terminal text,
               kept_store text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = coupondesk, pg_temp AS $$
DECLARE
  t bigint := session_terminal();
  n bigint;
  v vouchers%ROWTYPE;
BEGIN
  UPDATE vouchers SET used_at = p_used_at, used_by = p_used_by, used_terminal = t
   WHERE uid = p_uid AND used_at IS NULL;
  GET DIAGNOSTICS n = ROW_COUNT;
  IF n > 0 THEN
    PERFORM log_change('voucher', p_uid, jsonb_build_object('used', true), t);
    RETURN QUERY SELECT 'claimed'::text, NULL::text, NULL::timestamptz, NULL::text, NULL::text;
    RETURN;
  END IF;
  SELECT * INTO v FROM vouchers WHERE uid = p_uid;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'unknown'::text, NULL::text, NULL::timestamptz, NULL::text, NULL::text;
    RETURN;
  END IF;
  RETURN QUERY
    SELECT CASE WHEN v.used_terminal = t THEN 'same' ELSE 'taken' END,
           v.used_by, v.used_at, te.name, s.name
      FROM terminals te JOIN stores s ON s.id = te.store_id
     WHERE te.id = v.used_terminal;
END $$;

-- Gives back this terminal's claim of voucher p_uid made at p_used_at, when the desk
-- could not write the use. True when released (a `voucher` change logged). A claim of
-- another time or terminal is left alone: a repeat, or a late release, changes nothing.
CREATE FUNCTION release_voucher(p_uid text, p_used_at timestamptz)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = coupondesk, pg_temp AS $$
DECLARE
  t bigint := session_terminal();
  n bigint;
BEGIN
  UPDATE vouchers SET used_at = NULL, used_by = NULL, used_terminal = NULL
   WHERE uid = p_uid AND used_terminal = t AND used_at = p_used_at;
  GET DIAGNOSTICS n = ROW_COUNT;
  IF n > 0 THEN
    PERFORM log_change('voucher', p_uid, jsonb_build_object('used', false), t);
  END IF;
  RETURN n > 0;
END $$;

GRANT EXECUTE ON FUNCTION claim_voucher(text, timestamptz, text),
                          release_voucher(text, timestamptz)
   TO coupondesk_terminal;

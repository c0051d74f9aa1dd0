-- Hub schema version 3: templates, the batch -> template link and customers travel
-- between desks
-- (docs/chain-mode.md, "Changes between desks"). Terminals have no UPDATE right, so
-- both writes are SECURITY DEFINER functions that log their change.
--
-- What must stay true:
-- - put_template is an upsert keyed by the template's uid: a repeat of the same values
--   changes nothing and logs nothing (a desk may send a row twice, and a pull that
--   applies a desk's own change must not make it log another one);
-- - every write that changed a row logs exactly one change (`template` with the uid,
--   `link` with the ticket type), in the same transaction;
-- - the terminal is the session's login role (session_terminal), never a parameter.

SET LOCAL search_path = coupondesk;

-- Creates or replaces a template: the last upload wins. Returns the change's seq, or 0
-- when nothing changed.
CREATE FUNCTION put_template(p_uid text, p_title text, p_draft jsonb, p_policy jsonb)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = coupondesk, pg_temp AS $$
DECLARE
  t bigint := session_terminal();
  n bigint;
BEGIN
  INSERT INTO templates AS x (uid, title, draft, offline_policy, origin_terminal)
  VALUES (p_uid, p_title, p_draft, p_policy, t)
  ON CONFLICT (uid) DO UPDATE
     SET title = excluded.title, draft = excluded.draft,
         offline_policy = excluded.offline_policy, updated_at = now()
   WHERE (x.title, x.draft, x.offline_policy)
         IS DISTINCT FROM (excluded.title, excluded.draft, excluded.offline_policy);
  GET DIAGNOSTICS n = ROW_COUNT;
  IF n = 0 THEN
    RETURN 0;
  END IF;
  RETURN log_change('template', p_uid, jsonb_build_object('title', p_title), t);
END $$;

-- Links batch p_ticket_type to template p_template_uid (NULL: unlinks). p_if_unlinked:
-- only when the hub's batch has no template yet (the join: the first desk's link
-- stands; later links by staff are the last upload that wins). Returns the batch's
-- template uid after the call (NULL: unlinked, or no such batch).
CREATE FUNCTION link_batch(p_ticket_type text, p_template_uid text, p_if_unlinked boolean)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = coupondesk, pg_temp AS $$
DECLARE
  t bigint := session_terminal();
  n bigint;
  now_uid text;
BEGIN
  UPDATE batches SET template_uid = p_template_uid
   WHERE ticket_type = p_ticket_type
     AND template_uid IS DISTINCT FROM p_template_uid
     AND (NOT p_if_unlinked OR template_uid IS NULL);
  GET DIAGNOSTICS n = ROW_COUNT;
  IF n > 0 THEN
    PERFORM log_change('link', p_ticket_type,
                       jsonb_build_object('template', p_template_uid), t);
  END IF;
  SELECT template_uid INTO now_uid FROM batches WHERE ticket_type = p_ticket_type;
  RETURN now_uid;
END $$;

-- Customers, known by their phone number at every desk. The name is the last upload's,
-- except that an empty name never replaces one (as at the desk: saving a customer with
-- no name keeps the name it has).
CREATE TABLE customers (
  phone           text PRIMARY KEY,
  name            text NOT NULL DEFAULT '',
  origin_terminal bigint REFERENCES terminals (id),
  updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Uploads customers (two arrays of the same length); logs one `customer` change (the
-- phone, body {name}) per row that changed. Returns how many changed.
CREATE FUNCTION put_customers(p_phones text[], p_names text[])
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = coupondesk, pg_temp AS $$
DECLARE
  t bigint := session_terminal();
  i integer;
  n bigint;
  changed integer := 0;
  now_name text;
BEGIN
  IF coalesce(array_length(p_phones, 1), 0) <> coalesce(array_length(p_names, 1), 0) THEN
    RAISE EXCEPTION 'put_customers: % phones but % names',
      array_length(p_phones, 1), array_length(p_names, 1) USING ERRCODE = '22023';
  END IF;
  FOR i IN 1 .. coalesce(array_length(p_phones, 1), 0) LOOP
    INSERT INTO customers AS x (phone, name, origin_terminal)
    VALUES (p_phones[i], p_names[i], t)
    ON CONFLICT (phone) DO UPDATE SET name = excluded.name, updated_at = now()
     WHERE excluded.name <> '' AND x.name IS DISTINCT FROM excluded.name
    RETURNING name INTO now_name;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n > 0 THEN
      PERFORM log_change('customer', p_phones[i], jsonb_build_object('name', now_name), t);
      changed := changed + 1;
    END IF;
  END LOOP;
  RETURN changed;
END $$;

-- Vouchers, known by their uid (store::hub_keys), sold at one desk, used once. A use is
-- a conditional UPDATE, as a code's claim: the hub keeps the first use it hears of; a
-- later use of the same voucher at another terminal (both decided at their desks, which
-- do not ask the hub before a voucher's use) is a row of voucher_conflicts.
CREATE TABLE vouchers (
  uid            text PRIMARY KEY,
  customer_phone text NOT NULL,
  pkg            bigint,
  name           text NOT NULL,
  price_fen      bigint NOT NULL,
  introduction   text NOT NULL DEFAULT '',
  paid           boolean NOT NULL,
  sold_terminal  bigint REFERENCES terminals (id),
  sold_at        timestamptz NOT NULL,
  used_at        timestamptz,
  used_by        text,
  used_terminal  bigint REFERENCES terminals (id)
);

CREATE TABLE voucher_conflicts (
  id          bigserial PRIMARY KEY,
  uid         text NOT NULL REFERENCES vouchers (uid),
  terminal_id bigint NOT NULL REFERENCES terminals (id),
  used_by     text NOT NULL,
  used_at     timestamptz NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (uid, terminal_id)
);

-- A voucher sold at a desk; a repeat changes nothing. True when it was new (and a
-- `voucher` change was logged).
CREATE FUNCTION put_voucher(p_uid text, p_phone text, p_pkg bigint, p_name text,
                            p_price bigint, p_intro text, p_paid boolean, p_sold_at timestamptz)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = coupondesk, pg_temp AS $$
DECLARE
  t bigint := session_terminal();
  n bigint;
BEGIN
  INSERT INTO vouchers (uid, customer_phone, pkg, name, price_fen, introduction, paid,
                        sold_terminal, sold_at)
  VALUES (p_uid, p_phone, p_pkg, p_name, p_price, p_intro, p_paid, t, p_sold_at)
  ON CONFLICT (uid) DO NOTHING;
  GET DIAGNOSTICS n = ROW_COUNT;
  IF n > 0 THEN
    PERFORM log_change('voucher', p_uid, '{}'::jsonb, t);
  END IF;
  RETURN n > 0;
END $$;

-- This terminal used voucher p_uid. outcome: 'used' (the hub took this use; a `voucher`
-- change logged), 'same' (this terminal's use, sent again), 'conflict' (another
-- terminal's use came first: kept_* name it; a row of voucher_conflicts), 'unknown'.
CREATE FUNCTION use_voucher(p_uid text, p_used_at timestamptz, p_used_by text)
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
    RETURN QUERY SELECT 'used'::text, NULL::text, NULL::timestamptz, NULL::text, NULL::text;
    RETURN;
  END IF;
  SELECT * INTO v FROM vouchers WHERE uid = p_uid;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'unknown'::text, NULL::text, NULL::timestamptz, NULL::text, NULL::text;
    RETURN;
  END IF;
  IF v.used_terminal = t THEN
    RETURN QUERY SELECT 'same'::text, v.used_by, v.used_at, NULL::text, NULL::text;
    RETURN;
  END IF;
  INSERT INTO voucher_conflicts (uid, terminal_id, used_by, used_at)
  VALUES (p_uid, t, p_used_by, p_used_at)
  ON CONFLICT (uid, terminal_id) DO NOTHING;
  RETURN QUERY
    SELECT 'conflict'::text, v.used_by, v.used_at, te.name, s.name
      FROM terminals te JOIN stores s ON s.id = te.store_id
     WHERE te.id = v.used_terminal;
END $$;

GRANT SELECT ON customers, vouchers, voucher_conflicts TO coupondesk_terminal;
GRANT EXECUTE ON FUNCTION put_template(text, text, jsonb, jsonb),
                          link_batch(text, text, boolean),
                          put_customers(text[], text[]),
                          put_voucher(text, text, bigint, text, bigint, text, boolean, timestamptz),
                          use_voucher(text, timestamptz, text)
   TO coupondesk_terminal;

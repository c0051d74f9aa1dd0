-- Hub schema version 10: every desk's audit trail at the
-- hub, one hash chain per terminal, as the desk wrote it (docs/chain-mode.md, "The audit
-- trail at the hub").
--
-- What must stay true:
-- - a terminal adds entries only through put_audit, which takes the terminal from the
--   calling role (session_terminal), never from the desk's word;
-- - entries are appended in id order: an entry is taken only when its id is the next
--   and its prev_hash is the hash of this terminal's last entry here;
-- - an entry the hub has already is never changed: sent again identical it is accepted
--   as the same, different it is refused;
-- - terminals have no UPDATE or DELETE right on `audit` (SELECT only, as every table).
-- The hub does not recompute hashes (that would be a second copy of the canonical form):
-- the desk checks each entry before it sends it, and `hub audit verify` walks the chains
-- here with the desk's own code.

SET LOCAL search_path = coupondesk;

CREATE TABLE audit (
  terminal_id  bigint NOT NULL REFERENCES terminals (id),
  id           bigint NOT NULL,
  at           bigint NOT NULL,   -- ms since 1970, as the desk wrote it (hashed)
  actor        text NOT NULL,
  terminal     text NOT NULL,     -- the entry's own terminal field (hashed)
  action       text NOT NULL,
  subject      text NOT NULL,
  detail       text NOT NULL,     -- the desk's stored text, byte for byte
  prev_hash    text NOT NULL,
  hash         text NOT NULL,
  received_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (terminal_id, id)
);
CREATE INDEX audit_by_at ON audit (at);

-- Takes a page of this terminal's entries in id order. Stops at the first entry it
-- refuses and keeps what came before it. Answers:
--   taken    entries added now;
--   same     entries it had already, identical (a page sent again after a lost answer);
--   upto     the id of the last entry accepted (taken or same), 0 when none;
--   refused  the id of the entry refused, NULL when none;
--   reason   why ('differs', 'not_next', 'prev_hash'), NULL when none;
--   hub_last this terminal's last id here after the call.
CREATE FUNCTION put_audit(p_id bigint[], p_at bigint[], p_actor text[], p_terminal text[],
                          p_action text[], p_subject text[], p_detail text[],
                          p_prev text[], p_hash text[])
RETURNS TABLE (taken bigint, same bigint, upto bigint, refused bigint, reason text,
               hub_last bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = coupondesk, pg_temp AS $$
DECLARE
  me bigint := session_terminal();
  last_id bigint;
  last_hash text;
  e record;
  old audit%ROWTYPE;
BEGIN
  taken := 0; same := 0; upto := 0;
  -- One upload per terminal at a time (a second window of the same desk file): the
  -- second reads the last entry after the first committed.
  PERFORM pg_advisory_xact_lock(1635083380, me::int);  -- 1635083380: "audt"
  SELECT a.id, a.hash INTO last_id, last_hash
    FROM audit a WHERE a.terminal_id = me ORDER BY a.id DESC LIMIT 1;
  last_id := coalesce(last_id, 0);
  last_hash := coalesce(last_hash, repeat('0', 64));
  FOR e IN
    SELECT * FROM unnest(p_id, p_at, p_actor, p_terminal, p_action, p_subject, p_detail,
                         p_prev, p_hash)
      AS u(id, at, actor, terminal, action, subject, detail, prev, hash)
  LOOP
    IF e.id <= last_id THEN
      SELECT * INTO old FROM audit a WHERE a.terminal_id = me AND a.id = e.id;
      IF NOT FOUND OR (old.at, old.actor, old.terminal, old.action, old.subject, old.detail,
                       old.prev_hash, old.hash)
          IS DISTINCT FROM (e.at, e.actor, e.terminal, e.action, e.subject, e.detail,
                            e.prev, e.hash) THEN
        refused := e.id; reason := 'differs';
        EXIT;
      END IF;
      same := same + 1; upto := e.id;
      CONTINUE;
    END IF;
    IF e.id <> last_id + 1 THEN
      refused := e.id; reason := 'not_next';
      EXIT;
    END IF;
    IF e.prev IS DISTINCT FROM last_hash THEN
      refused := e.id; reason := 'prev_hash';
      EXIT;
    END IF;
    INSERT INTO audit (terminal_id, id, at, actor, terminal, action, subject, detail,
                       prev_hash, hash)
    VALUES (me, e.id, e.at, e.actor, e.terminal, e.action, e.subject, e.detail, e.prev,
            e.hash);
    last_id := e.id; last_hash := e.hash;
    taken := taken + 1; upto := e.id;
  END LOOP;
  hub_last := last_id;
  RETURN NEXT;
END $$;

-- This terminal's last entry id here (0: none): where a join starts the desk's cursor.
CREATE FUNCTION my_audit_last() RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = coupondesk, pg_temp AS $$
  SELECT coalesce(max(id), 0) FROM audit WHERE terminal_id = session_terminal()
$$;

GRANT EXECUTE ON FUNCTION put_audit(bigint[], bigint[], text[], text[], text[], text[],
                                    text[], text[], text[]) TO coupondesk_terminal;
GRANT EXECUTE ON FUNCTION my_audit_last() TO coupondesk_terminal;
GRANT SELECT ON audit TO coupondesk_terminal;

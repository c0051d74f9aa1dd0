-- Schema version 20: templates, batch links and customers waiting to go to the hub
-- (docs/chain-mode.md, "Changes between desks"; store::hub_records).
--
-- Triggers queue a row when a template is created or changed (title, draft, offline
-- policy), a batch's template changes, or a customer is added or renamed, only while the desk is joined (a hub_link row):
-- the join sends everything it has anyway. The pull's start uploads the queue and deletes
-- each row after the hub's commit, only if `n` is still the value it read: an edit made
-- during the upload bumps `n` and is sent next time. A pull applying another desk's
-- version deletes, in the same transaction, the row its own write just queued, so the
-- hub's version is not sent back.
CREATE TABLE hub_records_out (
  kind  TEXT NOT NULL CHECK (kind IN ('template', 'link', 'customer')),
  -- template: the local template id; link: the batch's ticket type; customer: the phone
  key   TEXT NOT NULL,
  n     INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (kind, key)
) WITHOUT ROWID;

CREATE TRIGGER hub_out_template_new AFTER INSERT ON templates
WHEN EXISTS (SELECT 1 FROM hub_link)
BEGIN
  INSERT INTO hub_records_out (kind, key) VALUES ('template', CAST(NEW.id AS TEXT))
  ON CONFLICT (kind, key) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER hub_out_template_changed AFTER UPDATE OF title, draft, offline_policy ON templates
WHEN EXISTS (SELECT 1 FROM hub_link)
  AND (OLD.title IS NOT NEW.title OR OLD.draft IS NOT NEW.draft
       OR OLD.offline_policy IS NOT NEW.offline_policy)
BEGIN
  INSERT INTO hub_records_out (kind, key) VALUES ('template', CAST(NEW.id AS TEXT))
  ON CONFLICT (kind, key) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER hub_out_link AFTER UPDATE OF template_id ON batches
WHEN EXISTS (SELECT 1 FROM hub_link) AND OLD.template_id IS NOT NEW.template_id
BEGIN
  INSERT INTO hub_records_out (kind, key) VALUES ('link', NEW.ticket_type)
  ON CONFLICT (kind, key) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER hub_out_customer_new AFTER INSERT ON customers
WHEN EXISTS (SELECT 1 FROM hub_link)
BEGIN
  INSERT INTO hub_records_out (kind, key) VALUES ('customer', NEW.phone)
  ON CONFLICT (kind, key) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER hub_out_customer_renamed AFTER UPDATE OF name ON customers
WHEN EXISTS (SELECT 1 FROM hub_link) AND OLD.name IS NOT NEW.name
BEGIN
  INSERT INTO hub_records_out (kind, key) VALUES ('customer', NEW.phone)
  ON CONFLICT (kind, key) DO UPDATE SET n = n + 1;
END;

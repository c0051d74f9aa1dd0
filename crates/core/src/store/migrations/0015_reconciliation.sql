-- Schema version 15: what each platform's last successful pull saw, for reconciliation
-- (对账, store/reconcile.rs, docs/reports.md). A pull replaces its platform's rows as a
-- whole in one transaction; a failed pull leaves the last ones (their seen_at says when).

-- Per remote group: a ticket type on 000 (key: its ticket_type), all bonuses on 002
-- (key: ''), a service name on 003 (key: the name).
CREATE TABLE remote_seen (
  platform    TEXT NOT NULL,
  remote_key  TEXT NOT NULL,
  label       TEXT NOT NULL,
  issued      INTEGER NOT NULL CHECK (issued >= 0),
  active      INTEGER NOT NULL CHECK (active >= 0),
  used        INTEGER NOT NULL CHECK (used >= 0),
  seen_at     INTEGER NOT NULL,
  PRIMARY KEY (platform, remote_key)
) WITHOUT ROWID;

-- Per item, on the platforms whose lists name items: the used bonuses of 002 (item: the
-- code) and every voucher of 003 (item: the platform's id). `used` 1 = used there.
CREATE TABLE remote_seen_items (
  platform    TEXT NOT NULL,
  item        TEXT NOT NULL,
  remote_key  TEXT NOT NULL,
  used        INTEGER NOT NULL CHECK (used IN (0, 1)),
  PRIMARY KEY (platform, item)
) WITHOUT ROWID;
CREATE INDEX remote_seen_items_by_group ON remote_seen_items(platform, remote_key, item);

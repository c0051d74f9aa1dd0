-- Schema version 2: coupon templates, the batches linked to them, redemptions at the
-- counter, and the shop's settings. Times are milliseconds since the Unix epoch, UTC.

CREATE TABLE templates (
  id          INTEGER PRIMARY KEY,
  kind        TEXT NOT NULL CHECK (kind IN ('discount', 'cash', 'groupon', 'gift', 'general')),
  title       TEXT NOT NULL,
  -- The whole validated TemplateDraft as JSON; the columns beside it are copies the
  -- list's filters (spec 001: ticket_type, begin_at, end_at) and joins need.
  draft       TEXT NOT NULL,
  quantity    INTEGER NOT NULL CHECK (quantity > 0),
  begin_at    INTEGER NOT NULL,
  end_at      INTEGER NOT NULL,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);
CREATE INDEX templates_by_begin ON templates(begin_at);
CREATE INDEX templates_by_end ON templates(end_at);

-- A batch's codes are the codes of at most one template.
ALTER TABLE batches ADD COLUMN template_id INTEGER REFERENCES templates(id);
CREATE INDEX batches_by_template ON batches(template_id) WHERE template_id IS NOT NULL;

CREATE TABLE redemptions (
  id             INTEGER PRIMARY KEY,
  code_id        INTEGER NOT NULL,
  template_id    INTEGER NOT NULL REFERENCES templates(id),
  -- The code's status before it was redeemed, restored by an undo.
  prev_status    INTEGER NOT NULL,
  order_fen      INTEGER,
  reduction_fen  INTEGER NOT NULL,
  customer       TEXT,
  operator       TEXT NOT NULL,
  terminal       TEXT NOT NULL,
  redeemed_at    INTEGER NOT NULL,
  undo_until     INTEGER NOT NULL,
  undone_at      INTEGER,
  undone_by      TEXT
);
-- The last line of defence against a double redemption: at most one live redemption per
-- code, whatever process or window writes.
CREATE UNIQUE INDEX redemptions_one_live ON redemptions(code_id) WHERE undone_at IS NULL;
CREATE INDEX redemptions_by_customer ON redemptions(template_id, customer)
  WHERE undone_at IS NULL AND customer IS NOT NULL;

CREATE TABLE settings (
  key    TEXT PRIMARY KEY,
  value  TEXT NOT NULL
) WITHOUT ROWID;

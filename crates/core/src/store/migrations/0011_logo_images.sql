-- Schema version 11: template logos picked from a file (issue 13). Spec 001 takes a logo
-- only as `logo_url`, an address on WeChat's own image host, and has no upload call, so
-- the image is kept here: the card preview and the template page show it, and a template
-- whose logo is only a file waits in the sync inbox for its address (docs/
-- templates-and-redemption.md). Content-addressed: the same file picked twice is one row.
CREATE TABLE logo_images (
  sha256     TEXT PRIMARY KEY CHECK (length(sha256) = 64),
  mime       TEXT NOT NULL CHECK (mime IN ('image/png', 'image/jpeg')),
  bytes      BLOB NOT NULL,
  file_name  TEXT NOT NULL,
  added_at   INTEGER NOT NULL
);

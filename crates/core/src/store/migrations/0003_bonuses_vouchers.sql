-- Schema version 3: the customer register, red-packet bonuses (spec 002) and exchange
-- vouchers (spec 003). Times are milliseconds since the Unix epoch, UTC; money is fen.

CREATE TABLE customers (
  id          INTEGER PRIMARY KEY,
  -- 11 digits, a mainland mobile number (domain::customer::Phone).
  phone       TEXT NOT NULL UNIQUE CHECK (length(phone) = 11),
  name        TEXT NOT NULL DEFAULT '',
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);
CREATE INDEX customers_by_name ON customers(name);

CREATE TABLE bonuses (
  id                INTEGER PRIMARY KEY,
  -- Also unique against codes.code: checked when bonuses are created.
  code              TEXT NOT NULL UNIQUE,
  amount_fen        INTEGER NOT NULL CHECK (amount_fen > 0),
  min_amount_fen    INTEGER NOT NULL DEFAULT 0 CHECK (min_amount_fen >= 0),
  -- NULL: never expires. Expiry is computed from this at read time, never stored.
  expired_at        INTEGER,
  xname             TEXT NOT NULL DEFAULT '',
  product_sku       TEXT,
  -- lifecycle::CodeStatus: 1 active, 2 redeemed, 3 disabled.
  status            INTEGER NOT NULL CHECK (status IN (1, 2, 3)),
  customer_id       INTEGER REFERENCES customers(id),
  granted_at        INTEGER,
  used_at           INTEGER,
  used_order_fen    INTEGER,
  used_product_sku  TEXT,
  used_by           TEXT,
  used_terminal     TEXT,
  created_at        INTEGER NOT NULL,
  updated_at        INTEGER NOT NULL,
  CHECK ((status = 2) = (used_at IS NOT NULL)),
  CHECK ((customer_id IS NULL) = (granted_at IS NULL))
);
-- Pages by status, newest first; counts and the expired ones (N03) by expiry.
CREATE INDEX bonuses_by_status ON bonuses(status, id);
CREATE INDEX bonuses_by_expiry ON bonuses(status, expired_at);
-- One customer's bonuses (spec 002's user_bonus).
CREATE INDEX bonuses_by_customer ON bonuses(customer_id, status, id)
  WHERE customer_id IS NOT NULL;

-- Used and disabled are final, whatever process writes: the last line of defence
-- against a double redemption or a disabled bonus coming back to life.
CREATE TRIGGER bonuses_final BEFORE UPDATE ON bonuses
  WHEN OLD.status IN (2, 3)
BEGIN
  SELECT RAISE(ABORT, 'bonus is used or disabled; it cannot change');
END;
-- A grant is once: a granted bonus keeps its customer.
CREATE TRIGGER bonuses_grant_once BEFORE UPDATE OF customer_id ON bonuses
  WHEN OLD.customer_id IS NOT NULL AND NEW.customer_id IS NOT OLD.customer_id
BEGIN
  SELECT RAISE(ABORT, 'bonus was already granted');
END;

CREATE TABLE vouchers (
  id            INTEGER PRIMARY KEY,
  customer_id   INTEGER NOT NULL REFERENCES customers(id),
  pkg           INTEGER,
  name          TEXT NOT NULL,
  price_fen     INTEGER NOT NULL CHECK (price_fen >= 0),
  introduction  TEXT NOT NULL DEFAULT '',
  paid          INTEGER NOT NULL DEFAULT 1,
  -- NULL: valid (not used yet).
  used_at       INTEGER,
  used_by       TEXT,
  used_terminal TEXT,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
);
CREATE INDEX vouchers_by_name ON vouchers(name);
CREATE INDEX vouchers_by_customer ON vouchers(customer_id, id);
CREATE INDEX vouchers_outside_pkg ON vouchers(id) WHERE pkg IS NULL;

-- A used voucher is final.
CREATE TRIGGER vouchers_used_once BEFORE UPDATE ON vouchers
  WHEN OLD.used_at IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'voucher was already used');
END;


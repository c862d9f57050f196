-- The core store: users, catalogue, stock, customers, orders, payments, age verification, loyalty.
-- Money is INTEGER minor units (cents) in the store's one currency. No card number, CVV, expiry,
-- password, date of birth or ID number is ever stored: see docs/api.md "What the store never keeps".

CREATE TABLE users (
  username TEXT PRIMARY KEY,
  role TEXT NOT NULL CHECK (role IN ('cashier', 'manager', 'admin')),
  display_name TEXT NOT NULL,
  -- scrypt(password, salt), hex; never the password
  password_hash TEXT NOT NULL,
  password_salt TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE locations (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL
);

CREATE TABLE products (
  sku TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  category TEXT NOT NULL,
  price INTEGER NOT NULL CHECK (price >= 0),
  age_restricted BOOLEAN NOT NULL DEFAULT false,
  active BOOLEAN NOT NULL DEFAULT true,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- available = on_hand - reserved. An open order reserves; completion consumes (on_hand and reserved
-- both drop); a void releases (reserved drops).
CREATE TABLE stock (
  location_id TEXT NOT NULL REFERENCES locations(id),
  sku TEXT NOT NULL REFERENCES products(sku),
  on_hand INTEGER NOT NULL CHECK (on_hand >= 0),
  reserved INTEGER NOT NULL DEFAULT 0 CHECK (reserved >= 0 AND reserved <= on_hand),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (location_id, sku)
);

CREATE TABLE customers (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  email TEXT UNIQUE,
  phone TEXT UNIQUE,
  loyalty_points INTEGER NOT NULL DEFAULT 0 CHECK (loyalty_points >= 0),
  completed_orders INTEGER NOT NULL DEFAULT 0,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE orders (
  id TEXT PRIMARY KEY,
  location_id TEXT NOT NULL REFERENCES locations(id),
  terminal_id TEXT NOT NULL,
  channel TEXT NOT NULL CHECK (channel IN ('in_store', 'online', 'voice', 'kiosk')),
  status TEXT NOT NULL CHECK (status IN ('open', 'payment_pending', 'paid', 'completed', 'voided', 'refunded')),
  customer_id TEXT REFERENCES customers(id),
  currency TEXT NOT NULL,
  subtotal INTEGER NOT NULL CHECK (subtotal >= 0),
  -- loyalty redemption applied at payment
  discount INTEGER NOT NULL DEFAULT 0 CHECK (discount >= 0),
  total INTEGER NOT NULL CHECK (total >= 0),
  item_count INTEGER NOT NULL,
  age_restricted BOOLEAN NOT NULL,
  refunded_amount INTEGER NOT NULL DEFAULT 0 CHECK (refunded_amount >= 0),
  points_earned INTEGER NOT NULL DEFAULT 0,
  points_redeemed INTEGER NOT NULL DEFAULT 0,
  created_by TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  paid_at TIMESTAMPTZ,
  completed_at TIMESTAMPTZ,
  voided_at TIMESTAMPTZ,
  voided_by TEXT,
  void_reason TEXT
);
CREATE INDEX orders_location_created ON orders (location_id, created_at);
CREATE INDEX orders_status ON orders (status);

CREATE TABLE order_items (
  order_id TEXT NOT NULL REFERENCES orders(id),
  line_no INTEGER NOT NULL,
  sku TEXT NOT NULL REFERENCES products(sku),
  name TEXT NOT NULL,
  quantity INTEGER NOT NULL CHECK (quantity > 0),
  unit_price INTEGER NOT NULL CHECK (unit_price >= 0),
  list_price INTEGER NOT NULL,
  price_overridden_by TEXT,
  line_total INTEGER NOT NULL,
  age_restricted BOOLEAN NOT NULL,
  PRIMARY KEY (order_id, line_no)
);

-- One row per payment attempt, declined and failed ones included (the audit trail of a checkout).
-- Card data: only the provider's token, brand and last four digits.
CREATE TABLE payments (
  id TEXT PRIMARY KEY,
  order_id TEXT NOT NULL REFERENCES orders(id),
  method TEXT NOT NULL CHECK (method IN ('card', 'cash', 'gift_card', 'mobile')),
  amount INTEGER NOT NULL CHECK (amount >= 0),
  status TEXT NOT NULL CHECK (status IN ('captured', 'declined', 'failed', 'reversed')),
  failure_reason TEXT,
  provider_ref TEXT,
  card_brand TEXT,
  card_last4 TEXT CHECK (card_last4 IS NULL OR card_last4 ~ '^[0-9]{4}$'),
  cash_tendered INTEGER,
  duration_ms INTEGER,
  created_by TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- At most one successful payment per order: paying twice is refused by the database too.
CREATE UNIQUE INDEX payments_one_captured_per_order ON payments (order_id) WHERE status = 'captured';

CREATE TABLE refunds (
  id TEXT PRIMARY KEY,
  order_id TEXT NOT NULL REFERENCES orders(id),
  payment_id TEXT NOT NULL REFERENCES payments(id),
  amount INTEGER NOT NULL CHECK (amount > 0),
  reason TEXT NOT NULL,
  provider_ref TEXT,
  created_by TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- What compliance needs: who checked, how, the result and an age bracket. Never the date of birth or
-- the ID number: subject_hash is HMAC-SHA256 under a server key, to spot one ID reused across orders.
CREATE TABLE age_verifications (
  id TEXT PRIMARY KEY,
  order_id TEXT NOT NULL REFERENCES orders(id),
  result TEXT NOT NULL CHECK (result IN ('pass', 'fail')),
  method TEXT NOT NULL CHECK (method IN ('id_scan', 'manual_dob', 'visual')),
  age_bracket TEXT NOT NULL CHECK (age_bracket IN ('under_18', '18_20', '21_24', '25_plus', 'unknown')),
  subject_hash TEXT,
  verified_by TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX age_verifications_order ON age_verifications (order_id, created_at);

CREATE TABLE loyalty_ledger (
  id TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL REFERENCES customers(id),
  order_id TEXT REFERENCES orders(id),
  delta INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('earned', 'redeemed', 'reversed', 'restored')),
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

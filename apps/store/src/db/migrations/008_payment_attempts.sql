-- Every provider payment is an attempt recorded BEFORE the provider is called, under the idempotency key
-- `<order id>:<attempt number>`. The attempt is `pending` while its request runs; it ends `captured`,
-- `declined`, `failed` (the provider certainly did nothing), `voided` (an authorisation that was never
-- captured, released) or `reversed` (a capture the order no longer wanted, refunded). `unknown` means the
-- provider may have acted and did not say: a timeout or a lost answer. Only the reconciler (or the
-- cashier's next pay request) settles `unknown` and abandoned `pending` attempts, by asking the provider
-- what it holds under the key; the order stays `payment_pending` until then whenever a capture may exist.
CREATE TABLE payment_attempts (
  id TEXT PRIMARY KEY,
  order_id TEXT NOT NULL REFERENCES orders(id),
  attempt INTEGER NOT NULL CHECK (attempt >= 1),
  idempotency_key TEXT NOT NULL UNIQUE,
  method TEXT NOT NULL CHECK (method IN ('card', 'gift_card', 'mobile')),
  amount INTEGER NOT NULL CHECK (amount > 0),
  points_redeemed INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL CHECK (status IN ('pending', 'unknown', 'captured', 'declined', 'failed', 'voided', 'reversed')),
  -- 'authorize' until the provider authorised; 'capture' from the moment a capture may have been sent.
  phase TEXT NOT NULL CHECK (phase IN ('authorize', 'capture')),
  authorization_id TEXT,
  failure_reason TEXT,
  resolved_by TEXT CHECK (resolved_by IS NULL OR resolved_by IN ('request', 'reconciler')),
  created_by TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (order_id, attempt)
);
CREATE INDEX payment_attempts_open ON payment_attempts (updated_at) WHERE status IN ('pending', 'unknown');

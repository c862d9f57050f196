-- Offline terminal sync (features/offline). A terminal that lost the network records sales locally,
-- each under a client-generated id, and posts them in batches when it is back. Items are queued
-- here first and applied by a worker; (terminal_id, client_sale_id) makes a replayed batch a no-op.
CREATE TABLE offline_batches (
  id TEXT PRIMARY KEY,
  terminal_id TEXT NOT NULL,
  location_id TEXT NOT NULL,
  posted_by TEXT NOT NULL,
  items INTEGER NOT NULL,
  queued INTEGER NOT NULL,
  duplicates INTEGER NOT NULL,
  rejected INTEGER NOT NULL,
  received_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE offline_sales (
  terminal_id TEXT NOT NULL,
  client_sale_id TEXT NOT NULL,
  batch_id TEXT NOT NULL REFERENCES offline_batches(id),
  location_id TEXT NOT NULL,
  posted_by TEXT NOT NULL,
  -- when the terminal recorded the sale (its clock), and when the store received it
  recorded_at TIMESTAMPTZ NOT NULL,
  queued_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  -- the validated sale as posted: channel, items, payment, age verification (no card data: the
  -- batch schema has no field for it)
  sale JSONB NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('queued', 'applied', 'rejected')),
  attempts INTEGER NOT NULL DEFAULT 0,
  -- bounded code when rejected or when the last attempt failed
  error_code TEXT,
  order_id TEXT,
  applied_at TIMESTAMPTZ,
  PRIMARY KEY (terminal_id, client_sale_id)
);
CREATE INDEX offline_sales_queued ON offline_sales (queued_at) WHERE status = 'queued';

-- Sales sync to the warehouse (features/sales-sync). The outbox holds one row per completed order to
-- push; the worker pushes unsynced rows in seq order and marks them in the same transaction that
-- moves the pipeline's cursor, so a crash between push and mark re-sends the batch (at-least-once;
-- the warehouse dedupes by sale id). Rows come from the order.completed event, from offline sales
-- applied, and from a start-up backfill of recent completed orders (the gap between an order's commit
-- and its event being handled).
CREATE TABLE sales_outbox (
  seq INTEGER GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  order_id TEXT NOT NULL UNIQUE,
  enqueued_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  synced_at TIMESTAMPTZ,
  batch_id TEXT
);
CREATE INDEX sales_outbox_unsynced ON sales_outbox (seq) WHERE synced_at IS NULL;

CREATE TABLE sync_cursors (
  pipeline TEXT PRIMARY KEY,
  -- highest outbox seq pushed and acknowledged
  last_seq INTEGER NOT NULL DEFAULT 0,
  last_batch_id TEXT,
  last_success_at TIMESTAMPTZ,
  records_synced INTEGER NOT NULL DEFAULT 0,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

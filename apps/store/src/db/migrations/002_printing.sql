-- Receipt print jobs (features/printing). One row per job dispatched to a printer agent, kept for the
-- jobs listing and for support ("did table 12's receipt print?"). order_id is a soft reference: a job
-- outlives nothing it points to, and printing never blocks or rolls back a checkout.
CREATE TABLE print_jobs (
  id TEXT PRIMARY KEY,
  order_id TEXT NOT NULL,
  location_id TEXT NOT NULL,
  job_type TEXT NOT NULL DEFAULT 'receipt' CHECK (job_type IN ('receipt', 'test')),
  status TEXT NOT NULL CHECK (status IN ('dispatched', 'printed', 'failed')),
  -- bounded: no_agent, ack_timeout, agent_disconnected, send_failed, paper_out, printer_offline, printer_error, shutdown
  failure_reason TEXT,
  agent_id TEXT,
  agent_type TEXT CHECK (agent_type IS NULL OR agent_type IN ('agent', 'desktop_app')),
  latency_ms INTEGER,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  finished_at TIMESTAMPTZ
);
CREATE INDEX print_jobs_location_created ON print_jobs (location_id, created_at);
CREATE INDEX print_jobs_order ON print_jobs (order_id);

-- Receipt notifications (features/notifications). The recipient is never stored in clear: a masked
-- form for people (+1••••••4567) and an HMAC for "same number" lookups. `attempts` and `retryable` are
-- kept for retrying failed sends.
CREATE TABLE notification_messages (
  id TEXT PRIMARY KEY,
  order_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('receipt')),
  channel TEXT NOT NULL CHECK (channel IN ('sms', 'whatsapp')),
  recipient_masked TEXT NOT NULL,
  recipient_hash TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('sending', 'sent', 'failed')),
  -- bounded: invalid_recipient, rejected, rate_limited, provider_error, provider_unavailable, timeout, network
  failure_reason TEXT,
  retryable BOOLEAN,
  attempts INTEGER NOT NULL DEFAULT 0,
  provider_ref TEXT,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- One receipt per order and channel: a repeated request returns the first message.
CREATE UNIQUE INDEX notification_messages_one_receipt ON notification_messages (order_id, kind, channel);
CREATE INDEX notification_messages_failed ON notification_messages (created_at) WHERE status = 'failed';

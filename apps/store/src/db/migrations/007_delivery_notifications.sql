-- Receipts go through the durable delivery queue (tillwatch/delivery over pg-boss, in this database):
-- a message is `queued` in the transaction that completes the order, `retrying` after a failed attempt,
-- and ends `sent`, `failed` (refused for good: a 4xx from the provider) or `dead_lettered` (retries or
-- retry budget used up; replayable with `tillwatch dlq replay`). `sending` stays valid for older rows.
ALTER TABLE notification_messages DROP CONSTRAINT notification_messages_status_check;
ALTER TABLE notification_messages ADD CONSTRAINT notification_messages_status_check
  CHECK (status IN ('queued', 'retrying', 'sending', 'sent', 'failed', 'dead_lettered'));
CREATE INDEX notification_messages_open ON notification_messages (created_at) WHERE status IN ('queued', 'retrying');

/**
 * What notifications record. The catalogue's `outbound_messages_total{channel, outcome}` is still
 * `planned` in tillwatch (no recorder for it exists yet); until one does, the binding in plugin.ts
 * records nothing and the message rows plus the log lines are the record.
 */
import type { MessageChannel } from './outbound-sender.ts';

export interface NotificationMetrics {
  messageFinished(channel: MessageChannel, outcome: 'sent' | 'failed'): void;
}

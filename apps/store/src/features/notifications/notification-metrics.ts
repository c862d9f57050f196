/**
 * What notifications record beyond what tillwatch/delivery counts for the queue: one final outcome per
 * message, `outbound_messages_total{channel, outcome}` through tillwatch's `commerce.outbound` recorder.
 */
import type { CommerceMetrics } from '../../deps.ts';
import type { MessageChannel } from './outbound-sender.ts';

export interface NotificationMetrics {
  messageFinished(channel: MessageChannel, outcome: 'sent' | 'failed' | 'dead_lettered'): void;
}

export function bindNotificationMetrics(commerce: CommerceMetrics): NotificationMetrics {
  return { messageFinished: (channel, outcome) => commerce.outbound.messageFinished({ channel, outcome }) };
}

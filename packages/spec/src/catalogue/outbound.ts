/** Outbound messages by final outcome, and failed deliveries and event handlers by event type and reason. */
import { LABEL_NAMES, LABEL_VALUES } from '../conventions.ts';
import { closedLabel, openLabel } from '../label-spec.ts';
import { defineMetric } from '../metric-spec.ts';

const common = { group: 'outbound', type: 'counter', unit: 'count' } as const;

export const outboundMetrics = {
  messages: defineMetric({
    ...common,
    owner: 'commerce',
    name: 'outbound_messages_total',
    help: 'Outbound messages (receipt SMS, WhatsApp, e-mail, webhooks), by channel and final outcome.',
    question: 'Are receipt notifications failing for one channel?',
    labels: {
      [LABEL_NAMES.messageChannel]: closedLabel('Delivery channel.', LABEL_VALUES.messageChannel),
      [LABEL_NAMES.outcome]: closedLabel('Final outcome: sent, failed (no retry was possible) or dead_lettered (retries used up).', LABEL_VALUES.messageOutcome),
    },
  }),
  eventFailures: defineMetric({
    ...common,
    owner: 'delivery',
    name: 'event_failures_total',
    help: 'Failed event handlers and delivery attempts, by event type and reason; each is also a row of the event-failure table.',
    question: 'Are more than 5 events an hour failing, and why?',
    labels: {
      [LABEL_NAMES.event]: openLabel('Event type, e.g. order.completed or receipt.send.', 'event types are declared in code, at most 50', 50),
      [LABEL_NAMES.reason]: closedLabel('Why it failed (docs/delivery.md, classification).', LABEL_VALUES.deliveryFailureReason),
    },
  }),
} as const;

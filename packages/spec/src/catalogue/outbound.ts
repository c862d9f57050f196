/** Outbound messages and internal events (planned: exported when the outbound client gets retries). */
import { LABEL_NAMES, LABEL_VALUES } from '../conventions.ts';
import { closedLabel, openLabel } from '../label-spec.ts';
import { defineMetric } from '../metric-spec.ts';

const common = { group: 'outbound', owner: 'commerce', status: 'planned', type: 'counter', unit: 'count' } as const;

export const outboundMetrics = {
  messages: defineMetric({
    ...common,
    name: 'outbound_messages_total',
    help: 'Outbound messages (receipt SMS, WhatsApp, e-mail, webhooks), by channel and final outcome.',
    question: 'Are receipt notifications failing for one channel?',
    labels: {
      [LABEL_NAMES.messageChannel]: closedLabel('Delivery channel.', LABEL_VALUES.messageChannel),
      [LABEL_NAMES.outcome]: closedLabel('Final outcome after retries.', LABEL_VALUES.messageOutcome),
    },
  }),
  eventFailures: defineMetric({
    ...common,
    name: 'event_failures_total',
    help: 'Internal event handlers that threw, by event name.',
    question: 'Are more than 5 events an hour failing?',
    labels: { [LABEL_NAMES.event]: openLabel('Event name, e.g. order.completed.', 'event names are declared in code, at most 50', 50) },
  }),
} as const;

/** The dead-letter queue: messages that failed for good, waiting for review or replay (`tillwatch dlq`). */
import { LABEL_NAMES, LABEL_VALUES } from '../conventions.ts';
import { closedLabel } from '../label-spec.ts';
import { SHARED_LABELS } from '../shared-labels.ts';
import { defineMetric } from '../metric-spec.ts';

const common = { group: 'deadLetter', owner: 'delivery' } as const;
const byQueue = { [LABEL_NAMES.queue]: SHARED_LABELS.queue } as const;

export const deadLetterMetrics = {
  deadLettered: defineMetric({
    ...common,
    name: 'dlq_dead_lettered_total',
    type: 'counter',
    unit: 'count',
    help: 'Messages moved to the dead-letter queue, by queue and reason.',
    question: 'Are messages being dead-lettered (customers not getting receipts)?',
    labels: { ...byQueue, [LABEL_NAMES.reason]: closedLabel('Why the message was dead-lettered.', LABEL_VALUES.deadLetterReason) },
  }),
  depth: defineMetric({
    ...common,
    name: 'dlq_depth',
    type: 'gauge',
    unit: 'count',
    help: 'Messages waiting in the dead-letter queue for review or replay, by queue.',
    question: 'Are dead letters present or growing, waiting for someone to replay them?',
    labels: byQueue,
  }),
  retries: defineMetric({
    ...common,
    name: 'dlq_retries_total',
    type: 'counter',
    unit: 'count',
    help: 'Delivery retries scheduled (a failed attempt that will be attempted again), by queue.',
    question: 'Is a downstream provider flaky enough that deliveries need retries?',
    labels: byQueue,
  }),
} as const;

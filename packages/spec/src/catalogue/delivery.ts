/**
 * Durable delivery queues (`tillwatch/delivery`): the state of each queue and what every attempt came to.
 * Per queue, never per message, job id or recipient.
 */
import { LABEL_NAMES, LABEL_VALUES } from '../conventions.ts';
import { closedLabel } from '../label-spec.ts';
import { SHARED_LABELS } from '../shared-labels.ts';
import { defineMetric } from '../metric-spec.ts';

const common = { group: 'delivery', owner: 'delivery' } as const;
const byQueue = { [LABEL_NAMES.queue]: SHARED_LABELS.queue } as const;

export const deliveryMetrics = {
  queueDepth: defineMetric({
    ...common,
    name: 'delivery_queue_depth',
    type: 'gauge',
    unit: 'count',
    help: 'Messages not yet delivered nor dead-lettered (waiting, scheduled for a retry, or being attempted), by queue.',
    question: 'Is a queue backing up (the provider or the worker cannot keep up)?',
    labels: byQueue,
  }),
  oldestAge: defineMetric({
    ...common,
    name: 'delivery_queue_oldest_age_seconds',
    type: 'gauge',
    unit: 'seconds',
    help: 'Age of the oldest message not yet delivered nor dead-lettered (0 when the queue is empty), by queue.',
    question: 'Is a message stuck (a customer still waiting for a receipt, the warehouse missing a sale)?',
    labels: byQueue,
  }),
  attempts: defineMetric({
    ...common,
    name: 'delivery_attempts_total',
    type: 'counter',
    unit: 'count',
    help: 'Delivery attempts, by queue and result (success, retryable_error, permanent_error).',
    question: 'What share of attempts fail, and are the failures worth retrying?',
    labels: { ...byQueue, [LABEL_NAMES.result]: closedLabel('What the attempt came to.', LABEL_VALUES.deliveryAttemptResult) },
  }),
  outcomes: defineMetric({
    ...common,
    name: 'delivery_outcomes_total',
    type: 'counter',
    unit: 'count',
    help: 'Messages that left their queue, by queue and outcome (delivered or dead_lettered).',
    question: 'Is the queue delivering, or is everything ending in the dead-letter queue?',
    labels: { ...byQueue, [LABEL_NAMES.outcome]: closedLabel('How the message left the queue.', LABEL_VALUES.deliveryOutcome) },
  }),
} as const;

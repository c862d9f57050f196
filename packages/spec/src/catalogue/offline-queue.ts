/**
 * The offline terminal queue: sales a terminal recorded while offline, posted in batches when it is back,
 * queued on the server and applied idempotently. Per location, never per terminal (terminals come and go).
 */
import { LABEL_NAMES, LABEL_VALUES } from '../conventions.ts';
import { closedLabel } from '../label-spec.ts';
import { SHARED_LABELS } from '../shared-labels.ts';
import { defineMetric } from '../metric-spec.ts';

const common = { group: 'offlineQueue', owner: 'commerce' } as const;
const byLocation = { [LABEL_NAMES.location]: SHARED_LABELS.location } as const;

export const offlineQueueMetrics = {
  depth: defineMetric({
    ...common,
    name: 'offline_queue_depth',
    type: 'gauge',
    unit: 'count',
    help: 'Offline operations received and not yet applied, by location.',
    question: 'Is the offline queue backing up?',
    labels: byLocation,
  }),
  oldestAge: defineMetric({
    ...common,
    name: 'offline_queue_oldest_age_seconds',
    type: 'gauge',
    unit: 'seconds',
    help: 'Age of the oldest operation waiting in the offline queue (0 when empty), by location.',
    question: 'Are offline sales stuck (stock and revenue figures stale) at a location?',
    labels: byLocation,
  }),
  syncAttempts: defineMetric({
    ...common,
    name: 'offline_sync_attempts_total',
    type: 'counter',
    unit: 'count',
    help: 'Offline batches posted by terminals, by location and outcome.',
    question: 'Are terminals failing to sync what they sold offline?',
    labels: { ...byLocation, [LABEL_NAMES.outcome]: closedLabel('Outcome of the whole batch.', LABEL_VALUES.offlineSyncOutcome) },
  }),
  operations: defineMetric({
    ...common,
    name: 'offline_sync_operations_total',
    type: 'counter',
    unit: 'count',
    help: 'Offline operations processed, by location and result; duplicates are replays the idempotency key caught.',
    question: 'Are offline operations rejected (lost sales) or replayed many times?',
    labels: { ...byLocation, [LABEL_NAMES.result]: closedLabel('What happened to the operation.', LABEL_VALUES.offlineOperationResult) },
  }),
} as const;

/** The sync pipeline: completed sales pushed in batches to a warehouse (or any downstream system). */
import { BUCKETS, LABEL_NAMES, LABEL_VALUES } from '../conventions.ts';
import { closedLabel } from '../label-spec.ts';
import { SHARED_LABELS } from '../shared-labels.ts';
import { defineMetric } from '../metric-spec.ts';

const common = { group: 'sync', owner: 'commerce' } as const;
const byPipeline = { [LABEL_NAMES.pipeline]: SHARED_LABELS.pipeline } as const;

export const syncMetrics = {
  records: defineMetric({
    ...common,
    name: 'sync_records_total',
    type: 'counter',
    unit: 'count',
    help: 'Records delivered downstream, by pipeline.',
    question: 'Is the pipeline moving (records per minute), or has it stalled?',
    labels: byPipeline,
  }),
  batchDuration: defineMetric({
    ...common,
    name: 'sync_batch_duration_seconds',
    type: 'histogram',
    unit: 'seconds',
    help: 'Duration of one batch, by pipeline and outcome.',
    question: 'Is the warehouse getting slower to accept batches (p95 over 5 s)?',
    labels: { ...byPipeline, [LABEL_NAMES.outcome]: SHARED_LABELS.successFailure },
    buckets: BUCKETS.syncBatchSeconds,
  }),
  errors: defineMetric({
    ...common,
    name: 'sync_errors_total',
    type: 'counter',
    unit: 'count',
    help: 'Failed batches, by pipeline and error type.',
    question: 'Why are batches failing: network, auth, rejected data or the warehouse itself?',
    labels: { ...byPipeline, [LABEL_NAMES.errorType]: closedLabel('Kind of failure.', LABEL_VALUES.syncErrorType) },
  }),
  lastSuccess: defineMetric({
    ...common,
    name: 'sync_last_success_timestamp_seconds',
    type: 'gauge',
    unit: 'seconds',
    help: 'Unix time of the last successful batch, by pipeline.',
    question: 'How stale is the warehouse (sync stalled for 15 minutes)?',
    labels: byPipeline,
  }),
} as const;

/** `commerce.sync`: batches pushed downstream (the sales sync to the warehouse). */
import { type SyncErrorType, catalogue } from '@tillwatch/spec';
import { closedNormalizer, openValue, type LabelInput } from '../metrics/label-normalizer.ts';
import { neverThrow } from './never-throw.ts';
import type { RecorderContext } from './recorder-context.ts';

export interface SyncBatchSucceeded {
  readonly pipeline: string;
  /** Records delivered in the batch. */
  readonly records: number;
  readonly durationSeconds: number;
}

export interface SyncBatchFailed {
  readonly pipeline: string;
  readonly errorType: LabelInput<SyncErrorType>;
  readonly durationSeconds?: number;
}

export interface SyncRecorder {
  /** A batch was accepted downstream: records counted, duration observed, last-success timestamp set to now. Never throws. */
  batchSucceeded(event: SyncBatchSucceeded): void;
  /** A batch failed: error counted, duration observed when given. Never throws. */
  batchFailed(event: SyncBatchFailed): void;
}

export function createSyncRecorder(ctx: RecorderContext): SyncRecorder {
  const m = catalogue.metrics.sync;
  const records = ctx.metrics.register(m.records);
  const duration = ctx.metrics.register(m.batchDuration);
  const errors = ctx.metrics.register(m.errors);
  const lastSuccess = ctx.metrics.register(m.lastSuccess);
  const errorTypeOf = closedNormalizer(m.errors.labels.error_type);
  return {
    batchSucceeded: neverThrow((e: SyncBatchSucceeded) => {
      const pipeline = openValue(e.pipeline);
      records.inc({ pipeline }, e.records);
      duration.observe({ pipeline, outcome: 'success' }, e.durationSeconds);
      lastSuccess.set({ pipeline }, ctx.clock.epochMs() / 1000);
    }),
    batchFailed: neverThrow((e: SyncBatchFailed) => {
      const pipeline = openValue(e.pipeline);
      errors.inc({ pipeline, error_type: errorTypeOf(e.errorType) });
      if (e.durationSeconds !== undefined) duration.observe({ pipeline, outcome: 'failure' }, e.durationSeconds);
    }),
  };
}

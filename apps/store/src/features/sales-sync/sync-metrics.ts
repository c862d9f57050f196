/**
 * What the sales sync records, bound to tillwatch's `commerce.sync` recorder (sync_records_total,
 * sync_batch_duration_seconds, sync_errors_total, sync_last_success_timestamp_seconds) under the
 * pipeline label `warehouse`. The recorder sets the last-success gauge on every acknowledged batch.
 */
import type { CommerceMetrics } from '../../deps.ts';
import type { SyncErrorType } from './warehouse-client.ts';

export interface SyncMetrics {
  batchSucceeded(records: number, seconds: number): void;
  batchFailed(errorType: SyncErrorType, seconds: number): void;
}

export function bindSyncMetrics(commerce: CommerceMetrics, pipeline: string): SyncMetrics {
  return {
    batchSucceeded: (records, seconds) => commerce.sync.batchSucceeded({ pipeline, records, durationSeconds: seconds }),
    batchFailed: (errorType, seconds) => commerce.sync.batchFailed({ pipeline, errorType, durationSeconds: seconds }),
  };
}

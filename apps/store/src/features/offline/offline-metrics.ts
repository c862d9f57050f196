/**
 * What the offline queue records, bound to tillwatch's `commerce.offlineQueue` recorder
 * (offline_queue_depth, offline_queue_oldest_age_seconds, offline_sync_attempts_total,
 * offline_sync_operations_total) and, for each sale applied, `commerce.orders.completed`: an offline
 * sale is an order and revenue like any other, counted when the store learns of it. Its age
 * verification (done at the till while offline) counts in the compliance metric then too.
 *
 * A sync attempt is one posted batch, or one worker cycle that applied or rejected sales left queued
 * at one location (the server retrying on the terminal's behalf).
 */
import type { CommerceMetrics } from '../../deps.ts';
import { METHOD_LABEL } from '../../orders/age.ts';
import { saleTotal, saleUnits, type OfflineSale } from './offline-batch.ts';
import type { QueueDepth } from './offline-queue.ts';

/** Outcome of one sync attempt (LABEL_VALUES.offlineSyncOutcome). */
export type BatchOutcome = 'success' | 'partial' | 'rejected' | 'failure';

export interface AttemptCounts {
  readonly applied: number;
  readonly duplicates: number;
  readonly rejected: number;
}

export interface OfflineMetrics {
  syncAttempt(location: string, outcome: BatchOutcome, counts: AttemptCounts): void;
  saleApplied(location: string, sale: OfflineSale, currency: string): void;
  queueDepth(depths: readonly QueueDepth[]): void;
}

export function bindOfflineMetrics(commerce: CommerceMetrics): OfflineMetrics {
  return {
    syncAttempt: (location, outcome, c) =>
      commerce.offlineQueue.syncAttempt({ location, outcome, applied: c.applied, duplicates: c.duplicates, rejected: c.rejected }),
    saleApplied: (location, sale, currency) => {
      commerce.orders.completed({ location, channel: sale.channel, valueMinor: saleTotal(sale), currency, items: saleUnits(sale) });
      if (sale.ageVerification !== undefined) {
        commerce.compliance.ageVerification({ location, result: 'passed', method: METHOD_LABEL[sale.ageVerification.method] });
      }
    },
    queueDepth: (depths) => {
      for (const d of depths) commerce.offlineQueue.queueState({ location: d.location, depth: d.depth, oldestAgeSeconds: d.oldest_age_seconds });
    },
  };
}

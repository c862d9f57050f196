/** `commerce.offlineQueue`: batches of sales posted by terminals that were offline. */
import { type OfflineSyncOutcome, catalogue } from '@tillwatch/spec';
import { closedNormalizer, openValue, type LabelInput } from '../metrics/label-normalizer.ts';
import { neverThrow } from './never-throw.ts';
import type { RecorderContext } from './recorder-context.ts';

export interface OfflineQueueState {
  readonly location: string;
  /** Operations received and not yet applied. */
  readonly depth: number;
  /** Age of the oldest waiting operation in seconds; 0 (or omitted) when the queue is empty. */
  readonly oldestAgeSeconds?: number;
}

export interface OfflineSyncAttempt {
  readonly location: string;
  readonly outcome: LabelInput<OfflineSyncOutcome>;
  /** Operations applied from the batch. */
  readonly applied?: number;
  /** Operations already applied before (caught by the idempotency key). */
  readonly duplicates?: number;
  /** Operations refused (invalid, conflicting). */
  readonly rejected?: number;
}

export interface OfflineQueueRecorder {
  /** Sets the queue gauges of a location (after every enqueue and apply, or from a periodic job). Never throws. */
  queueState(state: OfflineQueueState): void;
  /** A terminal posted a batch: counts the attempt and what happened to its operations. Never throws. */
  syncAttempt(event: OfflineSyncAttempt): void;
}

export function createOfflineQueueRecorder(ctx: RecorderContext): OfflineQueueRecorder {
  const m = catalogue.metrics.offlineQueue;
  const depth = ctx.metrics.register(m.depth);
  const oldestAge = ctx.metrics.register(m.oldestAge);
  const attempts = ctx.metrics.register(m.syncAttempts);
  const operations = ctx.metrics.register(m.operations);
  const outcomeOf = closedNormalizer(m.syncAttempts.labels.outcome);
  return {
    queueState: neverThrow((s: OfflineQueueState) => {
      const location = openValue(s.location);
      depth.set({ location }, s.depth);
      oldestAge.set({ location }, s.oldestAgeSeconds ?? 0);
    }),
    syncAttempt: neverThrow((e: OfflineSyncAttempt) => {
      const location = openValue(e.location);
      attempts.inc({ location, outcome: outcomeOf(e.outcome) });
      if (e.applied !== undefined && e.applied !== 0) operations.inc({ location, result: 'applied' }, e.applied);
      if (e.duplicates !== undefined && e.duplicates !== 0) operations.inc({ location, result: 'duplicate' }, e.duplicates);
      if (e.rejected !== undefined && e.rejected !== 0) operations.inc({ location, result: 'rejected' }, e.rejected);
    }),
  };
}

/** `commerce.payments`: every call to a payment provider, with its duration. */
import { type PaymentFailureReason, type PaymentMethod, type PaymentOperation, type PaymentResolution, catalogue } from '@tillwatch/spec';
import { closedNormalizer, type LabelInput } from '../metrics/label-normalizer.ts';
import { neverThrow } from './never-throw.ts';
import type { RecorderContext } from './recorder-context.ts';

export interface PaymentCall {
  readonly method: LabelInput<PaymentMethod>;
  /** Default `sale` (authorise and capture in one step). */
  readonly operation?: LabelInput<PaymentOperation>;
}

export interface PaymentSucceeded extends PaymentCall {
  readonly durationSeconds: number;
}

export interface PaymentFailed extends PaymentCall {
  readonly reason: LabelInput<PaymentFailureReason>;
  readonly durationSeconds?: number;
}

/** A provider call in progress, from {@link PaymentsRecorder.start}. Only the first outcome counts. */
export interface PaymentAttempt {
  succeeded(): void;
  failed(reason: LabelInput<PaymentFailureReason>): void;
}

export interface PaymentsRecorder {
  /**
   * A provider call starts: counts the attempt now and times it until `succeeded()` or `failed()`.
   * Attempts that never finish show up as attempts minus successes minus failures.
   * @example
   * const attempt = commerce.payments.start({ method: 'card' });
   * try { await provider.charge(req); attempt.succeeded(); } catch (e) { attempt.failed(reasonOf(e)); throw e; }
   */
  start(call: PaymentCall): PaymentAttempt;
  /** A provider call that already finished successfully, timed by the caller. Counts the attempt too. */
  succeeded(event: PaymentSucceeded): void;
  /** A provider call that already failed. Counts the attempt too; the duration is optional (a request never sent has none). */
  failed(event: PaymentFailed): void;
  /** How many payments have an outcome the provider has not confirmed yet (a lost answer, a timeout), as of now. */
  unknown(count: number): void;
  /** The reconciler settled one payment whose outcome was unknown, by asking the provider. */
  reconciled(resolution: LabelInput<PaymentResolution>): void;
  /** A reconciliation run finished (every open payment looked at, settled or not); `atMs` defaults to now. */
  reconciliationFinished(atMs?: number): void;
}

export function createPaymentsRecorder(ctx: RecorderContext): PaymentsRecorder {
  const m = catalogue.metrics.payments;
  const attempts = ctx.metrics.register(m.attempts);
  const successes = ctx.metrics.register(m.successes);
  const failures = ctx.metrics.register(m.failures);
  const duration = ctx.metrics.register(m.duration);
  const methodOf = closedNormalizer(m.attempts.labels.method);
  const operationOf = closedNormalizer(m.attempts.labels.operation);
  const reasonOf = closedNormalizer(m.failures.labels.reason);
  const unknown = ctx.metrics.register(m.unknown);
  const reconciliations = ctx.metrics.register(m.reconciliations);
  const reconciliationLastSuccess = ctx.metrics.register(m.reconciliationLastSuccess);
  const resolutionOf = closedNormalizer(m.reconciliations.labels.resolution);

  const labelsOf = (call: PaymentCall) => ({ method: methodOf(call.method), operation: operationOf(call.operation ?? 'sale') });
  const success = (labels: { method: string; operation: string }, seconds: number) => {
    successes.inc(labels);
    duration.observe({ ...labels, outcome: 'success' }, seconds);
  };
  const failure = (labels: { method: string; operation: string }, reason: unknown, seconds: number | undefined) => {
    failures.inc({ ...labels, reason: reasonOf(reason) });
    if (seconds !== undefined) duration.observe({ ...labels, outcome: 'failure' }, seconds);
  };

  return {
    start(call: PaymentCall): PaymentAttempt {
      let labels = { method: 'other', operation: 'other' };
      let startedMs = Number.NaN;
      try {
        labels = labelsOf(call);
        startedMs = ctx.clock.monotonicMs();
        attempts.inc(labels);
      } catch {
        // see never-throw.ts
      }
      let done = false;
      const elapsed = () => (ctx.clock.monotonicMs() - startedMs) / 1000;
      return {
        succeeded: neverThrow(() => {
          if (done) return;
          done = true;
          success(labels, elapsed());
        }),
        failed: neverThrow((reason: LabelInput<PaymentFailureReason>) => {
          if (done) return;
          done = true;
          failure(labels, reason, elapsed());
        }),
      };
    },
    succeeded: neverThrow((e: PaymentSucceeded) => {
      const labels = labelsOf(e);
      attempts.inc(labels);
      success(labels, e.durationSeconds);
    }),
    failed: neverThrow((e: PaymentFailed) => {
      const labels = labelsOf(e);
      attempts.inc(labels);
      failure(labels, e.reason, e.durationSeconds);
    }),
    unknown: neverThrow((count: number) => unknown.set({}, count)),
    reconciled: neverThrow((resolution: LabelInput<PaymentResolution>) => reconciliations.inc({ resolution: resolutionOf(resolution) })),
    reconciliationFinished: neverThrow((atMs?: number) => reconciliationLastSuccess.set({}, (atMs ?? Date.now()) / 1000)),
  };
}

/**
 * What `tillwatch/delivery` records, bound to the catalogue's delivery, dead-letter and event-failure metrics
 * (docs/metrics.md). One call per thing that happened; recording never throws (the runtime counts bad
 * values in tillwatch_metrics_invalid_observations_total), so a metrics problem never stops a delivery.
 */
import { closedNormalizer, openValue } from '../metrics/label-normalizer.ts';
import { neverThrow } from '../commerce/never-throw.ts';
import type { MetricRegistrar } from '../metrics/metric-registrar.ts';
import { catalogue, LABEL_VALUES, type DeadLetterReason, type DeliveryAttemptResult, type DeliveryFailureReason } from '@tillwatch/spec';

/** The state of one queue, as a stats poll read it. */
export interface QueueState {
  /** Messages not yet delivered nor dead-lettered. */
  readonly depth: number;
  /** Age of the oldest of them, seconds; 0 when there are none. */
  readonly oldestAgeSeconds: number;
  /** Messages in the queue's dead-letter queue; omitted for queues without one (offline sales, print jobs). */
  readonly deadLetters?: number | undefined;
}

export interface DeliveryMetrics {
  /** One attempt finished with this result. */
  attempt(queue: string, result: DeliveryAttemptResult): void;
  /** A failed attempt will be tried again. */
  retryScheduled(queue: string): void;
  /** A message was delivered (left its queue). */
  delivered(queue: string): void;
  /** A message was moved to the dead-letter queue. */
  deadLettered(queue: string, reason: DeadLetterReason): void;
  /** An event handler or delivery attempt failed; also a row of the event-failure table. */
  eventFailed(event: string, reason: DeliveryFailureReason): void;
  /** Sets the queue's gauges from a stats poll. */
  queueState(queue: string, state: QueueState): void;
  /**
   * Creates the queue's counter series (and its event type's failure series) at zero, so the first dead
   * letter or failure is an increase Prometheus can see: `increase()` cannot count the first sample of a
   * series that appears already at 1 (DeadLettersGrowing, EventFailuresHigh).
   */
  declareQueue(queue: string, event: string): void;
}

/**
 * Registers the delivery metrics on a tillwatch instance's metrics (`tw.metrics`) and returns their
 * recorder. Calling it again on the same instance returns a recorder bound to the same series.
 * @throws TillwatchError TW_ERR_METRICS_DUPLICATE when the application already registered one of these names
 *   with a different definition (start-up only).
 */
export function createDeliveryMetrics(metrics: MetricRegistrar): DeliveryMetrics {
  const d = catalogue.metrics.delivery;
  const dl = catalogue.metrics.deadLetter;
  const depth = metrics.register(d.queueDepth);
  const oldestAge = metrics.register(d.oldestAge);
  const attempts = metrics.register(d.attempts);
  const outcomes = metrics.register(d.outcomes);
  const deadLettered = metrics.register(dl.deadLettered);
  const dlqDepth = metrics.register(dl.depth);
  const retries = metrics.register(dl.retries);
  const eventFailures = metrics.register(catalogue.metrics.outbound.eventFailures);
  const resultOf = closedNormalizer(d.attempts.labels.result);
  const reasonOf = closedNormalizer(dl.deadLettered.labels.reason);
  const failureReasonOf = closedNormalizer(catalogue.metrics.outbound.eventFailures.labels.reason);
  return {
    attempt: neverThrow((queue: string, result: DeliveryAttemptResult) => attempts.inc({ queue: openValue(queue), result: resultOf(result) })),
    retryScheduled: neverThrow((queue: string) => retries.inc({ queue: openValue(queue) })),
    delivered: neverThrow((queue: string) => outcomes.inc({ queue: openValue(queue), outcome: 'delivered' })),
    deadLettered: neverThrow((queue: string, reason: DeadLetterReason) => {
      const q = openValue(queue);
      deadLettered.inc({ queue: q, reason: reasonOf(reason) });
      outcomes.inc({ queue: q, outcome: 'dead_lettered' });
    }),
    eventFailed: neverThrow((event: string, reason: DeliveryFailureReason) => eventFailures.inc({ event: openValue(event), reason: failureReasonOf(reason) })),
    queueState: neverThrow((queue: string, s: QueueState) => {
      const q = openValue(queue);
      depth.set({ queue: q }, s.depth);
      oldestAge.set({ queue: q }, s.oldestAgeSeconds);
      if (s.deadLetters !== undefined) dlqDepth.set({ queue: q }, s.deadLetters);
    }),
    declareQueue: neverThrow((queue: string, event: string) => {
      const q = openValue(queue);
      const e = openValue(event);
      for (const reason of LABEL_VALUES.deliveryFailureReason) eventFailures.inc({ event: e, reason }, 0);
      for (const reason of LABEL_VALUES.deadLetterReason) deadLettered.inc({ queue: q, reason }, 0);
      for (const outcome of LABEL_VALUES.deliveryOutcome) outcomes.inc({ queue: q, outcome }, 0);
      for (const result of LABEL_VALUES.deliveryAttemptResult) attempts.inc({ queue: q, result }, 0);
      retries.inc({ queue: q }, 0);
    }),
  };
}

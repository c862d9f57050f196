/**
 * The one way to register a metric: a catalogue handle (`defineMetric`, built-in or the service's own) goes
 * in, a typed recorder comes out. Name, type, help, labels, buckets and series budget come from the handle,
 * so what the service exports is what its catalogue, rules and docs say. Described as an interface so the
 * recorders and the HTTP metrics depend on the shape of `Metrics`, not on its module (and a test double fits).
 */
import type { MetricHandle } from '@tillwatch/spec';
import type { GuardedCounter } from './guarded-counter.ts';
import type { GuardedGauge } from './guarded-gauge.ts';
import type { GuardedHistogram } from './guarded-histogram.ts';

/** What the runtime adds to a handle's declaration when it registers it. */
export interface RegisterOptions {
  /** Prepended to the name: `metrics.prefix`, for tillwatch's own metrics. Default none. */
  readonly prefix?: string;
  /** Histograms: buckets replacing the declared ones, e.g. `metrics.httpBuckets`. Validated the same way. */
  readonly buckets?: readonly number[];
  /** Histograms: keep one exemplar per bucket (e.g. `trace_id`), rendered in OpenMetrics only. */
  readonly exemplars?: boolean;
  /**
   * Gauges: called at every scrape, before the gauge is read; set current values here. May return a promise.
   * A callback that throws or rejects does not fail the scrape: the gauge keeps its last values and the
   * failure is counted in `tillwatch_metrics_collect_errors_total{metric}`.
   */
  readonly collect?: () => void | Promise<void>;
}

/** Registers catalogue handles. `Metrics` is the implementation (`tw.metrics`). */
export interface MetricRegistrar {
  /**
   * Registers the metric a handle declares, or returns the recorder already registered for the same
   * declaration. Closed labels fold values outside their set into `other`; open labels record `unknown`
   * when no value is given; past its series budget a metric folds new label sets into one overflow series.
   * Recording never throws.
   * @throws TillwatchError TW_ERR_METRICS_INVALID_NAME for an invalid metric or label name.
   * @throws TillwatchError TW_ERR_METRICS_DUPLICATE when the name is taken by a different declaration.
   * @throws TillwatchConfigError TW_ERR_METRICS_INVALID_DEFINITION for a missing help, bad buckets or a bad series budget.
   * @example
   * const served = tw.metrics.register(retail.metrics.recommendations.served);
   * served.inc({ placement: 'checkout' });
   */
  register<L extends string>(handle: MetricHandle<string, L, 'counter'>, options?: RegisterOptions): GuardedCounter<L>;
  register<L extends string>(handle: MetricHandle<string, L, 'gauge'>, options?: RegisterOptions): GuardedGauge<L>;
  register<L extends string>(handle: MetricHandle<string, L, 'histogram'>, options?: RegisterOptions): GuardedHistogram<L>;
}

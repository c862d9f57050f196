/**
 * Quick metric declarations for the metrics tests and benches: each call declares a handle with
 * `defineMetric` (open labels, bounded for tests) and registers it the one way metrics are registered,
 * `metrics.register(handle)`.
 */
import { defineMetric, openLabel, type AnyMetricHandle, type MetricType } from '@tillwatch/spec';
import type { GuardedCounter } from '../../src/metrics/guarded-counter.ts';
import type { GuardedGauge } from '../../src/metrics/guarded-gauge.ts';
import type { GuardedHistogram } from '../../src/metrics/guarded-histogram.ts';
import type { MetricRegistrar } from '../../src/metrics/metric-registrar.ts';

export interface TestMetric {
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly string[];
  readonly maxSeries?: number;
  readonly buckets?: readonly number[];
  readonly exemplars?: boolean;
  readonly collect?: () => void | Promise<void>;
}

/** A handle for `def`: every label open, at most 100 000 values (the series budget is what tests exercise). */
export function testHandle(type: MetricType, def: TestMetric): AnyMetricHandle {
  const labels = Object.fromEntries((def.labelNames ?? []).map((l) => [l, openLabel(`Test label ${l}.`, 'test data', 100_000)]));
  return defineMetric({
    name: def.name,
    type,
    unit: 'count',
    group: 'test',
    owner: 'service',
    help: def.help,
    question: 'Does the runtime record it as declared?',
    labels,
    ...(def.maxSeries === undefined ? {} : { maxSeries: def.maxSeries }),
    ...(def.buckets === undefined ? {} : { buckets: def.buckets }),
  }) as AnyMetricHandle;
}

// The handle's literal types are lost in the helper, so the casts pick the recorder its type registers.
export function counter(m: MetricRegistrar, def: TestMetric): GuardedCounter<string> {
  return m.register(testHandle('counter', def) as never) as unknown as GuardedCounter<string>;
}

export function gauge(m: MetricRegistrar, def: TestMetric): GuardedGauge<string> {
  const options = def.collect === undefined ? {} : { collect: def.collect };
  return m.register(testHandle('gauge', def) as never, options) as unknown as GuardedGauge<string>;
}

export function histogram(m: MetricRegistrar, def: TestMetric): GuardedHistogram<string> {
  return m.register(testHandle('histogram', def) as never, { exemplars: def.exemplars === true }) as unknown as GuardedHistogram<string>;
}

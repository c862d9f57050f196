/**
 * Reads SLI counts from a prom-client registry snapshot (`registry.getMetricsAsJSON()`), the runtime twin of
 * the SLI's PromQL. Pure: takes the snapshot, returns numbers.
 */
import type { CountMatcher, CounterQuery } from '@tillwatch/spec';

/** The parts of prom-client's `getMetricsAsJSON()` output that are read. */
export interface MetricSnapshot {
  readonly name: string;
  readonly values: readonly { readonly value: number; readonly labels: Readonly<Partial<Record<string, string | number>>>; readonly metricName?: string | undefined }[];
}

function matches(value: string | number | undefined, m: CountMatcher): boolean {
  const v = value === undefined ? '' : String(value);
  if (typeof m === 'string') return v === m;
  if ('re' in m) return new RegExp(`^(?:${m.re})$`).test(v);
  return v !== m.ne;
}

/**
 * Sum of every sample of `query.series` whose labels match.
 * @param prefix `metrics.prefix` of the instance (prepended to the series name).
 */
export function sumSeries(snapshot: readonly MetricSnapshot[], query: CounterQuery, prefix = ''): number {
  const series = prefix + query.series;
  let sum = 0;
  for (const metric of snapshot) {
    for (const s of metric.values) {
      const name = s.metricName ?? metric.name;
      if (name !== series) continue;
      if (Object.entries(query.match ?? {}).every(([k, m]) => matches(s.labels[k], m))) sum += s.value;
    }
  }
  return sum;
}

/** Newest value of a gauge among matching series (for freshness SLIs); undefined when there is none. */
export function maxSeries(snapshot: readonly MetricSnapshot[], query: CounterQuery, prefix = ''): number | undefined {
  let max: number | undefined;
  for (const metric of snapshot) {
    for (const s of metric.values) {
      if ((s.metricName ?? metric.name) !== prefix + query.series) continue;
      if (!Object.entries(query.match ?? {}).every(([k, m]) => matches(s.labels[k], m))) continue;
      if (max === undefined || s.value > max) max = s.value;
    }
  }
  return max;
}

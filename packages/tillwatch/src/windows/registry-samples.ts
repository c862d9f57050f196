/**
 * One scrape of a prom-client registry in process: `getMetricsAsJSON()` flattened into the series Prometheus
 * would store (histogram `_bucket{le}`, `_sum`, `_count`; counters with their `_total` name), each marked
 * monotonic or not, without rendering and re-parsing the text format.
 */
import type { MetricSnapshot } from '../slo/count-series.ts';
import type { RawSample } from './series-windows.ts';

/** What is read: a tillwatch `Metrics` registry fits. */
export interface SampleSource {
  getMetricsAsJSON(): Promise<readonly (MetricSnapshot & { readonly type?: unknown })[]> | readonly (MetricSnapshot & { readonly type?: unknown })[];
}

/** Whether a metric (by name) is read into the windows; default all. */
export type SeriesFilter = (metricName: string) => boolean;

function isMonotonic(type: unknown, seriesName: string): boolean {
  const t = String(type);
  if (t === 'counter') return true;
  if (t === 'histogram' || t === 'summary') return seriesName.endsWith('_bucket') || seriesName.endsWith('_sum') || seriesName.endsWith('_count');
  return false;
}

/** Reads every series of `source` (those `filter` keeps). Rejects when a collect callback fails. */
export async function readRegistrySamples(source: SampleSource, filter?: SeriesFilter): Promise<RawSample[]> {
  const out: RawSample[] = [];
  for (const metric of await source.getMetricsAsJSON()) {
    if (filter !== undefined && !filter(metric.name)) continue;
    for (const v of metric.values) {
      const name = v.metricName ?? metric.name;
      const labels: Record<string, string> = { __name__: name };
      for (const [k, val] of Object.entries(v.labels ?? {})) if (val !== undefined) labels[k] = k === 'le' && val === Infinity ? '+Inf' : String(val);
      if (typeof v.value !== 'number' || Number.isNaN(v.value)) continue;
      out.push({ labels, value: v.value, counter: isMonotonic(metric.type, name) });
    }
  }
  return out;
}

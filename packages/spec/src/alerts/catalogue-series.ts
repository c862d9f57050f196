/** The series names rules may read: what catalogue metrics expose, plus what Prometheus itself writes. */
import { listMetrics, type Catalogue, catalogue as defaultCatalogue } from '../catalogue.ts';
import type { AnyMetricHandle } from '../metric-spec.ts';
import { promqlMetricNames } from './promql-metric-names.ts';

/**
 * Series Prometheus writes for every target (https://prometheus.io/docs/concepts/jobs_instances/#automatically-generated-labels-and-time-series).
 * Only `up` is used (ServiceDown).
 */
export const PROMETHEUS_SERIES: readonly string[] = ['up'];

/** Series name -> the catalogue metric exposing it. */
export function catalogueSeries(cat: Catalogue = defaultCatalogue): Map<string, AnyMetricHandle> {
  const out = new Map<string, AnyMetricHandle>();
  for (const h of listMetrics(cat)) {
    if (h.type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) out.set(h.name + s, h);
    else out.set(h.name, h);
  }
  return out;
}

/**
 * The metric names an expression reads that neither the catalogue nor Prometheus provides.
 * @param allowed extra names, e.g. the recording rules the generator writes.
 * @param cat the catalogue to check against: the built-in one, or its union with a service's own.
 */
export function unknownSeries(expr: string, allowed: ReadonlySet<string> = new Set(), cat: Catalogue = defaultCatalogue): string[] {
  const known = catalogueSeries(cat);
  return promqlMetricNames(expr).filter((name) => !known.has(name) && !PROMETHEUS_SERIES.includes(name) && !allowed.has(name));
}

/** The catalogue metrics an expression reads (to tell which alerts wait for a planned metric). */
export function metricsRead(expr: string, cat: Catalogue = defaultCatalogue): AnyMetricHandle[] {
  const known = catalogueSeries(cat);
  const out: AnyMetricHandle[] = [];
  for (const name of promqlMetricNames(expr)) {
    const h = known.get(name);
    if (h !== undefined && !out.includes(h)) out.push(h);
  }
  return out;
}

/**
 * A metric as data: its name, type, unit, labels and the operational question it answers, plus
 * {@link defineMetric}, which turns a definition into a typed handle.
 *
 * Handles are what everything else refers to: the runtime registers them (`tw.metrics.register(handle)`),
 * docs/metrics.md is rendered from them, and alert rules and SLOs interpolate them into PromQL, so a renamed
 * metric or label breaks the build instead of silently producing a rule that never fires. A service declares
 * its own metrics with the same {@link defineMetric} and groups them with `defineCatalogue`:
 *
 * @example
 * import { catalogue } from './catalogue.ts';
 * const m = catalogue.metrics;
 * const expr = `sum(rate(${m.payments.failures}[5m])) / sum(rate(${m.payments.attempts}[5m])) > 0.01`;
 * const p95 = `histogram_quantile(0.95, sum by (le) (rate(${m.payments.duration.bucket}[5m])))`;
 * const cards = m.payments.failures.select({ method: 'card' }); // payments_failures_total{method="card"}
 */
import type { LabelSpec } from './label-spec.ts';

export type MetricType = 'counter' | 'gauge' | 'histogram';

/**
 * Base units only (https://prometheus.io/docs/practices/naming/#base-units): never milliseconds or
 * megabytes. `currency` is money in major units (12.34), with a `currency` label saying which; `info` is an
 * info-style gauge whose value is always 1; `score` is a model's output between 0 and 1 (a confidence), which
 * is not a ratio of two quantities and so carries no `_ratio` suffix.
 */
export type MetricUnit = 'seconds' | 'bytes' | 'ratio' | 'score' | 'currency' | 'items' | 'points' | 'count' | 'info';

/**
 * `exported`: a running service exposes it today. `planned`: declared so rules and dashboards can refer
 * to it, exported when its feature lands (the docs say so next to it).
 */
export type MetricStatus = 'exported' | 'planned';

/**
 * Who registers the metric at run time: the core (`Metrics`: HTTP, runtime, tillwatch's own), the commerce
 * recorders (`createCommerceMetrics`), `@tillwatch/otel` (only while tracing is on), `tillwatch/delivery`
 * (`createDeliveryMetrics`, when a service runs a durable queue), the data-layer instrumentations (`data`:
 * `tillwatch/pg`, `tillwatch/redis`, `tillwatch/prisma`, outbound dependencies and the job reporter, each when
 * the service sets it up), the synthetic journey runner (`synthetic`: `tillwatch/synthetic`, in the process that walks
 * the journeys declared in the spec against the service's public URL, or a blackbox exporter), or the service itself
 * (`tw.metrics.register(handle)`, for metrics it declares in its own catalogue).
 */
export type MetricOwner = 'core' | 'commerce' | 'otel' | 'delivery' | 'data' | 'synthetic' | 'service';

/** The label declarations of a metric, keyed by label name. */
export type LabelSpecs<L extends string = string> = { readonly [K in L]: LabelSpec };

/**
 * A metric definition, as written in a catalogue file. `S` keeps each label's own spec type, so a recorder
 * can only build a closed-set normaliser from a label that really is closed.
 */
export interface MetricSpec<N extends string = string, L extends string = string, T extends MetricType = MetricType, S extends LabelSpecs<L> = LabelSpecs<L>> {
  readonly name: N;
  readonly type: T;
  readonly unit: MetricUnit;
  /** The `# HELP` text: what is counted or measured, one sentence. */
  readonly help: string;
  /** The operational question the metric answers, e.g. "Are payments failing for one method?". */
  readonly question: string;
  readonly labels: S;
  /** Histogram upper bounds, strictly increasing; only on histograms. */
  readonly buckets?: readonly number[];
  /** Key of the catalogue group the metric is listed under (a section of docs/metrics.md). */
  readonly group: string;
  /** Default `exported`. */
  readonly status?: MetricStatus;
  readonly owner: MetricOwner;
  /** Series budget when the runtime default (`metrics.maxSeriesPerMetric`) is too small for the declared bounds. */
  readonly maxSeries?: number;
}

/** A PromQL label matcher: a string means equality; the objects mean `!=`, `=~` and `!~`. */
export type LabelMatcher = string | { readonly ne: string } | { readonly re: string } | { readonly nre: string };

/** The series names a histogram writes, for `rate(${h.bucket}[5m])` and friends. */
export interface HistogramSeriesNames<N extends string> {
  readonly bucket: `${N}_bucket`;
  readonly sum: `${N}_sum`;
  readonly count: `${N}_count`;
}

/** A frozen, typed metric definition that renders as its name inside template literals. */
export type MetricHandle<
  N extends string = string,
  L extends string = string,
  T extends MetricType = MetricType,
  S extends LabelSpecs<L> = LabelSpecs<L>,
> = MetricSpec<N, L, T, S> & {
  readonly status: MetricStatus;
  /** The label keys, in declaration order (the order the runtime registers them in). */
  readonly labelNames: readonly L[];
  /** A PromQL selector with typed label keys, values escaped: `x{method="card"}`. */
  select(matchers?: { readonly [K in L]?: LabelMatcher }): string;
  /** The metric name, so `${handle}` in a template literal is the name. */
  toString(): N;
} & (T extends 'histogram' ? HistogramSeriesNames<N> : unknown);

/** Any handle, whatever its name, labels and type: what lists and validators take. */
export type AnyMetricHandle = MetricHandle<string, string, MetricType>;

/** Escapes a PromQL string literal (https://prometheus.io/docs/prometheus/latest/querying/basics/#string-literals). */
export function promqlString(value: string): string {
  return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n')}"`;
}

function matcher(key: string, m: LabelMatcher): string {
  if (typeof m === 'string') return `${key}=${promqlString(m)}`;
  if ('ne' in m) return `${key}!=${promqlString(m.ne)}`;
  if ('re' in m) return `${key}=~${promqlString(m.re)}`;
  return `${key}!~${promqlString(m.nre)}`;
}

/**
 * Declares a metric and returns its handle. Pure: validation of the whole catalogue is
 * `validateCatalogue()`, run by the tests, so declaring a metric can never throw at import time.
 *
 * @param spec the definition; `status` defaults to `exported`.
 * @returns the frozen handle, typed by its literal name, label keys and type.
 * @example
 * const failures = defineMetric({
 *   name: 'payments_failures_total', type: 'counter', unit: 'count', group: 'payments', owner: 'commerce',
 *   help: 'Failed payment provider calls.', question: 'Are payments failing for one method?',
 *   labels: { method: closedLabel('Payment method.', ['cash', 'card']) },
 * });
 * `${failures}` === 'payments_failures_total';
 */
export function defineMetric<const N extends string, const T extends MetricType, const S extends LabelSpecs<string>>(
  spec: MetricSpec<N, keyof S & string, T, S>,
): MetricHandle<N, keyof S & string, T, S> {
  type L = keyof S & string;
  const labelNames = Object.freeze(Object.keys(spec.labels) as L[]);
  const name = spec.name;
  const handle: Record<string, unknown> = {
    ...spec,
    status: spec.status ?? 'exported',
    labels: Object.freeze({ ...spec.labels }),
    labelNames,
    select(matchers?: { readonly [K in L]?: LabelMatcher }): string {
      if (matchers === undefined) return name;
      const parts: string[] = [];
      for (const key of labelNames) {
        const m = matchers[key];
        if (m !== undefined) parts.push(matcher(key, m));
      }
      return parts.length === 0 ? name : `${name}{${parts.join(',')}}`;
    },
    toString(): N {
      return name;
    },
  };
  if (spec.buckets !== undefined) handle.buckets = Object.freeze([...spec.buckets]);
  if (spec.type === 'histogram') {
    handle.bucket = `${name}_bucket`;
    handle.sum = `${name}_sum`;
    handle.count = `${name}_count`;
  }
  return Object.freeze(handle) as MetricHandle<N, L, T, S>;
}

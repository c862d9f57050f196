/**
 * Validation of metric definitions, read from catalogue handles. Runs at registration (start-up), so it
 * throws; recording never does.
 *
 * Besides the Prometheus data model (https://prometheus.io/docs/concepts/data_model/#metric-names-and-labels),
 * the checks reject what `promtool check metrics` would flag (its promlint rules: `_total` only on counters,
 * reserved suffixes and labels, colons, camelCase), so a tillwatch exposition lints clean by construction.
 */
import { TillwatchConfigError, TillwatchError, isClosedLabel, type AnyMetricHandle, type LabelSpec } from '@tillwatch/spec';
import { labelNormalizer } from './label-normalizer.ts';
import type { RegisterOptions } from './metric-registrar.ts';

export type MetricKind = 'counter' | 'gauge' | 'histogram';

/** What every metric definition has in common. */
interface BaseMetricDefinition<L extends string> {
  /** Prometheus metric name, snake_case with its base unit (`_seconds`, `_bytes`); counters end in `_total`. */
  readonly name: string;
  /** One sentence for `# HELP`. */
  readonly help: string;
  /** Label names. Every label carries a value from a bounded set (never ids, raw paths or free text). */
  readonly labelNames?: readonly L[];
  /** Distinct label sets allowed before new ones fold into the overflow series. Default: `metrics.maxSeriesPerMetric`. */
  readonly maxSeries?: number;
}


interface GaugeDefinition<L extends string> extends BaseMetricDefinition<L> {
  /**
   * Called at every scrape, before the gauge is read; set current values here. May return a promise.
   * A callback that throws or rejects does not fail the scrape: the gauge keeps its last values and the
   * failure is counted in `tillwatch_metrics_collect_errors_total{metric}`.
   */
  readonly collect?: () => void | Promise<void>;
}

interface HistogramDefinition<L extends string> extends BaseMetricDefinition<L> {
  /** Upper bounds, strictly increasing, finite; `+Inf` is implicit. */
  readonly buckets: readonly number[];
  /** Keep one exemplar per bucket (e.g. `trace_id`), rendered in OpenMetrics only. */
  readonly exemplars?: boolean;
}

/** A definition after defaults are applied: what "the same definition" is compared on. */
export interface NormalizedDefinition {
  readonly kind: MetricKind;
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  readonly maxSeries: number;
  readonly buckets: readonly number[] | undefined;
  readonly exemplars: boolean;
  readonly collect: (() => void | Promise<void>) | undefined;
  /** Per label, in `labelNames` order: what the guard applies to a value when a label set is first seen. */
  readonly normalizers: readonly ((sanitised: string) => string)[];
  /** The label declarations, as compared between two registrations of one name. */
  readonly labelsKey: string;
}

const METRIC_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const CAMEL_CASE = /[a-z][A-Z]/;

function invalidName(message: string): TillwatchError {
  return new TillwatchError('TW_ERR_METRICS_INVALID_NAME', `TW_ERR_METRICS_INVALID_NAME: ${message}`);
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 80 ? `${v.slice(0, 80)}...` : v);
  if (Array.isArray(v)) return `[${v.slice(0, 12).map(describe).join(', ')}${v.length > 12 ? ', ...' : ''}]`;
  return typeof v === 'function' ? 'a function' : `${typeof v} ${String(v)}`;
}

/**
 * Throws TW_ERR_METRICS_INVALID_NAME when `name` cannot be a metric name of this kind.
 * Colons are legal in the data model but reserved for recording rules, so they are rejected.
 */
function assertMetricName(kind: MetricKind, name: unknown): asserts name is string {
  if (typeof name !== 'string' || !METRIC_NAME.test(name)) {
    throw invalidName(`metric name ${describe(name)} must match [a-zA-Z_][a-zA-Z0-9_]* (colons are reserved for recording rules)`);
  }
  if (name.startsWith('__')) throw invalidName(`metric name "${name}" must not start with "__" (reserved for Prometheus internals)`);
  if (CAMEL_CASE.test(name)) throw invalidName(`metric name "${name}" must be snake_case, not camelCase`);
  if (kind === 'counter' && !/.+_total$/.test(name)) {
    // prom-client renders a counter "x" as "x" in Prometheus text but "x_total" in OpenMetrics: requiring the
    // suffix keeps the series name identical in both formats (and promtool requires it).
    throw invalidName(`counter name "${name}" must end in "_total"`);
  }
  if (kind !== 'counter' && name.endsWith('_total')) throw invalidName(`${kind} name "${name}" must not end in "_total" (counters only)`);
  if (kind !== 'histogram' && /_(bucket|sum|count)$/.test(name)) {
    throw invalidName(`${kind} name "${name}" must not end in _bucket, _sum or _count (reserved for histogram series)`);
  }
}

/** Throws TW_ERR_METRICS_INVALID_NAME when a label name is invalid, reserved or repeated. */
function assertLabelNames(metric: string, labelNames: unknown): asserts labelNames is readonly string[] {
  if (!Array.isArray(labelNames)) throw invalidName(`labelNames of "${metric}" must be an array of strings, got ${describe(labelNames)}`);
  const seen = new Set<string>();
  for (const label of labelNames as unknown[]) {
    if (typeof label !== 'string' || !LABEL_NAME.test(label)) {
      throw invalidName(`label name ${describe(label)} of "${metric}" must match [a-zA-Z_][a-zA-Z0-9_]*`);
    }
    if (label.startsWith('__')) throw invalidName(`label name "${label}" of "${metric}" must not start with "__" (reserved)`);
    if (CAMEL_CASE.test(label)) throw invalidName(`label name "${label}" of "${metric}" must be snake_case, not camelCase`);
    if (label === 'quantile') throw invalidName(`label name "quantile" of "${metric}" is reserved for summaries`);
    if (label === 'le') throw invalidName(`label name "le" of "${metric}" is reserved for histogram buckets`);
    if (seen.has(label)) throw invalidName(`label name "${label}" appears twice in "${metric}"`);
    seen.add(label);
  }
}

function configIssue(metric: string, field: string, expected: string, got: unknown): TillwatchConfigError {
  return new TillwatchConfigError([{ option: `metric "${metric}" ${field}`, expected, got: describe(got), code: 'TW_ERR_METRICS_INVALID_DEFINITION' }]);
}

/**
 * Validates a definition and fills in defaults.
 * @throws TillwatchError TW_ERR_METRICS_INVALID_NAME for bad metric or label names.
 * @throws TillwatchConfigError TW_ERR_METRICS_INVALID_DEFINITION for a missing help, bad buckets or a bad maxSeries.
 */
function normalizeDefinition(
  kind: MetricKind,
  def: BaseMetricDefinition<string> & Partial<HistogramDefinition<string>> & Partial<GaugeDefinition<string>>,
  defaultMaxSeries: number,
): NormalizedDefinition {
  if (typeof def !== 'object' || def === null) throw configIssue('?', 'definition', 'an object', def);
  assertMetricName(kind, def.name);
  const labelNames = def.labelNames ?? [];
  assertLabelNames(def.name, labelNames);
  if (typeof def.help !== 'string' || def.help.trim() === '') throw configIssue(def.name, 'help', 'a non-empty string', def.help);
  const maxSeries = def.maxSeries ?? defaultMaxSeries;
  if (!Number.isInteger(maxSeries) || maxSeries < 1) throw configIssue(def.name, 'maxSeries', 'an integer of at least 1', maxSeries);
  let buckets: readonly number[] | undefined;
  if (kind === 'histogram') {
    const b: unknown = def.buckets;
    if (!Array.isArray(b) || b.length === 0 || !b.every((x, i) => typeof x === 'number' && Number.isFinite(x) && (i === 0 || x > (b[i - 1] as number)))) {
      throw configIssue(def.name, 'buckets', 'a non-empty list of finite, strictly increasing numbers', b);
    }
    buckets = Object.freeze([...(b as number[])]);
  }
  if (def.collect !== undefined && typeof def.collect !== 'function') throw configIssue(def.name, 'collect', 'a function', def.collect);
  return {
    kind,
    name: def.name,
    help: def.help,
    labelNames: Object.freeze([...labelNames]),
    maxSeries,
    buckets,
    exemplars: kind === 'histogram' && def.exemplars === true,
    collect: kind === 'gauge' ? def.collect : undefined,
    normalizers: [],
    labelsKey: '',
  };
}

function labelKey(label: LabelSpec): string {
  return isClosedLabel(label) ? `closed:${label.values.join(',')}` : `open:${label.maxValues}`;
}

/**
 * The definition a catalogue handle declares, with what registration adds (prefix, bucket override,
 * exemplars, collect), validated and with defaults filled in.
 * @throws as {@link normalizeDefinition}; also TW_ERR_METRICS_INVALID_DEFINITION when `handle` is not a handle.
 */
export function definitionOfHandle(handle: AnyMetricHandle, options: RegisterOptions, defaultMaxSeries: number): NormalizedDefinition {
  if (typeof handle !== 'object' || handle === null || typeof handle.name !== 'string' || typeof handle.labels !== 'object' || handle.labels === null) {
    throw configIssue('?', 'handle', 'a catalogue handle (defineMetric)', handle);
  }
  const kind = handle.type;
  if (kind !== 'counter' && kind !== 'gauge' && kind !== 'histogram') throw configIssue(handle.name, 'type', 'counter, gauge or histogram', kind);
  const labels = handle.labels as Readonly<Record<string, LabelSpec>>;
  const labelNames = Object.keys(labels);
  const def = normalizeDefinition(
    kind,
    {
      name: (options.prefix ?? '') + handle.name,
      help: handle.help,
      labelNames,
      ...(handle.maxSeries === undefined ? {} : { maxSeries: handle.maxSeries }),
      ...(kind === 'histogram' ? { buckets: options.buckets ?? handle.buckets ?? [], exemplars: options.exemplars === true } : {}),
      ...(kind === 'gauge' && options.collect !== undefined ? { collect: options.collect } : {}),
    },
    defaultMaxSeries,
  );
  return {
    ...def,
    normalizers: labelNames.map((k) => labelNormalizer(labels[k] as LabelSpec)),
    labelsKey: labelNames.map((k) => `${k}=${labelKey(labels[k] as LabelSpec)}`).join(';'),
  };
}

/** True when two normalized definitions describe the same metric (a re-registration that may share the handle). */
export function sameDefinition(a: NormalizedDefinition, b: NormalizedDefinition): boolean {
  const sameList = (x: readonly (string | number)[] | undefined, y: readonly (string | number)[] | undefined) =>
    x === y || (x !== undefined && y !== undefined && x.length === y.length && x.every((v, i) => v === y[i]));
  return (
    a.kind === b.kind &&
    a.name === b.name &&
    a.help === b.help &&
    a.maxSeries === b.maxSeries &&
    a.exemplars === b.exemplars &&
    a.collect === b.collect &&
    a.labelsKey === b.labelsKey &&
    sameList(a.labelNames, b.labelNames) &&
    sameList(a.buckets, b.buckets)
  );
}

/**
 * Every name a metric occupies in an exposition: a counter `x_total` is the family `x` in OpenMetrics, a
 * histogram `h` writes `h_bucket`, `h_sum` and `h_count`. Two metrics may not share any of these.
 */
export function exposedNames(kind: string, name: string): string[] {
  if (kind === 'counter') return name.endsWith('_total') ? [name, name.slice(0, -'_total'.length)] : [name, `${name}_total`];
  if (kind === 'histogram') return [name, `${name}_bucket`, `${name}_sum`, `${name}_count`];
  if (kind === 'summary') return [name, `${name}_sum`, `${name}_count`];
  return [name];
}

import type { Metric, Registry } from 'prom-client';
import { HistogramFamily, type HistogramSeries } from './metric-family.ts';
import type { NormalizedDefinition } from './metric-definition.ts';
import { SeriesGuard, type GuardSettings, type LabelValues } from './series-guard.ts';

/** A histogram whose recording never throws and whose label sets are budgeted. Create with `Metrics.register(handle)`. */
export interface GuardedHistogram<L extends string> {
  /**
   * Records one observation of `seconds` (or whatever base unit the histogram measures).
   * Negative, NaN or infinite values, or an undeclared label, are ignored and counted.
   * @param exemplar Labels of an OpenMetrics exemplar for the bucket, e.g. `{ trace_id }`; kept only when the
   *   histogram was defined with `exemplars: true`. At most 128 characters of printable ASCII in names and values
   *   together (OpenMetrics 1.0 limit); an invalid exemplar is dropped and counted, the observation is kept.
   */
  observe(labels: LabelValues<L>, seconds: number, exemplar?: Readonly<Record<string, string>>): void;
}

const EXEMPLAR_LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
// https://github.com/prometheus/OpenMetrics/blob/v1.0.0/specification/OpenMetrics.md#exemplars
const EXEMPLAR_MAX_CHARS = 128;

/** A validated copy of an exemplar label set, or undefined. The copy keeps later mutation by the caller out of the exposition. */
function copyExemplar(exemplar: Readonly<Record<string, unknown>>): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  let chars = 0;
  let count = 0;
  for (const k in exemplar) {
    const v = exemplar[k];
    if (typeof v !== 'string' || !EXEMPLAR_LABEL_NAME.test(k) || !PRINTABLE_ASCII.test(v)) return undefined;
    chars += k.length + v.length;
    count++;
    out[k] = v;
  }
  return count > 0 && chars <= EXEMPLAR_MAX_CHARS ? out : undefined;
}

export class GuardedHistogramHandle<L extends string> implements GuardedHistogram<L> {
  readonly definition: NormalizedDefinition;
  readonly #guard: SeriesGuard<HistogramSeries>;
  readonly #settings: GuardSettings;
  readonly #family: HistogramFamily;

  constructor(definition: NormalizedDefinition, registry: Registry, settings: GuardSettings) {
    this.definition = definition;
    this.#settings = settings;
    // Exemplars are kept in both formats' storage and written only in OpenMetrics (the Prometheus text format cannot carry them).
    const family = new HistogramFamily(definition.name, definition.help, definition.labelNames, definition.buckets ?? [], definition.exemplars);
    registry.registerMetric(family as unknown as Metric);
    this.#family = family;
    this.#guard = new SeriesGuard<HistogramSeries>({
      ...settings,
      labelNames: definition.labelNames,
      normalizers: definition.normalizers,
      maxSeries: definition.maxSeries,
      createSeries: (labels) => family.createSeries(labels),
    });
  }

  observe(labels: LabelValues<L>, seconds: number, exemplar?: Readonly<Record<string, string>>): void {
    if (typeof seconds !== 'number' || !(seconds >= 0) || seconds === Infinity) {
      this.#settings.reporter.invalid('value');
      return;
    }
    const series = this.#guard.resolve(labels);
    if (series === undefined) return;
    if (exemplar === undefined || !this.definition.exemplars) {
      this.#family.observe(series, seconds);
      return;
    }
    let copy: Record<string, string> | undefined;
    try {
      copy = typeof exemplar === 'object' && exemplar !== null ? copyExemplar(exemplar) : undefined;
    } catch {
      copy = undefined;
    }
    if (copy === undefined) {
      this.#settings.reporter.invalid('exemplar');
      this.#family.observe(series, seconds);
      return;
    }
    this.#family.observe(series, seconds, copy);
  }
}

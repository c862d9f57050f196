import type { Metric, Registry } from 'prom-client';
import { CounterFamily, type ValueSeries } from './metric-family.ts';
import type { NormalizedDefinition } from './metric-definition.ts';
import { SeriesGuard, type GuardSettings, type LabelValues } from './series-guard.ts';

/** A counter whose recording never throws and whose label sets are budgeted. Create with `Metrics.register(handle)`. */
export interface GuardedCounter<L extends string> {
  /**
   * Adds `value` (default 1) to the series of `labels`.
   * A negative, NaN or infinite value, or an undeclared label, is ignored and counted in
   * `tillwatch_metrics_invalid_observations_total{metric,reason}`.
   */
  inc(labels?: LabelValues<L>, value?: number): void;
}

export class GuardedCounterHandle<L extends string> implements GuardedCounter<L> {
  readonly definition: NormalizedDefinition;
  readonly #guard: SeriesGuard<ValueSeries>;
  readonly #family: CounterFamily;
  readonly #settings: GuardSettings;

  constructor(definition: NormalizedDefinition, registry: Registry, settings: GuardSettings) {
    this.definition = definition;
    this.#settings = settings;
    const family = new CounterFamily(definition.name, definition.help, definition.labelNames);
    registry.registerMetric(family as unknown as Metric);
    this.#family = family;
    this.#guard = new SeriesGuard<ValueSeries>({
      ...settings,
      labelNames: definition.labelNames,
      normalizers: definition.normalizers,
      maxSeries: definition.maxSeries,
      createSeries: (labels) => family.createSeries(labels),
    });
  }

  inc(labels?: LabelValues<L>, value?: number): void {
    const v = value === undefined ? 1 : value;
    // !(v >= 0) also catches NaN and non-numbers coerced to NaN.
    if (typeof v !== 'number' || !(v >= 0) || v === Infinity) {
      this.#settings.reporter.invalid('value');
      return;
    }
    const series = this.#guard.resolve(labels);
    if (series !== undefined) this.#family.inc(series, v);
  }
}

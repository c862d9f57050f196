import type { Metric, Registry } from 'prom-client';
import { GaugeFamily, type ValueSeries } from './metric-family.ts';
import type { NormalizedDefinition } from './metric-definition.ts';
import { SeriesGuard, type GuardSettings, type LabelValues } from './series-guard.ts';

/** A gauge whose recording never throws and whose label sets are budgeted. Create with `Metrics.register(handle)`. */
export interface GuardedGauge<L extends string> {
  /** Sets the series of `labels` to `value`. NaN, ±Infinity or an undeclared label is ignored and counted. */
  set(labels: LabelValues<L>, value: number): void;
  /** Adds `value` (default 1). */
  inc(labels?: LabelValues<L>, value?: number): void;
  /** Subtracts `value` (default 1). */
  dec(labels?: LabelValues<L>, value?: number): void;
}

export class GuardedGaugeHandle<L extends string> implements GuardedGauge<L> {
  readonly definition: NormalizedDefinition;
  readonly #guard: SeriesGuard<ValueSeries>;
  readonly #family: GaugeFamily;
  readonly #settings: GuardSettings;

  constructor(definition: NormalizedDefinition, registry: Registry, settings: GuardSettings) {
    this.definition = definition;
    this.#settings = settings;
    const userCollect = definition.collect;
    const reporter = settings.reporter;
    const family = new GaugeFamily(definition.name, definition.help, definition.labelNames);
    // A failing collect must not fail the whole scrape (every metric of the service would go missing and `up`
    // would stay 1): the gauge keeps its previous values and the failure is counted and logged once.
    if (userCollect !== undefined) {
      family.collect = async () => {
        try {
          await userCollect();
        } catch (err) {
          reporter.collectFailed(err);
        }
      };
    }
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

  set(labels: LabelValues<L>, value: number): void {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      this.#settings.reporter.invalid('value');
      return;
    }
    const series = this.#guard.resolve(labels);
    if (series !== undefined) this.#family.set(series, value);
  }

  inc(labels?: LabelValues<L>, value?: number): void {
    const v = value === undefined ? 1 : value;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      this.#settings.reporter.invalid('value');
      return;
    }
    const series = this.#guard.resolve(labels);
    if (series !== undefined) this.#family.inc(series, v);
  }

  dec(labels?: LabelValues<L>, value?: number): void {
    const v = value === undefined ? 1 : value;
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      this.#settings.reporter.invalid('value');
      return;
    }
    const series = this.#guard.resolve(labels);
    if (series !== undefined) this.#family.inc(series, -v);
  }
}

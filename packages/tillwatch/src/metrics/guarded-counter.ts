import { Counter, type Registry } from 'prom-client';
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

type CounterChild = Counter.Internal;

export class GuardedCounterHandle<L extends string> implements GuardedCounter<L> {
  readonly definition: NormalizedDefinition;
  readonly #guard: SeriesGuard<CounterChild>;
  readonly #settings: GuardSettings;

  constructor(definition: NormalizedDefinition, registry: Registry, settings: GuardSettings) {
    this.definition = definition;
    this.#settings = settings;
    // registers: [] keeps it off prom-client's global registry; the owner registers it in its own.
    const metric = new Counter({ name: definition.name, help: definition.help, labelNames: definition.labelNames, registers: [] });
    registry.registerMetric(metric);
    this.#guard = new SeriesGuard<CounterChild>({
      ...settings,
      labelNames: definition.labelNames,
      normalizers: definition.normalizers,
      maxSeries: definition.maxSeries,
      // labels() binds the sanitised label object once. prom-client 15.1 still hashes and validates it on every
      // inc (lib/counter.js: labels() returns inc.bind(this, labels)); the guard saves the sanitising and redacting.
      createSeries: (labels) => metric.labels(labels),
    });
  }

  inc(labels?: LabelValues<L>, value?: number): void {
    const v = value === undefined ? 1 : value;
    // !(v >= 0) also catches NaN and non-numbers coerced to NaN.
    if (typeof v !== 'number' || !(v >= 0) || v === Infinity) {
      this.#settings.reporter.invalid('value');
      return;
    }
    this.#guard.resolve(labels)?.inc(v);
  }
}

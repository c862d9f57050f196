/**
 * A prom-client registry (Prometheus text format) that can also render its metrics as OpenMetrics 1.0,
 * concurrently and without toggling any shared state.
 *
 * Why not `setContentType()` or one registry per format: prom-client's OpenMetrics rendering mutates the
 * metric objects it renders. `Registry#metrics()` rewrites every counter's `name` to strip `_total`
 * (lib/registry.js, standardizeCounterName), so a counter registered in both registries would lose its
 * `_total` suffix in the next Prometheus-format scrape. And toggling one registry's content type would race
 * when two scrapes of different formats overlap (both `await` collect callbacks).
 *
 * So each OpenMetrics render builds a throwaway OpenMetrics registry holding the same metric objects, except
 * that counters are wrapped in a small view whose `name` prom-client may rewrite freely. Histograms, gauges and
 * summaries are shared as they are: prom-client does not mutate them while rendering. Exemplars are written
 * only by the OpenMetrics registry (lib/registry.js checks the registry's content type), so exemplar-enabled
 * histograms appear in both formats, with exemplars in OpenMetrics only.
 */
import { Registry, type Metric, type MetricObjectWithValues, type MetricValue, type OpenMetricsContentType } from 'prom-client';

/** The parts of a prom-client metric object that a registry uses. */
export interface RegisteredMetric {
  name: string;
  readonly help: string;
  readonly type: string;
  readonly aggregator: string;
  get(): Promise<MetricObjectWithValues<MetricValue<string>>>;
  reset(): void;
}

/** A counter as seen by one OpenMetrics render: prom-client may rename the view, never the counter. */
export function counterView(counter: RegisteredMetric): RegisteredMetric {
  const view: RegisteredMetric = {
    name: counter.name,
    help: counter.help,
    type: counter.type,
    aggregator: counter.aggregator,
    get: async () => ({ ...(await counter.get()), name: view.name }),
    reset: () => counter.reset(),
  };
  return view;
}

export class MetricsRegistry extends Registry {
  /** Kept so the OpenMetrics render can apply the same default labels; prom-client has no getter for them. */
  #defaultLabels: Record<string, string> = {};

  /** The labels set with {@link setDefaultLabels} (prom-client keeps them private). */
  get defaultLabels(): Readonly<Record<string, unknown>> {
    return this.#defaultLabels;
  }

  override setDefaultLabels(labels: object): void {
    super.setDefaultLabels(labels);
    this.#defaultLabels = { ...(labels as Record<string, string>) };
  }

  override clear(): void {
    super.clear();
    this.#defaultLabels = {};
  }

  /**
   * prom-client's own rendering of every metric of this registry in OpenMetrics 1.0 text (ends with `# EOF`), in one
   * go. `Metrics.render` does not use it (see exposition-renderer.ts); it is the reference the renderer's output is
   * compared with, byte for byte. Rejects when a collect callback fails.
   */
  openMetrics(): Promise<string> {
    // A fresh registry per render: switching its content type is local (the 15.1 typings omit the constructor argument).
    const om = new Registry<OpenMetricsContentType>();
    om.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    if (Object.keys(this.#defaultLabels).length > 0) om.setDefaultLabels(this.#defaultLabels);
    for (const m of this.getMetricsAsArray() as unknown as RegisteredMetric[]) {
      om.registerMetric((m.type === 'counter' ? counterView(m) : m) as unknown as Metric);
    }
    return om.metrics();
  }
}

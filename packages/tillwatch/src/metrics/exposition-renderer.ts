/**
 * Renders a registry in Prometheus text 0.0.4 or OpenMetrics 1.0, the same bytes prom-client's
 * `Registry#metrics()` writes, in slices that leave the event loop to request code.
 *
 * A scrape runs on the thread that serves checkout: prom-client renders the whole registry in one go (users report
 * a second of event-loop lag once `/metrics` reaches megabytes), so every request in flight waits for it. Here the
 * metrics tillwatch stores itself ({@link MetricFamily}) are rendered from their per-series label strings, and the
 * render yields (`setImmediate`) whenever a slice has run {@link SLICE_MS}; a series is always written whole, so
 * its buckets, sum and count agree. Metrics registered directly as prom-client objects (the Node.js runtime
 * metrics, tillwatch's own guard counters, anything a service adds to `metrics.registry`) are rendered by
 * prom-client, exactly as before.
 *
 * The body is handed to a sink in chunks of about {@link CHUNK_CHARS} characters, so the handler streams a
 * large exposition to the scraper as it is rendered (memory bounded by the socket's buffer, not the body's size)
 * instead of building, measuring and encoding one string of tens of megabytes.
 */
import { Registry, type Metric, type OpenMetricsContentType } from 'prom-client';
import { MetricFamily, type FamilyRendering } from './metric-family.ts';
import { counterView, type MetricsRegistry, type RegisteredMetric } from './metrics-registry.ts';

/** Longest stretch of rendering before yielding to the event loop. */
export const SLICE_MS = 6;
const CHUNK_CHARS = 64 * 1024;
/** How many series are written between two looks at the clock. */
const SERIES_PER_CHECK = 32;

/**
 * Receives the exposition chunk by chunk (about {@link CHUNK_CHARS} characters each). A returned promise holds the
 * render until it settles (backpressure from a slow scraper); a rejection stops the render and is passed on.
 */
export type ChunkSink = (chunk: string) => void | Promise<void>;

/** An exposition whose collect callbacks have run: writing it cannot fail any more, except in the sink. */
export interface PreparedExposition {
  /** Writes the whole exposition to `sink`, yielding to the event loop between slices. */
  writeTo(sink: ChunkSink): Promise<void>;
}

interface PromClientRegistryInternals {
  /** prom-client 15, lib/registry.js: one metric's HELP, TYPE and sample lines. */
  getMetricsAsString(metric: unknown): Promise<string>;
}

/** The view prom-client renders an OpenMetrics counter family through: named without `_total`, the counter untouched. */
function openMetricsCounter(counter: RegisteredMetric): RegisteredMetric {
  const view = counterView(counter);
  view.name = view.name.replace(/_total$/, '');
  return view;
}

class ChunkWriter {
  /** Pieces of the current chunk, joined once when it is full. */
  readonly parts: string[] = [];
  readonly #sink: ChunkSink;
  #chars = 0;
  #sliceStart = performance.now();

  constructor(sink: ChunkSink) {
    this.#sink = sink;
  }

  write(text: string): Promise<void> | undefined {
    this.parts.push(text);
    return this.added(text.length);
  }

  /** Accounts for `chars` characters pushed onto {@link parts} directly; a promise when the sink asks to wait. */
  added(chars: number): Promise<void> | undefined {
    this.#chars += chars;
    return this.#chars >= CHUNK_CHARS ? this.flush() : undefined;
  }

  /** Yields to the event loop when the current slice has run long enough. */
  async maybeYield(): Promise<void> {
    if (performance.now() - this.#sliceStart < SLICE_MS) return;
    await this.#yield();
  }

  async #yield(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.#sliceStart = performance.now();
  }

  flush(): Promise<void> | undefined {
    if (this.parts.length === 0) return undefined;
    const chunk = this.parts.join('');
    this.parts.length = 0;
    this.#chars = 0;
    const wait = this.#sink(chunk);
    // After waiting for the sink, go on from the event loop's check phase: at most one slice per loop turn, however
    // the drain and the setImmediate wake-ups fall.
    return wait instanceof Promise ? wait.then(() => this.#yield()) : undefined;
  }
}

async function writeFamily<S>(rendering: FamilyRendering<S>, out: ChunkWriter): Promise<void> {
  await out.write(rendering.header);
  const series = rendering.series;
  for (let i = 0; i < series.length; i++) {
    const wait = out.added(rendering.write(series[i] as S, out.parts));
    if (wait !== undefined) await wait;
    if (i % SERIES_PER_CHECK === SERIES_PER_CHECK - 1) await out.maybeYield();
  }
}

/**
 * Runs the collect callbacks of every metric of `registry` (and renders the prom-client ones), ready to write in
 * registration order.
 * @throws (rejects) when a collect callback rejects, as prom-client's `metrics()` does.
 */
export async function prepareExposition(registry: MetricsRegistry, openMetrics: boolean): Promise<PreparedExposition> {
  const metrics = registry.getMetricsAsArray() as unknown as (RegisteredMetric | MetricFamily<never>)[];
  const defaults = registry.defaultLabels;
  let om: Registry<OpenMetricsContentType> | undefined;
  // Every collect callback starts before any value is read, as in prom-client's Promise.all over the metrics.
  const pending = metrics.map((m): unknown => {
    if (m instanceof MetricFamily) return m.collect?.();
    if (!openMetrics) return (registry as unknown as PromClientRegistryInternals).getMetricsAsString(m);
    if (om === undefined) {
      om = new Registry<OpenMetricsContentType>();
      om.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
      if (Object.keys(defaults).length > 0) om.setDefaultLabels(defaults as Record<string, string>);
    }
    return (om as unknown as PromClientRegistryInternals).getMetricsAsString(m.type === 'counter' ? openMetricsCounter(m) : (m as unknown as Metric));
  });
  const settled = await Promise.all(pending);
  return {
    writeTo: async (sink) => {
      const out = new ChunkWriter(sink);
      for (let i = 0; i < metrics.length; i++) {
        if (i > 0) await out.write(openMetrics ? '\n' : '\n\n');
        const m = metrics[i];
        if (m instanceof MetricFamily) await writeFamily(m.rendering(openMetrics, defaults), out);
        else await out.write(settled[i] as string);
      }
      await out.write(openMetrics ? '\n# EOF\n' : '\n');
      await out.flush();
    },
  };
}

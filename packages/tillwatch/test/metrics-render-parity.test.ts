/**
 * The exposition tillwatch renders from its own per-series storage must be the bytes prom-client writes.
 * Every recording goes to a tillwatch metric and to a prom-client twin of the same definition, in a registry
 * holding the twins where tillwatch has its families and the very same objects everywhere else (the guard
 * counters); both registries are then rendered in both formats and compared byte for byte. A pseudo-random but
 * seeded sequence covers counters, gauges and histograms, with and without labels, never recorded, reset,
 * exemplars, default labels and label values that need escaping.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { Counter, Gauge, Histogram, type Metric } from 'prom-client';
import { resolveOptions } from '../src/config/options.ts';
import { Metrics } from '../src/metrics/metrics.ts';
import { MetricsRegistry } from '../src/metrics/metrics-registry.ts';
import { HistogramFamily, MetricFamily } from '../src/metrics/metric-family.ts';
import { logSink } from '../src/testing/log-sink.ts';
import { counter, gauge, histogram } from './helpers/handles.ts';

const OPENMETRICS = 'application/openmetrics-text; version=1.0.0';

/** mulberry32: a small seeded generator, so a failure replays. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Twins {
  readonly m: Metrics;
  readonly ref: MetricsRegistry;
  readonly twin: (name: string) => Metric;
}

/** A Metrics instance (runtime metrics off: their values move between two renders) and its prom-client twin registry. */
function twins(setupMetrics: (m: Metrics) => void): Twins {
  const { options } = resolveOptions({ metrics: { runtime: false } }, {});
  const m = new Metrics({ options, logger: pino({ level: 'silent' }, logSink()) });
  setupMetrics(m);
  const ref = new MetricsRegistry();
  const byName = new Map<string, Metric>();
  for (const metric of m.registry.getMetricsAsArray()) {
    if (!(metric instanceof MetricFamily)) {
      ref.registerMetric(metric as unknown as Metric);
      continue;
    }
    const family = metric as MetricFamily<never>;
    const base = { name: family.name, help: family.help, labelNames: [...family.labelNames], registers: [] };
    let t: Metric;
    if (family.type === 'counter') t = new Counter(base);
    else if (family.type === 'gauge') t = new Gauge(base);
    // Exemplars on for every twin: a histogram observed without exemplar labels renders as one without them.
    else t = new Histogram({ ...base, buckets: [...(family as unknown as HistogramFamily).upperBounds], enableExemplars: true });
    ref.registerMetric(t);
    byName.set(family.name, t);
  }
  return { m, ref, twin: (name) => byName.get(name) as Metric };
}

async function assertSameBytes(t: Twins, label: string): Promise<void> {
  for (const accept of [undefined, OPENMETRICS]) {
    const ours = (await t.m.render(accept)).body;
    const theirs = accept === undefined ? await t.ref.metrics() : await t.ref.openMetrics();
    assert.equal(ours, theirs, `${label}, ${accept ?? 'Prometheus text'}: differs from prom-client's rendering of twin metrics`);
    // And prom-client's own rendering of tillwatch's registry (through the families' get()) agrees as well.
    const sameRegistry = accept === undefined ? await t.m.registry.metrics() : await t.m.registry.openMetrics();
    assert.equal(ours, sameRegistry, `${label}, ${accept ?? 'Prometheus text'}: differs from prom-client's rendering of the same registry`);
  }
}

const LABEL_VALUES = ['web', 'kiosk', 'pos "7"', 'back\\slash', 'café', '42', '/orders/:id'];
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

test('the exposition is prom-client\'s, byte for byte, in both formats', async (ctx: TestContext) => {
  ctx.mock.method(Date, 'now', () => 1_765_000_000_123); // exemplar timestamps
  const t = twins((m) => {
    counter(m, { name: 'pos_orders_total', help: 'Orders\nwith a "newline" and \\ backslash.', labelNames: ['channel', 'store'] });
    counter(m, { name: 'pos_untouched_total', help: 'Never incremented.', labelNames: ['channel'] });
    counter(m, { name: 'pos_singles_total', help: 'No labels.' });
    gauge(m, { name: 'pos_drawer_cash', help: 'Cash.', labelNames: ['drawer'] });
    gauge(m, { name: 'pos_queue_depth', help: 'No labels.' });
    histogram(m, { name: 'pos_checkout_seconds', help: 'Checkout.', labelNames: ['channel', 'route'], buckets: BUCKETS, exemplars: true });
    histogram(m, { name: 'pos_print_seconds', help: 'Printing.', buckets: [0.1, 0.5, 1] });
  });
  const { m } = t;
  const h = {
    orders: counter(m, { name: 'pos_orders_total', help: 'Orders\nwith a "newline" and \\ backslash.', labelNames: ['channel', 'store'] }),
    singles: counter(m, { name: 'pos_singles_total', help: 'No labels.' }),
    drawer: gauge(m, { name: 'pos_drawer_cash', help: 'Cash.', labelNames: ['drawer'] }),
    queue: gauge(m, { name: 'pos_queue_depth', help: 'No labels.' }),
    checkout: histogram(m, { name: 'pos_checkout_seconds', help: 'Checkout.', labelNames: ['channel', 'route'], buckets: BUCKETS, exemplars: true }),
    print: histogram(m, { name: 'pos_print_seconds', help: 'Printing.', buckets: [0.1, 0.5, 1] }),
  };
  const tw = {
    orders: t.twin('pos_orders_total') as Counter<string>,
    singles: t.twin('pos_singles_total') as Counter<string>,
    drawer: t.twin('pos_drawer_cash') as Gauge<string>,
    queue: t.twin('pos_queue_depth') as Gauge<string>,
    checkout: t.twin('pos_checkout_seconds') as Histogram<string>,
    print: t.twin('pos_print_seconds') as Histogram<string>,
    requests: t.twin('http_requests_total') as Counter<string>,
    duration: t.twin('http_request_duration_seconds') as Histogram<string>,
  };
  const r = rng(20261207);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const value = (): number => pick([0, 1, 0.1 + 0.2, 1e-7, 123456.789, r() * 40, 2 ** 53, 1 / 3]);

  const run = (n: number): void => {
    for (let i = 0; i < n; i++) {
      const op = Math.floor(r() * 9);
      const v = value();
      if (op === 0) {
        const labels = { channel: pick(LABEL_VALUES), store: pick(LABEL_VALUES) };
        h.orders.inc(labels, v);
        tw.orders.inc(labels, v);
      } else if (op === 1) {
        h.singles.inc(undefined, v);
        tw.singles.inc(v);
      } else if (op === 2) {
        const labels = { drawer: pick(LABEL_VALUES) };
        const how = pick(['set', 'inc', 'dec'] as const);
        h.drawer[how](labels, v);
        tw.drawer[how](labels, v);
      } else if (op === 3) {
        h.queue.dec(undefined, v);
        tw.queue.dec(v);
      } else if (op === 4 || op === 5) {
        const labels = { channel: pick(LABEL_VALUES), route: pick(LABEL_VALUES) };
        const s = pick([value(), 1000, 0.005, 30, 0.0051]);
        if (r() < 0.5) {
          const exemplar = { trace_id: `4bf92f3577b34da6a3ce929d0e0e47${i % 100}` };
          h.checkout.observe(labels, s, exemplar);
          tw.checkout.observe({ labels, value: s, exemplarLabels: exemplar });
        } else {
          h.checkout.observe(labels, s);
          tw.checkout.observe({ labels, value: s });
        }
      } else if (op === 6) {
        h.print.observe({}, v);
        tw.print.observe({ value: v });
      } else {
        const status = pick([200, 201, 404, 503]);
        const route = pick(['/orders', '/orders/:id', '/payments']);
        const s = r() * 2;
        m.http.start();
        m.http.end('GET', route, status, s);
        const labels = { method: 'GET', route, status_code: String(status) };
        tw.requests.inc(labels);
        tw.duration.observe({ labels, value: s });
      }
    }
  };

  await assertSameBytes(t, 'before any recording');
  run(3000);
  await assertSameBytes(t, 'after 3000 recordings');
  m.registry.resetMetrics();
  t.ref.resetMetrics();
  await assertSameBytes(t, 'after reset');
  run(500);
  await assertSameBytes(t, 'recording after reset');
  m.registry.setDefaultLabels({ store: 'berlin-01', channel: 'default', zone: 7 });
  t.ref.setDefaultLabels({ store: 'berlin-01', channel: 'default', zone: 7 });
  await assertSameBytes(t, 'with default labels');
});

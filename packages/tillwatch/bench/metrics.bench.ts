/**
 * Hot-path costs of tillwatch metrics, next to bare prom-client for scale.
 * Run: node packages/tillwatch/bench/metrics.bench.ts
 */
import pino from 'pino';
import { Counter, Registry } from 'prom-client';
import { resolveOptions } from '../src/config/options.ts';
import { Metrics } from '../src/metrics/metrics.ts';
import { createRedactor } from '@tillwatch/redact';
import { counter, histogram } from '../test/helpers/handles.ts';

function bench(name: string, iterations: number, fn: (i: number) => void): void {
  for (let i = 0; i < Math.min(iterations, 200_000); i++) fn(i); // warm up: let V8 optimise
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 5; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) fn(i);
    best = Math.min(best, Number(process.hrtime.bigint() - start) / iterations);
  }
  console.log(`${name.padEnd(58)} ${best.toFixed(1).padStart(9)} ns/op (best of 5 x ${iterations})`);
}

async function benchAsync(name: string, rounds: number, fn: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < 5; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const start = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  console.log(`${name.padEnd(58)} ${(times[Math.floor(rounds / 2)] as number).toFixed(2).padStart(9)} ms (median of ${rounds})`);
}

const redactor = createRedactor({});
const make = (runtime: boolean, maxSeriesPerMetric = 2000) =>
  new Metrics({
    options: resolveOptions({ metrics: { runtime, maxSeriesPerMetric } }, {}).options,
    logger: pino({ level: 'silent' }),
    redactLabel: (v) => redactor.string(v),
  });

const N = 2_000_000;
const routes = ['/orders', '/orders/:id', '/orders/:id/items', '/payments', '/refunds'];
const m = make(false);

const orders = counter(m, { name: 'bench_orders_total', help: 'b', labelNames: ['method', 'route', 'status_code'] });
bench('GuardedCounter.inc, 3 labels, cached', N, (i) => orders.inc({ method: 'GET', route: routes[i % 5] as string, status_code: 200 }));

const plain = counter(m, { name: 'bench_plain_total', help: 'b' });
bench('GuardedCounter.inc, no labels', N, () => plain.inc());

const reg = new Registry();
const raw = new Counter({ name: 'raw_total', help: 'b', labelNames: ['method', 'route', 'status_code'], registers: [reg] });
const rawChild = raw.labels({ method: 'GET', route: '/orders', status_code: '200' });
bench('prom-client child.inc (for scale: what the guard calls)', N, () => rawChild.inc());
bench('prom-client counter.inc(labels) (for scale)', N, (i) => raw.inc({ method: 'GET', route: routes[i % 5] as string, status_code: 200 }));

const latency = histogram(m, { name: 'bench_latency_seconds', help: 'b', labelNames: ['method', 'route', 'status_code'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
bench('GuardedHistogram.observe, 3 labels, 11 buckets', N, (i) => latency.observe({ method: 'GET', route: routes[i % 5] as string, status_code: 200 }, (i % 100) / 1000));

const withEx = histogram(m, { name: 'bench_ex_seconds', help: 'b', labelNames: ['route'], buckets: [0.01, 0.1, 1], exemplars: true });
const ex = { trace_id: '4bf92f3577b34da6a3ce929d0e0e4736' };
bench('GuardedHistogram.observe with an exemplar', N / 4, (i) => withEx.observe({ route: routes[i % 5] as string }, 0.05, ex));

bench('HttpMetrics.start + end', N, (i) => {
  m.http.start();
  m.http.end('GET', routes[i % 5] as string, 200, (i % 100) / 1000);
});

const small = make(false, 100);
const flood = counter(small, { name: 'bench_flood_total', help: 'b', labelNames: ['order_id'] });
for (let i = 0; i < 100; i++) flood.inc({ order_id: `warm-${i}` });
bench('GuardedCounter.inc, new label set past the budget (folds)', N / 10, (i) => flood.inc({ order_id: `ord-${i}-x` }));

// ~500 series: 400 counter label sets + 100 histogram label sets (each 14 lines), plus runtime metrics.
const big = make(true);
const c = counter(big, { name: 'bench_sku_total', help: 'b', labelNames: ['sku'] });
for (let i = 0; i < 400; i++) c.inc({ sku: `SKU-${i}` });
for (let i = 0; i < 100; i++) big.http.end('GET', `/r${i}`, 200, 0.01);
const lines = (await big.render(undefined)).body.split('\n').length;
console.log(`render fixture: 500 series + runtime metrics = ${lines} lines`);
await benchAsync('render ~500 series, Prometheus text', 50, () => big.render(undefined));
await benchAsync('render ~500 series, OpenMetrics', 50, () => big.render('application/openmetrics-text'));

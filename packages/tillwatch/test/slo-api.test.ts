/** The in-process SLO API: pure status arithmetic on synthetic samples, and sampling from a real Metrics registry. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { resolveOptions } from '../src/config/options.ts';
import { Metrics } from '../src/metrics/metrics.ts';
import { computeSloStatus, createSloTracker, sumSeries, type SloSample } from '../src/slo/index.ts';
import { availabilitySlo, catalogue, latencySlo, paymentSuccessSlo, syncFreshnessSlo } from '@tillwatch/spec';

const MIN = 60_000;

/** Cumulative samples every minute with `rate` requests a minute and a per-minute error ratio. */
function samples(minutes: number, rate: number, ratioAt: (minute: number) => number): SloSample[] {
  const out: SloSample[] = [];
  let bad = 0;
  let total = 0;
  for (let i = 0; i <= minutes; i++) {
    out.push({ atMs: i * MIN, bad, total });
    bad += rate * ratioAt(i);
    total += rate;
  }
  return out;
}

test('a steady 1% error ratio on a 99.9% SLO burns at 10x and has overspent its budget ninefold', () => {
  const s = computeSloStatus('availability', 0.999, samples(30, 600, () => 0.01), 5 * MIN, 30 * MIN);
  assert.ok(Math.abs((s.errorRatio ?? 0) - 0.01) < 1e-12);
  assert.ok(Math.abs((s.burnRate ?? 0) - 10) < 1e-9);
  assert.ok(Math.abs((s.budgetRemaining ?? 0) - -9) < 1e-9);
  assert.equal(s.windowEvents, 3000);
  assert.equal(s.windowSeconds, 300);
});

test('the burn rate follows the short window while the budget remembers everything since start', () => {
  // 10 minutes of total outage, then 20 minutes clean.
  const s = computeSloStatus('availability', 0.999, samples(30, 600, (m) => (m < 10 ? 1 : 0)), 5 * MIN, 30 * MIN);
  assert.equal(s.burnRate, 0);
  assert.ok((s.budgetRemaining ?? 0) < -300);
});

test('no traffic reports null instead of a made-up ratio, and a counter reset inside the window counts from zero', () => {
  const idle = computeSloStatus('x', 0.99, samples(10, 0, () => 0), 5 * MIN, 10 * MIN);
  assert.equal(idle.errorRatio, null);
  assert.equal(idle.burnRate, null);
  assert.deepEqual(computeSloStatus('x', 0.99, [], 5 * MIN, 0).budgetRemaining, null);
  const reset = computeSloStatus('x', 0.99, [{ atMs: 0, bad: 50, total: 1000 }, { atMs: MIN, bad: 1, total: 10 }], 5 * MIN, MIN);
  assert.ok(Math.abs((reset.errorRatio ?? 0) - 0.1) < 1e-12);
});

test('sumSeries reads counters and histogram buckets from a registry snapshot with PromQL-style matchers', () => {
  const snapshot = [
    { name: 'http_requests_total', values: [{ value: 90, labels: { status_code: '200' } }, { value: 7, labels: { status_code: '503' } }, { value: 3, labels: { status_code: 500 } }] },
    { name: 'http_request_duration_seconds', values: [{ value: 80, labels: { le: 1 }, metricName: 'http_request_duration_seconds_bucket' }, { value: 100, labels: {}, metricName: 'http_request_duration_seconds_count' }] },
  ];
  assert.equal(sumSeries(snapshot, { series: 'http_requests_total', match: { status_code: { re: '5..' } } }), 10);
  assert.equal(sumSeries(snapshot, { series: 'http_requests_total', match: { status_code: { ne: '200' } } }), 10);
  assert.equal(sumSeries(snapshot, { series: 'http_request_duration_seconds_bucket', match: { le: '1' } }), 80);
  assert.equal(sumSeries(snapshot, { series: 'requests_total' }, 'http_'), 100);
});

test('the tracker samples a real Metrics registry and reports availability, latency and freshness', async () => {
  const { options } = resolveOptions({ metrics: { runtime: false } }, {});
  const metrics = new Metrics({ options, logger: pino({ level: 'silent' }) });
  const last = metrics.register(catalogue.metrics.sync.lastSuccess);
  let now = 1_000_000 * 1000;
  const tracker = createSloTracker({
    metrics,
    now: () => now,
    slos: [
      availabilitySlo({ name: 'availability', target: 0.999, period: '30d', team: 'ops' }),
      latencySlo({ name: 'latency', target: 0.9, period: '30d', team: 'ops', thresholdSeconds: 1 }),
      paymentSuccessSlo({ name: 'payments', target: 0.99, period: '30d', team: 'ops' }),
      syncFreshnessSlo({ name: 'sync', target: 0.99, period: '30d', team: 'ops', pipeline: 'sales', maxAgeSeconds: 900 }),
    ],
  });
  last.set({ pipeline: 'sales' }, now / 1000);
  await tracker.sample();
  for (let i = 0; i < 98; i++) metrics.http.end('POST', '/orders', 200, 0.2);
  metrics.http.end('POST', '/orders', 500, 2);
  metrics.http.end('POST', '/orders', 503, 2);
  now += 60_000;
  await tracker.sample();
  const r = tracker.report();
  assert.equal(r.lastError, undefined);
  const byName = Object.fromEntries(r.slos.map((s) => [s.name, s]));
  assert.equal(byName.availability?.errorRatio, 0.02);
  assert.ok(Math.abs((byName.availability?.burnRate ?? 0) - 20) < 1e-9);
  assert.equal(byName.latency?.errorRatio, 0.02);
  assert.equal(byName.payments?.supported, true);
  assert.equal(byName.payments?.errorRatio, null, 'no payment traffic yet');
  assert.equal(byName.sync?.errorRatio, 0, 'the pipeline reported a minute ago');
  now += 20 * 60_000;
  await tracker.sample();
  now += 60_000;
  await tracker.sample();
  assert.equal(tracker.report().slos.find((s) => s.name === 'sync')?.errorRatio, 1, 'stale for the whole window after 20 minutes without a batch');
});

test('a failing registry is reported, never thrown, and the timer does not keep the process alive', async () => {
  const tracker = createSloTracker({
    slos: [availabilitySlo({ name: 'availability', target: 0.999, period: '30d', team: 'ops' })],
    metrics: { registry: { getMetricsAsJSON: () => Promise.reject(new Error('collect failed')) } },
    sampleIntervalMs: 5,
  });
  tracker.start();
  await new Promise((r) => setTimeout(r, 20));
  tracker.stop();
  const r = tracker.report();
  assert.equal(r.lastError, 'collect failed');
  assert.equal(r.slos[0]?.errorRatio, null);
});

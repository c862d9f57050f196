import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { parse } from 'yaml';
import {
  bucketQuantile,
  evaluatePromql,
  parsePromql,
  PromqlParseError,
  RuleEngine,
  SeriesWindows,
  sqlWindowsPersistence,
  WindowsMonitor,
  type RawSample,
  type RuleFileGroup,
  type Value,
} from 'tillwatch/windows';
import { catalogue } from '@tillwatch/spec';
import { createTillwatch } from 'tillwatch';

const T0 = Date.UTC(2026, 0, 1);
const counter = (name: string, labels: Record<string, string>, value: number): RawSample => ({ labels: { __name__: name, ...labels }, value, counter: true });
const gauge = (name: string, labels: Record<string, string>, value: number): RawSample => ({ labels: { __name__: name, ...labels }, value, counter: false });

function scalarish(v: Value): number[] {
  if (v.kind === 'scalar') return [v.value];
  if (v.kind === 'vector') return v.samples.map((s) => s.value);
  return [];
}

function at(w: SeriesWindows, expr: string, timeMs: number): Value {
  return evaluatePromql(parsePromql(expr), { windows: w, timeMs });
}

test('rate() and increase() follow Prometheus: a steady 1/s counter reads 1/s and 300 in 5m, across a restart', () => {
  const w = new SeriesWindows();
  let raw = 0;
  for (let s = 0; s <= 600; s += 10) {
    if (s === 400) raw = 0; // the process restarted: the raw counter starts again
    raw += s === 0 ? 0 : 10;
    w.ingest(T0 + s * 1000, [counter('orders_completed_total', { location: 'a' }, raw)]);
  }
  const now = T0 + 600_000;
  assert.deepEqual(scalarish(at(w, 'rate(orders_completed_total[5m])', now)).map((v) => Number(v.toFixed(6))), [1]);
  assert.deepEqual(scalarish(at(w, 'sum(increase(orders_completed_total[5m]))', now)).map((v) => Number(v.toFixed(6))), [300]);
});

test('long ranges read the coarse tiers: a 1 h rate over 2 h of 10 s samples', () => {
  const w = new SeriesWindows();
  for (let s = 0; s <= 7200; s += 10) w.ingest(T0 + s * 1000, [counter('http_requests_total', { status_code: '200' }, s * 2)]);
  const v = scalarish(at(w, 'sum(rate(http_requests_total[1h]))', T0 + 7_200_000));
  assert.equal(v.length, 1);
  assert.ok(Math.abs(v[0]! - 2) < 1e-9, `rate ${v[0]}`);
  // 7200 s of 10 s samples in a 15-minute finest tier: the 1 h range was answered from the 1 m tier.
  assert.ok(w.spanMs >= 7 * 86_400_000);
});

test('ratios, sum by, or vector(0), on() matching and bool comparisons', () => {
  const w = new SeriesWindows();
  for (let s = 0; s <= 300; s += 10) {
    w.ingest(T0 + s * 1000, [
      counter('orders_completed_total', { location: 'a' }, s * 9),
      counter('orders_failed_total', { location: 'a', reason: 'payment_error' }, s),
      counter('orders_completed_total', { location: 'b' }, s * 10),
    ]);
  }
  const now = T0 + 300_000;
  const ratio = at(w, 'sum by (location) (rate(orders_failed_total[5m])) / (sum by (location) (rate(orders_completed_total[5m])) + sum by (location) (rate(orders_failed_total[5m]))) > 0.05', now);
  assert.equal(ratio.kind, 'vector');
  assert.deepEqual(ratio.kind === 'vector' ? ratio.samples.map((s) => [s.labels.location, Number(s.value.toFixed(4))]) : [], [['a', 0.1]]);
  const guarded = at(w, '(sum by (location) (rate(orders_failed_total[5m])) > 0) and on (location) (sum by (location) (increase(orders_completed_total[5m])) >= 20)', now);
  assert.deepEqual(guarded.kind === 'vector' ? guarded.samples.map((s) => s.labels) : [], [{ location: 'a' }]);
  assert.deepEqual(scalarish(at(w, '(sum(rate(payments_failures_total[5m])) or vector(0))', now)), [0]);
  assert.deepEqual(scalarish(at(w, 'sum(rate(orders_completed_total[5m])) > bool 100', now)), [0]);
  assert.deepEqual(scalarish(at(w, '1 - 2 * 3', now)), [-5]);
  assert.deepEqual(scalarish(at(w, 'absent(nothing_total{job="x"})', now)), [1]);
});

test('histogram_quantile interpolates inside the bucket like Prometheus, and the error is bounded by the bucket width', () => {
  const buckets = (counts: number[]) => [0.1, 0.5, 1, Infinity].map((le, i) => ({ le, count: counts[i]! }));
  // 100 observations: 50 under 0.1, 40 in (0.1, 0.5], 10 in (0.5, 1]. p90 = 0.5 exactly; p95 halfway through (0.5, 1].
  assert.equal(bucketQuantile(0.9, buckets([50, 90, 100, 100])), 0.5);
  assert.equal(bucketQuantile(0.95, buckets([50, 90, 100, 100])), 0.75);
  // Everything in +Inf: the answer is the highest finite bound, as in Prometheus.
  assert.equal(bucketQuantile(0.99, buckets([0, 0, 0, 10])), 1);
  const w = new SeriesWindows();
  for (let s = 0; s <= 300; s += 10) {
    const n = s / 10;
    w.ingest(T0 + s * 1000, [
      counter('http_request_duration_seconds_bucket', { le: '0.1' }, 5 * n),
      counter('http_request_duration_seconds_bucket', { le: '0.5' }, 9 * n),
      counter('http_request_duration_seconds_bucket', { le: '1' }, 10 * n),
      counter('http_request_duration_seconds_bucket', { le: '+Inf' }, 10 * n),
    ]);
  }
  const p95 = scalarish(at(w, 'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))', T0 + 300_000));
  assert.equal(Number(p95[0]!.toFixed(6)), 0.75);
});

test('subqueries and time(): the freshness SLI reads 1 while a timestamp is older than the threshold', () => {
  const w = new SeriesWindows();
  for (let s = 0; s <= 600; s += 10) w.ingest(T0 + s * 1000, [gauge('sync_last_success_timestamp_seconds', { pipeline: 'p' }, T0 / 1000)]);
  const v = scalarish(at(w, 'avg_over_time(((time() - max(sync_last_success_timestamp_seconds{pipeline="p"})) > bool 120)[5m:1m])', T0 + 600_000));
  assert.deepEqual(v, [1]);
});

test('unsupported PromQL is refused at parse time with the construct named', () => {
  assert.throws(() => parsePromql('sum(rate(x[5m])) by ('), PromqlParseError);
  assert.throws(() => parsePromql('a * on (x) group_left b'), /group_left/);
  assert.throws(() => parsePromql('x offset 5m'), PromqlParseError);
});

test('every rule tillwatch generates for the store parses, and only `up` needs the in-process series', () => {
  const dir = new URL('../../../deploy/prometheus/rules/', import.meta.url);
  const groups: RuleFileGroup[] = readdirSync(dir).flatMap((f) => (parse(readFileSync(new URL(f, dir), 'utf8')) as { groups: RuleFileGroup[] }).groups);
  const engine = new RuleEngine({ groups, windows: new SeriesWindows() });
  assert.deepEqual(engine.skipped, []);
  assert.ok(engine.ruleCount > 100, `${engine.ruleCount} rules`);
  engine.evaluate(T0);
  assert.deepEqual(engine.lastErrors, []);
});

test('alerts go pending, fire once `for` has passed, and resolve, with annotations expanded', () => {
  const w = new SeriesWindows({ tiers: [{ stepMs: 1000, slots: 120 }] });
  const groups: RuleFileGroup[] = [
    {
      name: 'g',
      rules: [
        { record: 'job:fail:ratio', expr: 'sum(rate(payments_failures_total[30s])) / sum(rate(payments_attempts_total[30s]))' },
        {
          alert: 'PaymentFailureRateHigh',
          expr: 'job:fail:ratio > 0.25',
          for: '5s',
          labels: { severity: 'critical' },
          annotations: { summary: '{{ $value | humanizePercentage }} of payments fail' },
        },
      ],
    },
  ];
  const engine = new RuleEngine({ groups, windows: w });
  let attempts = 0;
  let failures = 0;
  const states: string[] = [];
  for (let s = 0; s <= 80; s += 1) {
    attempts += 2;
    if (s >= 20 && s < 45) failures += 2;
    w.ingest(T0 + s * 1000, [counter('payments_attempts_total', {}, attempts), counter('payments_failures_total', {}, failures)]);
    for (const t of engine.evaluate(T0 + s * 1000)) states.push(`${s}:${t.kind}:${t.alert.annotations.summary}`);
  }
  assert.equal(states.length, 2, states.join('\n'));
  assert.match(states[0]!, /^\d+:firing:\d+(\.\d+)?% of payments fail$/);
  assert.match(states[1]!, /^\d+:resolved:/);
  const fired = Number(states[0]!.split(':')[0]);
  assert.ok(fired >= 25 && fired <= 35, `fired at ${fired}`);
});

test('the monitor reads a tillwatch registry, and its windows survive a restart through PGlite', async (t) => {
  const db = new PGlite();
  t.after(() => db.close());
  const persistence = sqlWindowsPersistence({ client: db });
  const tw = createTillwatch({ service: { name: 'win' }, log: { level: 'silent' } });
  t.after(() => tw.close());
  const completed = tw.metrics.register(catalogue.metrics.orders.completed);
  let clock = T0;
  const first = new WindowsMonitor({ source: tw.metrics.registry, service: 'win', persistence, now: () => clock });
  await first.start();
  for (let i = 1; i <= 30; i += 1) {
    clock += 10_000;
    completed.inc({ location: 'store-1', channel: 'in_store' }, 10);
    await first.tick();
  }
  await first.stop();
  assert.ok(first.status().series > 0);
  const second = new WindowsMonitor({ source: { getMetricsAsJSON: () => [] }, service: 'win', persistence, now: () => clock });
  await second.start();
  await second.stop();
  assert.equal(second.status().restoredFromSnapshot, true);
  const v = scalarish(at(second.windows, 'sum(increase(orders_completed_total[5m]))', clock));
  assert.equal(Math.round(v[0]!), 300);
});

/** The alert and SLO spec: burn windows as data, PromQL name extraction, validation, the default pack. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BURN_WINDOWS, burnFactor, availabilitySlo, latencySlo, syncFreshnessSlo, validateSlos } from '../src/slo/index.ts';
import {
  DEFAULT_STORE_THRESHOLDS,
  promqlMetricNames,
  storeAlertPack,
  storePackRecordings,
  unknownSeries,
  validateAlerts,
  defineAlert,
  counterSeries,
} from '../src/alerts/index.ts';
import { catalogue } from '../src/catalogue.ts';

const ctx = { service: 'store', thresholds: DEFAULT_STORE_THRESHOLDS, teams: { platform: 'ops', commerce: 'ops', security: 'sec' } };

test('burn factors derived from the budget shares are the SRE Workbook table 5-8 numbers for 30 days', () => {
  assert.deepEqual(BURN_WINDOWS.map((w) => [w.kind, burnFactor(w, '30d'), w.long, w.short]), [
    ['page', 14.4, '1h', '5m'],
    ['page', 6, '6h', '30m'],
    ['ticket', 3, '1d', '2h'],
    ['ticket', 1, '3d', '6h'],
  ]);
  // 28 days spends the same budget share: sloth's google-28d numbers.
  assert.deepEqual(BURN_WINDOWS.map((w) => burnFactor(w, '28d')), [13.44, 5.6, 2.8, 0.9333]);
});

test('promqlMetricNames ignores label names, functions, keywords, strings, durations and label lists', () => {
  assert.deepEqual(
    promqlMetricNames('histogram_quantile(0.95, sum by (le, route) (rate(http_request_duration_seconds_bucket{le="1",route=~"/a|/b"}[5m]))) > 3'),
    ['http_request_duration_seconds_bucket'],
  );
  assert.deepEqual(
    promqlMetricNames('a_total / on (location) group_left (channel) b_total offset 5m and bool c unless sum without (x) (d) or {__name__="e"} or vector(0) > inf'),
    ['a_total', 'b_total', 'c', 'd', 'e'],
  );
  assert.deepEqual(promqlMetricNames('count(ALERTS{alertname="x"}) # not_a_metric\n'), ['ALERTS']);
});

test('raw PromQL naming a metric the catalogue does not declare is reported, label names are not', () => {
  assert.deepEqual(unknownSeries('sum(rate(payment_failures_total{method="card"}[5m])) / sum(rate(payments_attempts_total[5m]))'), ['payment_failures_total']);
  assert.deepEqual(unknownSeries('up{job="store"} == 0'), []);
  assert.deepEqual(unknownSeries('http_request_duration_seconds > 1'), ['http_request_duration_seconds'], 'a histogram exposes only _bucket, _sum and _count');
});

test('every alert of the default pack is valid and reads only catalogue metrics', () => {
  const pack = storeAlertPack(ctx);
  assert.deepEqual(validateAlerts(pack, 'alerts', { recorded: new Set(storePackRecordings(ctx).map((r) => r.record)) }), []);
  assert.ok(pack.length >= 24);
  for (const name of ['ServiceDown', 'HttpErrorRateHigh', 'HttpLatencyP95High', 'HttpLatencyP99High', 'SlowQueries', 'DbPoolNearlyExhausted', 'DbQueryFailureRateHigh', 'CacheHitRateLow', 'PaymentFailureRateHigh', 'OrderFailureRateHigh', 'BruteForceSuspected', 'AuthFailuresHigh', 'RateLimitedClientsHigh', 'CorsViolations', 'PrinterAgentsDisconnected', 'PrintSuccessRateLow', 'OfflineQueueBacklog', 'OfflineQueueStale', 'SalesSyncStalled', 'BackupMissing', 'MemoryHigh', 'EventFailuresHigh', 'DeadLettersPresent', 'DeadLettersGrowing']) {
    assert.ok(pack.some((a) => a.name === name), name);
  }
  const payment = pack.find((a) => a.name === 'PaymentFailureRateHigh');
  assert.equal(payment?.severity, 'critical');
  assert.match(payment?.expr ?? '', /> 0\.01$/);
});

test('thresholds are overridable and flow into expressions and test fixtures', () => {
  const pack = storeAlertPack({ ...ctx, thresholds: { ...DEFAULT_STORE_THRESHOLDS, paymentFailureRatio: 0.03 } });
  const payment = pack.find((a) => a.name === 'PaymentFailureRateHigh');
  assert.match(payment?.expr ?? '', /> 0\.03$/);
  assert.match(payment?.test.firing[1]?.values ?? '', /^0\+3\.6x/);
});

test('an extra alert with an unknown metric, a hostile label or a missing test is rejected with its code', () => {
  const bad = defineAlert({
    name: 'Typo',
    severity: 'warning',
    for: '5m',
    group: 'x',
    team: 'ops',
    expr: 'rate(orders_complete_total[5m]) > 1',
    summary: 'x',
    description: 'x',
    runbook: 'x',
    labels: { owner: 'a"}\n' },
    test: { firing: [counterSeries(catalogue.metrics.orders.completed, {}, 1)], quiet: [] },
  });
  const codes = validateAlerts([bad]).map((p) => p.code);
  assert.deepEqual(codes.sort(), ['TW_ERR_ALERTS_UNKNOWN_METRIC', 'TW_ERR_ALERTS_UNSAFE_NAME']);
});

test('a latency threshold must be a bucket boundary of its histogram', () => {
  assert.deepEqual(validateSlos([latencySlo({ name: 'latency', target: 0.99, period: '30d', team: 'ops', thresholdSeconds: 1 })]), []);
  const problems = validateSlos([latencySlo({ name: 'latency', target: 0.99, period: '30d', team: 'ops', thresholdSeconds: 0.75 })]);
  assert.equal(problems[0]?.code, 'TW_ERR_ALERTS_NOT_A_BUCKET');
  assert.match(problems[0]?.message ?? '', /0\.75 s is not a bucket boundary of http_request_duration_seconds \(boundaries: 0\.005, .*, 10\)/);
});

test('SLO names, targets and periods are checked; hostile names are rejected with the offending value shown', () => {
  const p = validateSlos([
    availabilitySlo({ name: 'ok', target: 1.5, period: '30d', team: 'ops' }),
    availabilitySlo({ name: 'ok', target: 0.99, period: '7d' as '30d', team: 'ops' }),
    availabilitySlo({ name: 'x"}\n{{', target: 0.99, period: '30d', team: 'ops' }),
  ]);
  assert.deepEqual(p.map((x) => x.path), ['slos[0].target', 'slos[1].name', 'slos[1].period', 'slos[2].name']);
  assert.match(p[3]?.message ?? '', /got "x\\"}\\n\{\{"/);
});

test('an SLO target so low that its fastest burn alert could never fire is rejected, naming the lowest usable target', () => {
  const p = validateSlos([availabilitySlo({ name: 'lenient', target: 0.9, period: '30d', team: 'ops' })]);
  assert.equal(p.length, 1);
  assert.equal(p[0]?.path, 'slos[0].target');
  assert.match(p[0]?.message ?? '', /14\.4x burn.*at least 0\.931/);
  assert.deepEqual(validateSlos([availabilitySlo({ name: 'ok', target: 0.95, period: '30d', team: 'ops' })]), []);
});

test('CacheHitRateLow reads the per-keyspace hit-ratio recording, which is built from the catalogue cache counters', () => {
  const recordings = storePackRecordings(ctx);
  const ratio = recordings.find((r) => r.usedBy.includes('CacheHitRateLow'));
  assert.equal(ratio?.record, 'tillwatch:cache_hit:ratio_rate5m');
  assert.deepEqual(unknownSeries(ratio!.expr), [], 'the recording reads catalogue metrics only');
  assert.match(ratio!.expr, /sum by \(cache\) \(rate\(cache_hits_total\[5m\]\)\)/);
  assert.match(ratio!.expr, /cache_misses_total\[5m\]/);
  const alert = storeAlertPack(ctx).find((a) => a.name === 'CacheHitRateLow');
  assert.equal(alert?.expr, 'tillwatch:cache_hit:ratio_rate5m < 0.8');
  assert.deepEqual(validateAlerts([alert!]).map((p) => p.code), ['TW_ERR_ALERTS_UNKNOWN_METRIC'], 'without the recording, the alert reads an unknown series');
});

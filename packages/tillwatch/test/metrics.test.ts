import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { resolveOptions, type TillwatchOptions } from '../src/config/options.ts';
import { closedLabel, defineMetric, isTillwatchConfigError, isTillwatchError } from '@tillwatch/spec';
import { Metrics } from '../src/metrics/metrics.ts';
import type { GuardedGauge } from '../src/metrics/guarded-gauge.ts';
import { UNMATCHED_ROUTE } from '@tillwatch/spec';
import { sanitizeLabelValue } from '../src/metrics/label-value.ts';
import { createRedactor } from '@tillwatch/redact';
import { logSink, type LogSink } from '../src/testing/log-sink.ts';
import { counter, gauge, histogram } from './helpers/handles.ts';

const redactor = createRedactor({});

function setup(metrics: NonNullable<TillwatchOptions['metrics']> = {}, redactLabel: (v: string) => string = (v) => redactor.string(v)): { m: Metrics; sink: LogSink } {
  const { options } = resolveOptions({ metrics: { runtime: false, ...metrics } }, {});
  const sink = logSink();
  const m = new Metrics({ options, logger: pino({ level: 'debug' }, sink), redactLabel });
  return { m, sink };
}

/** The value of one sample line (`name{labels}`) of a Prometheus-format exposition, or undefined when absent. */
async function sample(m: Metrics, series: string): Promise<number | undefined> {
  const { body } = await m.render(undefined);
  const line = body.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const throwsCode = (code: string) => (e: unknown) => {
  assert.ok(isTillwatchError(e), `expected a TillwatchError, got ${String(e)}`);
  assert.equal(e.code, code);
  return true;
};

test('registering the same definition twice returns the same handle', () => {
  const { m } = setup();
  const def = { name: 'pos_orders_total', help: 'Orders placed.', labelNames: ['channel'] } as const;
  assert.equal(counter(m, def), counter(m, { ...def, labelNames: ['channel'] }));
  const buckets = [0.1, 1];
  assert.equal(histogram(m, { name: 'pos_payment_seconds', help: 'h', buckets }), histogram(m, { name: 'pos_payment_seconds', help: 'h', buckets: [0.1, 1] }));
});

test('registering a name again with a different definition throws TW_ERR_METRICS_DUPLICATE', () => {
  const { m } = setup();
  counter(m, { name: 'pos_orders_total', help: 'Orders placed.', labelNames: ['channel'] });
  assert.throws(() => counter(m, { name: 'pos_orders_total', help: 'Orders placed.', labelNames: ['store'] }), throwsCode('TW_ERR_METRICS_DUPLICATE'));
  assert.throws(() => counter(m, { name: 'pos_orders_total', help: 'Other help.', labelNames: ['channel'] }), throwsCode('TW_ERR_METRICS_DUPLICATE'));
  assert.throws(() => gauge(m, { name: 'pos_orders', help: 'Clashes with the OpenMetrics family of pos_orders_total.' }), throwsCode('TW_ERR_METRICS_DUPLICATE'));
  histogram(m, { name: 'pos_basket_items', help: 'Items per basket.', buckets: [1, 5, 10] });
  assert.throws(() => histogram(m, { name: 'pos_basket_items_bucket', help: 'Clashes with a histogram series.', buckets: [1] }), throwsCode('TW_ERR_METRICS_DUPLICATE'));
  assert.throws(() => counter(m, { name: 'http_requests_total', help: 'Taken by the RED metrics.' }), throwsCode('TW_ERR_METRICS_DUPLICATE'));
});

test('invalid metric and label names throw TW_ERR_METRICS_INVALID_NAME', () => {
  const { m } = setup();
  const invalid = throwsCode('TW_ERR_METRICS_INVALID_NAME');
  assert.throws(() => counter(m, { name: 'pos-orders_total', help: 'h' }), invalid);
  assert.throws(() => counter(m, { name: 'pos_orders', help: 'counters end in _total' }), invalid);
  assert.throws(() => gauge(m, { name: 'pos_queue_total', help: '_total is for counters' }), invalid);
  assert.throws(() => gauge(m, { name: 'pos:queue', help: 'colons are for recording rules' }), invalid);
  assert.throws(() => gauge(m, { name: 'posQueue', help: 'camelCase' }), invalid);
  assert.throws(() => gauge(m, { name: 'pos_queue_count', help: 'reserved suffix' }), invalid);
  assert.throws(() => gauge(m, { name: 'pos_queue', help: 'h', labelNames: ['__internal'] }), invalid);
  assert.throws(() => histogram(m, { name: 'pos_wait_seconds', help: 'h', labelNames: ['le'], buckets: [1] }), invalid);
  assert.throws(() => gauge(m, { name: 'pos_queue', help: 'h', labelNames: ['bad-label'] }), invalid);
});

test('an invalid help, maxSeries or bucket list throws a config error naming the metric', () => {
  const { m } = setup();
  const configError = (e: unknown) => isTillwatchConfigError(e) && e.code === 'TW_ERR_METRICS_INVALID_DEFINITION' && /pos_wait_seconds/.test(e.message);
  assert.throws(() => histogram(m, { name: 'pos_wait_seconds', help: 'h', buckets: [1, 0.5] }), configError);
  assert.throws(() => histogram(m, { name: 'pos_wait_seconds', help: 'h', buckets: [] }), configError);
  assert.throws(() => histogram(m, { name: 'pos_wait_seconds', help: '', buckets: [1] }), configError);
  assert.throws(() => histogram(m, { name: 'pos_wait_seconds', help: 'h', buckets: [1], maxSeries: 0 }), configError);
});

test('past its budget a metric folds new label sets into one overflow series and counts the drops', async () => {
  const { m, sink } = setup({ maxSeriesPerMetric: 3 });
  const c = counter(m, { name: 'pos_orders_total', help: 'Orders.', labelNames: ['store', 'channel'] });
  for (const store of ['s1', 's2', 's3', 's4', 's5', 's6']) c.inc({ store, channel: 'kiosk' });
  c.inc({ store: 's1', channel: 'kiosk' }, 2); // an existing series keeps counting
  c.inc({ store: 's9', channel: 'web' }, 5);
  assert.equal(await sample(m, 'pos_orders_total{store="s1",channel="kiosk"}'), 3);
  assert.equal(await sample(m, 'pos_orders_total{store="s4",channel="kiosk"}'), undefined);
  assert.equal(await sample(m, 'pos_orders_total{store="__overflow__",channel="__overflow__"}'), 3 + 5);
  assert.equal(await sample(m, 'tillwatch_metrics_series_dropped_total{metric="pos_orders_total"}'), 4);
  const warnings = sink.lines.filter((l) => l.code === 'TWWRN003');
  assert.equal(warnings.length, 1, 'TWWRN003 is logged once per metric');
  assert.equal(warnings[0]?.metric, 'pos_orders_total');
  assert.equal(warnings[0]?.level, 40);
});

test('maxSeries on a definition overrides the default budget', async () => {
  const { m } = setup({ maxSeriesPerMetric: 100 });
  const g = gauge(m, { name: 'pos_drawer_cash', help: 'Cash per drawer.', labelNames: ['drawer'], maxSeries: 1 });
  g.set({ drawer: '1' }, 10);
  g.set({ drawer: '2' }, 20);
  assert.equal(await sample(m, 'pos_drawer_cash{drawer="1"}'), 10);
  assert.equal(await sample(m, 'pos_drawer_cash{drawer="__overflow__"}'), 20);
});

test('the overflow series folds histograms too', async () => {
  const { m } = setup({ maxSeriesPerMetric: 1 });
  const h = histogram(m, { name: 'pos_print_seconds', help: 'Receipt printing time.', labelNames: ['printer'], buckets: [0.5, 1] });
  h.observe({ printer: 'front' }, 0.2);
  h.observe({ printer: 'back' }, 0.7);
  h.observe({ printer: 'bar' }, 2);
  assert.equal(await sample(m, 'pos_print_seconds_count{printer="__overflow__"}'), 2);
  assert.equal(await sample(m, 'pos_print_seconds_bucket{le="1",printer="__overflow__"}'), 1);
  assert.equal(await sample(m, 'tillwatch_metrics_series_dropped_total{metric="pos_print_seconds"}'), 2);
});

test('recording never throws: invalid values and labels are ignored and counted by reason', async () => {
  const { m, sink } = setup();
  const c = counter(m, { name: 'pos_orders_total', help: 'Orders.', labelNames: ['channel'] });
  const g = gauge(m, { name: 'pos_queue_length', help: 'Queue.', labelNames: ['lane'] });
  const h = histogram(m, { name: 'pos_wait_seconds', help: 'Wait.', labelNames: ['lane'], buckets: [1] });
  const hostile = Object.defineProperty({}, 'channel', { enumerable: true, get: () => { throw new Error('boom'); } });
  assert.doesNotThrow(() => {
    c.inc({ channel: 'web' }, -1);
    c.inc({ channel: 'web' }, Number.NaN);
    c.inc({ channel: 'web' }, Number.POSITIVE_INFINITY);
    c.inc({ channel: 'web' }, '3' as unknown as number);
    c.inc({ chanel: 'web' } as never);
    c.inc({ channel: 'web', extra: 'x' } as never);
    c.inc({ channel: { toString: () => 'web' } } as never);
    c.inc(hostile);
    c.inc(5 as never);
    g.set({ lane: '1' }, Number.NaN);
    g.inc({ lane: '1' }, Number.NEGATIVE_INFINITY);
    h.observe({ lane: '1' }, -0.5);
    h.observe({ lane: '1' }, Number.NaN);
  });
  assert.equal(await sample(m, 'pos_orders_total{channel="web"}'), undefined, 'nothing was recorded');
  assert.equal(await sample(m, 'tillwatch_metrics_invalid_observations_total{metric="pos_orders_total",reason="value"}'), 4);
  assert.equal(await sample(m, 'tillwatch_metrics_invalid_observations_total{metric="pos_orders_total",reason="label_names"}'), 3);
  assert.equal(await sample(m, 'tillwatch_metrics_invalid_observations_total{metric="pos_orders_total",reason="label_value"}'), 2);
  assert.equal(await sample(m, 'tillwatch_metrics_invalid_observations_total{metric="pos_queue_length",reason="value"}'), 2);
  assert.equal(await sample(m, 'tillwatch_metrics_invalid_observations_total{metric="pos_wait_seconds",reason="value"}'), 2);
  // One warning per metric and reason, not one per observation.
  assert.equal(sink.lines.filter((l) => l.metric === 'pos_orders_total' && l.reason === 'value').length, 1);
});

test('an open label left out or empty records unknown', async () => {
  const { m } = setup();
  const c = counter(m, { name: 'pos_refunds_total', help: 'Refunds.', labelNames: ['reason', 'channel'] });
  c.inc({ reason: 'damaged' });
  c.inc({ reason: 'damaged', channel: '' });
  assert.equal(await sample(m, 'pos_refunds_total{reason="damaged",channel="unknown"}'), 2);
});

test('a closed label keeps its declared values and folds anything else into other, as the catalogue declares', async () => {
  const { m } = setup();
  const refunds = defineMetric({
    name: 'pos_refunds_total',
    type: 'counter',
    unit: 'count',
    group: 'test',
    owner: 'service',
    help: 'Refunds by reason.',
    question: 'Why do customers bring things back?',
    labels: { reason: closedLabel('Why.', ['damaged', 'wrong_size']) },
  });
  const c = m.register(refunds);
  c.inc({ reason: 'damaged' });
  c.inc({ reason: 'Wrong Size' });
  c.inc({ reason: 'order 1234 was cold' });
  c.inc({});
  assert.equal(await sample(m, 'pos_refunds_total{reason="damaged"}'), 1);
  assert.equal(await sample(m, 'pos_refunds_total{reason="wrong_size"}'), 1);
  assert.equal(await sample(m, 'pos_refunds_total{reason="other"}'), 2);
  assert.equal(m.register(refunds), c, 'the same handle registered again gives the same recorder');
  const narrower = defineMetric({ ...refunds, labels: { reason: closedLabel('Why.', ['damaged']) } });
  assert.throws(() => m.register(narrower), throwsCode('TW_ERR_METRICS_DUPLICATE'), 'the same name with other label values is another metric');
});

test('label values are sanitised and redacted once per label set, not per observation', async () => {
  let calls = 0;
  const { m } = setup({}, (v) => {
    calls++;
    return redactor.string(v);
  });
  const c = counter(m, { name: 'pos_orders_total', help: 'Orders.', labelNames: ['channel', 'store'] });
  for (let i = 0; i < 1000; i++) c.inc({ channel: 'web', store: 42 });
  assert.equal(calls, 2, 'one redactor call per label value, on first sight only');
  c.inc({ channel: 'web', store: '42' }); // same series once converted to a string
  assert.equal(await sample(m, 'pos_orders_total{channel="web",store="42"}'), 1001);
});

test('cached series keep counting after registry.resetMetrics()', async () => {
  const { m } = setup();
  const c = counter(m, { name: 'pos_orders_total', help: 'Orders.', labelNames: ['channel'] });
  const h = histogram(m, { name: 'pos_wait_seconds', help: 'Wait.', labelNames: ['lane'], buckets: [1] });
  const g = gauge(m, { name: 'pos_queue_length', help: 'Queue.', labelNames: ['lane'] });
  c.inc({ channel: 'web' }, 5);
  h.observe({ lane: '1' }, 0.5);
  g.set({ lane: '1' }, 7);
  m.registry.resetMetrics();
  assert.equal(await sample(m, 'pos_orders_total{channel="web"}'), undefined);
  c.inc({ channel: 'web' });
  h.observe({ lane: '1' }, 0.5);
  g.inc({ lane: '1' });
  assert.equal(await sample(m, 'pos_orders_total{channel="web"}'), 1);
  assert.equal(await sample(m, 'pos_wait_seconds_count{lane="1"}'), 1);
  assert.equal(await sample(m, 'pos_queue_length{lane="1"}'), 1);
});

test('hostile label values are made safe: control characters, surrogates, 10 KB strings, card numbers', async () => {
  const { m } = setup({ maxLabelValueLength: 64 });
  const c = counter(m, { name: 'pos_hostile_total', help: 'Hostile input.', labelNames: ['v'] });
  const hostile = [
    'line1\nline2\r\n# HELP fake',
    'quote " and \\ backslash',
    '{} braces } and {',
    'x'.repeat(10_000),
    'card 4111 1111 1111 1111 paid',
    'lone \ud800 high and \udc00 low',
    'tab\tnul\u0000del\u007f',
    '😀'.repeat(40),
  ];
  for (const v of hostile) c.inc({ v });
  const { body } = await m.render(undefined);
  assert.ok(!body.includes('4111 1111 1111 1111') && !body.includes('4111111111111111'), 'the card number is masked');
  assert.match(body, /411111\*{6}1111/);
  assert.ok(!body.includes('x'.repeat(65)), 'values are truncated to maxLabelValueLength');
  assert.ok(!/[\u0000-\u0009\u000b-\u001f\u007f]/.test(body), 'no control characters (other than line ends) reach the exposition');
  assert.ok(!/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(body), 'no lone surrogates');
  const lines = body.split('\n').filter((l) => l.startsWith('pos_hostile_total{'));
  assert.equal(lines.length, hostile.length, 'one line per series: nothing split a line');
  for (const l of lines) assert.match(l, /^pos_hostile_total\{v="(?:[^"\\]|\\.)*"\} 1$/);
});

test('sanitizeLabelValue converts, scrubs, truncates without splitting a surrogate pair, and rejects objects', () => {
  assert.equal(sanitizeLabelValue(200, 100, undefined), '200');
  assert.equal(sanitizeLabelValue(true, 100, undefined), 'true');
  assert.equal(sanitizeLabelValue(undefined, 100, undefined), '');
  assert.equal(sanitizeLabelValue(null, 100, undefined), '');
  assert.equal(sanitizeLabelValue({}, 100, undefined), undefined);
  assert.equal(sanitizeLabelValue('a\nb', 100, undefined), 'a\ufffdb');
  assert.equal(sanitizeLabelValue('ab😀', 3, undefined), 'ab');
  assert.equal(sanitizeLabelValue('x', 100, () => { throw new Error('no'); }), '__redaction_failed__');
});

test('gauges with a collect callback are set at scrape time, and a failing callback does not fail the scrape', async () => {
  const { m, sink } = setup();
  let open = 3;
  const g: GuardedGauge<never> = gauge(m, { name: 'pos_open_tills', help: 'Open tills.', collect: () => g.set({}, open) });
  assert.equal(await sample(m, 'pos_open_tills'), 3);
  open = 4;
  assert.equal(await sample(m, 'pos_open_tills'), 4);
  gauge(m, { name: 'pos_broken', help: 'Fails.', collect: () => { throw new Error('db down at 4111111111111111'); } });
  gauge(m, { name: 'pos_broken_async', help: 'Rejects.', collect: async () => { throw new Error('timeout'); } });
  await m.render(undefined); // failures are counted during a scrape; the count is exported by the next one at the latest
  for (const metric of ['pos_broken', 'pos_broken_async']) {
    const failures = await sample(m, `tillwatch_metrics_collect_errors_total{metric="${metric}"}`);
    assert.ok(failures !== undefined && failures >= 1, `${metric}: ${failures}`);
  }
  assert.ok(!sink.text().includes('4111111111111111'), 'the logged error is redacted');
  assert.equal(sink.lines.filter((l) => l.metric === 'pos_broken').length, 1, 'logged once');
});

test('exemplars are validated: an invalid one is dropped and counted, the observation kept', async () => {
  const { m } = setup();
  const h = histogram(m, { name: 'pos_pay_seconds', help: 'Payment time.', buckets: [1], exemplars: true });
  h.observe({}, 0.5, { trace_id: 'a'.repeat(200) });
  h.observe({}, 0.5, { 'bad-name': 'x' });
  h.observe({}, 0.5, { trace_id: 'line\nbreak' });
  h.observe({}, 0.5, { trace_id: '4bf92f3577b34da6a3ce929d0e0e4736' });
  assert.equal(await sample(m, 'pos_pay_seconds_count'), 4);
  assert.equal(await sample(m, 'tillwatch_metrics_invalid_observations_total{metric="pos_pay_seconds",reason="exemplar"}'), 3);
});

test('HTTP RED metrics bound the method, name unmatched routes and track requests in flight', async () => {
  const { m } = setup();
  for (let i = 0; i < 4; i++) m.http.start();
  m.http.end('GET', '/orders/:id', 200, 0.03);
  m.http.end('get', '/orders/:id', 200, 0.04);
  m.http.end('BREW', '', 404, 0.001);
  assert.equal(await sample(m, 'http_requests_in_flight'), 1);
  m.http.end('POST', UNMATCHED_ROUTE, 999, Number.NaN);
  m.http.end('DELETE', '/orders/:id', 204, 0.01); // one more end than starts: in-flight stays at 0
  assert.equal(await sample(m, 'http_requests_in_flight'), 0);
  assert.equal(await sample(m, 'http_requests_total{method="GET",route="/orders/:id",status_code="200"}'), 2);
  assert.equal(await sample(m, 'http_requests_total{method="other",route="__unmatched__",status_code="404"}'), 1);
  assert.equal(await sample(m, 'http_requests_total{method="POST",route="__unmatched__",status_code="other"}'), 1);
  assert.equal(await sample(m, 'http_request_duration_seconds_count{method="GET",route="/orders/:id",status_code="200"}'), 2);
  assert.equal(await sample(m, 'http_request_duration_seconds_sum{method="GET",route="/orders/:id",status_code="200"}'), 0.07);
  assert.equal(await sample(m, 'http_request_duration_seconds_count{method="POST",route="__unmatched__",status_code="other"}'), undefined);
});

test('HTTP buckets and the metrics prefix come from the options', async () => {
  const { m } = setup({ prefix: 'shop_', httpBuckets: [0.1, 1] });
  m.http.end('GET', '/', 200, 0.5);
  assert.equal(await sample(m, 'shop_http_request_duration_seconds_bucket{le="1",method="GET",route="/",status_code="200"}'), 1);
  assert.equal(await sample(m, 'shop_http_requests_total{method="GET",route="/",status_code="200"}'), 1);
  assert.equal(await sample(m, 'shop_tillwatch_metrics_series_dropped_total{metric="shop_http_requests_total"}'), 0);
  m.sinkErrors.inc({ sink: 'log' });
  assert.equal(await sample(m, 'shop_tillwatch_sink_errors_total{sink="log"}'), 1);
});

test('two Metrics instances do not share series', async () => {
  const a = setup().m;
  const b = setup().m;
  assert.notEqual(a.registry, b.registry);
  counter(a, { name: 'pos_orders_total', help: 'Orders.' }).inc();
  counter(b, { name: 'pos_orders_total', help: 'Orders, with other help.' }).inc(undefined, 5);
  a.http.end('GET', '/a', 200, 0.1);
  assert.equal(await sample(a, 'pos_orders_total'), 1);
  assert.equal(await sample(b, 'pos_orders_total'), 5);
  assert.equal(await sample(b, 'http_requests_total{method="GET",route="/a",status_code="200"}'), undefined);
});

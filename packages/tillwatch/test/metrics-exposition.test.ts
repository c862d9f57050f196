import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import pino from 'pino';
import { resolveOptions } from '../src/config/options.ts';
import { Metrics } from '../src/metrics/metrics.ts';
import { UNMATCHED_ROUTE } from '@tillwatch/spec';
import { negotiateExpositionFormat, OPENMETRICS_CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE } from '../src/metrics/exposition-format.ts';
import { LINT_FAILING_RUNTIME_METRICS } from '../src/metrics/runtime-metrics.ts';
import { createRedactor } from '@tillwatch/redact';
import { logSink } from '../src/testing/log-sink.ts';
import { hasCommand, requireReal } from './helpers/real-parts.ts';
import { counter, gauge, histogram } from './helpers/handles.ts';

const PROMETHEUS_SCRAPE_ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

/** A service after some traffic: runtime metrics, RED over several routes, an app metric past its budget, hostile labels. */
function realisticMetrics(): Metrics {
  const redactor = createRedactor({});
  const { options } = resolveOptions({ metrics: { runtime: true, maxSeriesPerMetric: 5 } }, {});
  const m = new Metrics({ options, logger: pino({ level: 'silent' }, logSink()), redactLabel: (v) => redactor.string(v) });
  const routes = ['/orders', '/orders/:id', '/orders/:id/items', '/payments', UNMATCHED_ROUTE];
  for (const [i, route] of routes.entries()) {
    for (const [method, status] of [['GET', 200], ['POST', 201], ['POST', 422], ['GET', 503]] as const) {
      m.http.start();
      m.http.end(method, route, status, 0.002 * (i + 1) * status / 100, { trace_id: `4bf92f3577b34da6a3ce929d0e0e47${i}${status}`.slice(0, 32) });
    }
  }
  m.http.start(); // one still in flight
  const lookups = counter(m, { name: 'pos_sku_lookups_total', help: 'SKU lookups (badly labelled by SKU).', labelNames: ['sku'] });
  for (let i = 0; i < 50; i++) lookups.inc({ sku: `SKU-${i}` });
  lookups.inc({ sku: 'evil"\n} 1\n# TYPE x counter\\' });
  const drawers = gauge(m, { name: 'pos_drawer_cash', help: 'Cash in each drawer.', labelNames: ['drawer'] });
  drawers.set({ drawer: 'card 4111 1111 1111 1111' }, 120.5);
  histogram(m, { name: 'pos_receipt_print_seconds', help: 'Receipt printing time.', buckets: [0.1, 0.5, 1] }).observe({}, 0.3);
  m.sinkErrors.inc({ sink: 'log' });
  return m;
}

test('Accept negotiation picks OpenMetrics only when the scraper ranks it highest', () => {
  const cases: [string | undefined, 'prometheus' | 'openmetrics'][] = [
    [undefined, 'prometheus'],
    ['', 'prometheus'],
    ['*/*', 'prometheus'],
    ['text/plain', 'prometheus'],
    [PROMETHEUS_SCRAPE_ACCEPT, 'openmetrics'],
    ['application/openmetrics-text', 'openmetrics'],
    ['Application/OpenMetrics-Text; version="1.0.0"', 'openmetrics'],
    ['application/openmetrics-text;version=0.0.1', 'prometheus'],
    ['application/openmetrics-text;q=0', 'prometheus'],
    ['application/openmetrics-text;q=0.4, text/plain;q=0.5', 'prometheus'],
    ['text/html,application/xhtml+xml,*/*;q=0.8', 'prometheus'],
    ['application/openmetrics-text;q=garbage', 'prometheus'],
    [`${'x'.repeat(5000)},application/openmetrics-text`, 'prometheus'],
  ];
  for (const [accept, want] of cases) assert.equal(negotiateExpositionFormat(accept), want, String(accept));
});

const formats = [
  { name: 'Prometheus text 0.0.4', accept: undefined, contentType: PROMETHEUS_CONTENT_TYPE, openMetrics: false },
  { name: 'OpenMetrics 1.0', accept: PROMETHEUS_SCRAPE_ACCEPT, contentType: OPENMETRICS_CONTENT_TYPE, openMetrics: true },
] as const;

for (const format of formats) {
  describe(`exposition as ${format.name}`, () => {
    test('has the negotiated content type and the format-specific framing', async () => {
      const { contentType, body } = await realisticMetrics().render(format.accept);
      assert.equal(contentType, format.contentType);
      assert.ok(body.endsWith(format.openMetrics ? '\n# EOF\n' : '\n'));
      assert.equal(body.includes('# EOF'), format.openMetrics);
    });

    test('counters keep the same series name; only the family name differs', async () => {
      const { body } = await realisticMetrics().render(format.accept);
      assert.match(body, /^http_requests_total\{method="GET",route="\/orders",status_code="200"\} 1$/m);
      assert.match(body, format.openMetrics ? /^# TYPE http_requests counter$/m : /^# TYPE http_requests_total counter$/m);
      assert.match(body, /^process_cpu_seconds_total \d/m);
    });

    test('exemplars appear in OpenMetrics only', async () => {
      const { body } = await realisticMetrics().render(format.accept);
      const withExemplar = /^http_request_duration_seconds_bucket\{[^}]*\} \d+ # \{trace_id="[0-9a-f]+"\} [\d.e-]+ [\d.]+$/m;
      assert.equal(withExemplar.test(body), format.openMetrics);
    });

    test('every line is a comment or a well-formed sample, whatever the label values were', async () => {
      const { body } = await realisticMetrics().render(format.accept);
      const lines = body.split('\n');
      assert.equal(lines.pop(), '');
      const labelValue = String.raw`"(?:[^"\\\n]|\\["\\n])*"`;
      const sampleLine = new RegExp(String.raw`^[a-zA-Z_][a-zA-Z0-9_]*(\{[a-zA-Z_][a-zA-Z0-9_]*=${labelValue}(,[a-zA-Z_][a-zA-Z0-9_]*=${labelValue})*\})? \S+( # \{.*\} \S+ \S+)?$`);
      for (const line of lines) {
        if (line === '' && !format.openMetrics) continue; // Prometheus text separates families with blank lines
        assert.ok(/^# (HELP|TYPE) /.test(line) || line === '# EOF' || sampleLine.test(line), `malformed line: ${JSON.stringify(line)}`);
      }
      assert.ok(!body.includes('4111 1111 1111 1111'), 'card numbers in label values are masked');
      assert.match(body, /^pos_sku_lookups_total\{sku="__overflow__"\} 46$/m);
    });

    test('runtime metrics flagged by promtool are left out', async () => {
      const { body } = await realisticMetrics().render(format.accept);
      assert.match(body, /^nodejs_eventloop_lag_seconds /m);
      for (const name of LINT_FAILING_RUNTIME_METRICS) assert.ok(!body.includes(`${name} `), name);
    });
  });
}

test('promtool check metrics reports zero findings on a realistic exposition', async (t) => {
  if (!requireReal(t, 'promtool', hasCommand('promtool'), 'apt-get install prometheus')) return;
  const { body } = await realisticMetrics().render(undefined);
  const r = spawnSync('promtool', ['check', 'metrics'], { input: body, encoding: 'utf8' });
  assert.equal(r.stdout + r.stderr, '', 'promtool findings');
  assert.equal(r.status, 0);
});

test('concurrent scrapes in both formats do not disturb each other', async () => {
  const m = realisticMetrics();
  const accepts = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? undefined : 'application/openmetrics-text'));
  const results = await Promise.all(accepts.map((a) => m.render(a)));
  for (const [i, r] of results.entries()) {
    const openMetrics = i % 2 === 1;
    assert.equal(r.contentType, openMetrics ? OPENMETRICS_CONTENT_TYPE : PROMETHEUS_CONTENT_TYPE);
    assert.match(r.body, openMetrics ? /^# TYPE http_requests counter$/m : /^# TYPE http_requests_total counter$/m);
  }
  // And afterwards, a Prometheus scrape still names counter families with _total.
  assert.match((await m.render(undefined)).body, /^# TYPE pos_sku_lookups_total counter$/m);
});

test('default labels set on the registry appear in both formats', async () => {
  const m = realisticMetrics();
  m.registry.setDefaultLabels({ store: 'berlin-01' });
  for (const accept of [undefined, 'application/openmetrics-text']) {
    assert.match((await m.render(accept)).body, /^http_requests_in_flight\{store="berlin-01"\} 1$/m);
  }
});

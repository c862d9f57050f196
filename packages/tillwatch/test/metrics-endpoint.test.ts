import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { Gauge } from 'prom-client';
import { resolveOptions } from '../src/config/options.ts';
import { isTillwatchConfigError } from '@tillwatch/spec';
import { Metrics } from '../src/metrics/metrics.ts';
import { createMetricsHandler, type MetricsHandlerOptions } from '../src/metrics/metrics-endpoint.ts';
import { createRedactor } from '@tillwatch/redact';
import { logSink, type LogSink } from '../src/testing/log-sink.ts';

const TOKEN = 'scrape-token-0123456789abcdef';

/** A real server on an ephemeral port serving the handler; closed after the test. */
async function serve(t: TestContext, opts: MetricsHandlerOptions = {}): Promise<{ url: string; metrics: Metrics; sink: LogSink }> {
  const { options } = resolveOptions({ metrics: { runtime: false } }, {});
  const sink = logSink();
  const redactor = createRedactor({});
  const metrics = new Metrics({ options, logger: pino({ level: 'info' }, sink), redactLabel: (v) => redactor.string(v) });
  const server = http.createServer(createMetricsHandler(metrics, opts));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/metrics`, metrics, sink };
}

test('GET serves the Prometheus text format by default', async (t) => {
  const { url, metrics } = await serve(t);
  metrics.http.end('GET', '/orders', 200, 0.01);
  const res = await fetch(url);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
  assert.equal(res.headers.get('cache-control'), 'no-store');
  assert.equal(res.headers.get('vary'), 'Accept');
  assert.match(await res.text(), /^http_requests_total\{method="GET",route="\/orders",status_code="200"\} 1$/m);
});

test('an OpenMetrics Accept header gets OpenMetrics 1.0 ending in # EOF', async (t) => {
  const { url } = await serve(t);
  const res = await fetch(url, { headers: { accept: 'application/openmetrics-text; version=1.0.0' } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/openmetrics-text; version=1.0.0; charset=utf-8');
  assert.ok((await res.text()).endsWith('# EOF\n'));
});

test('HEAD answers the headers without a body', async (t) => {
  const { url } = await serve(t);
  const res = await fetch(url, { method: 'HEAD' });
  assert.equal(res.status, 200);
  assert.equal(await res.text(), '');
});

test('methods other than GET and HEAD get 405 with an Allow header', async (t) => {
  const { url } = await serve(t, { token: TOKEN });
  for (const method of ['POST', 'PUT', 'DELETE']) {
    const res = await fetch(url, { method, headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(res.status, 405, method);
    assert.equal(res.headers.get('allow'), 'GET, HEAD');
    await res.arrayBuffer();
  }
});

test('with a token, a missing or wrong bearer token gets 401 without details', async (t) => {
  const { url } = await serve(t, { token: TOKEN });
  const attempts: (Record<string, string> | undefined)[] = [
    undefined,
    { authorization: 'Bearer wrong-token-0123456789abcd' },
    { authorization: `Bearer ${TOKEN}x` },
    { authorization: `Basic ${Buffer.from(`user:${TOKEN}`).toString('base64')}` },
    { authorization: TOKEN },
    { authorization: 'Bearer ' },
  ];
  for (const headers of attempts) {
    const res = await fetch(url, headers ? { headers } : {});
    assert.equal(res.status, 401, JSON.stringify(headers));
    assert.equal(res.headers.get('www-authenticate'), 'Bearer');
    const body = await res.text();
    assert.equal(body, 'Unauthorized\n');
    assert.ok(!body.includes('http_requests'));
  }
});

test('with a token, the right bearer token gets the metrics (scheme is case-insensitive)', async (t) => {
  const { url } = await serve(t, { token: TOKEN });
  for (const scheme of ['Bearer', 'bearer']) {
    const res = await fetch(url, { headers: { authorization: `${scheme} ${TOKEN}` } });
    assert.equal(res.status, 200);
    assert.match(await res.text(), /# TYPE http_requests_total counter/);
  }
});

test('an empty token is a configuration error, not an open door', () => {
  const { options } = resolveOptions({ metrics: { runtime: false } }, {});
  const metrics = new Metrics({ options, logger: pino({ level: 'silent' }) });
  assert.throws(() => createMetricsHandler(metrics, { token: '' }), (e: unknown) => isTillwatchConfigError(e) && e.code === 'TW_ERR_CONFIG_INVALID');
});

test('a failing collect callback gets 500 with a generic body and a redacted error log, and the server keeps serving', async (t) => {
  const { url, metrics, sink } = await serve(t);
  let fail = true;
  // Registered directly in the registry, bypassing the guarded gauge's own error handling.
  new Gauge({
    name: 'raw_gauge',
    help: 'Collect fails while `fail` is set.',
    registers: [metrics.registry],
    collect() {
      if (fail) throw new Error('connection to 10.0.0.5 refused; last card 4111111111111111');
      this.set(1);
    },
  });
  for (const accept of ['text/plain', 'application/openmetrics-text']) {
    const res = await fetch(url, { headers: { accept } });
    assert.equal(res.status, 500);
    assert.equal(await res.text(), 'Internal Server Error\n');
  }
  const errors = sink.lines.filter((l) => l.level === 50);
  assert.equal(errors.length, 2);
  assert.ok(!sink.text().includes('4111111111111111'), 'the logged error is redacted');
  assert.match(sink.text(), /411111\*{6}1111/);
  fail = false;
  const res = await fetch(url);
  assert.equal(res.status, 200);
  assert.match(await res.text(), /^raw_gauge 1$/m);
});

test('a large exposition is streamed in chunks, the same bytes as Metrics.render, and a scraper hanging up stops it', async (t) => {
  const { url, metrics } = await serve(t);
  for (let i = 0; i < 1500; i++) metrics.http.end('GET', `/stores/${i}/orders/:id`, 200, (i % 50) / 100);
  const res = await fetch(url);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-length'), null, 'streamed without a Content-Length');
  const body = await res.text();
  assert.ok(body.length > 1_000_000, `a body of several chunks (${body.length} characters)`);
  assert.equal(body, (await metrics.render(undefined)).body);

  // A small exposition still goes out in one piece with its length.
  const small = await serve(t);
  const one = await fetch(small.url);
  assert.equal(Number(one.headers.get('content-length')), Buffer.byteLength(await one.text()));

  // Hanging up after the first bytes: the server stops rendering and keeps serving.
  await new Promise<void>((resolve, reject) => {
    const req = http.get(url, (r) => {
      r.once('data', () => {
        req.destroy();
        resolve();
      });
    });
    req.on('error', (err) => ((err as NodeJS.ErrnoException).code === 'ECONNRESET' ? resolve() : reject(err)));
  });
  const again = await fetch(url);
  assert.equal((await again.text()).length, body.length);
});

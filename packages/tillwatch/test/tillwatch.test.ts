import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTillwatch, isTillwatchConfigError, type TillwatchOptions } from '../src/index.ts';
import { tillwatchNodeHttp } from '../src/adapters/node-http.ts';
import { logSink } from '../src/testing/index.ts';

const quiet = { handleSignals: false, handleCrashes: false, exit: false } as const;

async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function start(options: TillwatchOptions) {
  const sink = logSink();
  const tw = createTillwatch({ ...options, log: { ...options.log, destination: sink }, lifecycle: quiet });
  const server = http.createServer(tillwatchNodeHttp(tw, (_req, res) => res.end('ok'), { route: () => '/thing' }));
  const port = await listen(server);
  await tw.attach(server);
  return {
    tw,
    sink,
    port,
    async close() {
      await tw.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

test('an invalid option fails at creation with every problem named, before anything starts', () => {
  assert.throws(
    () => createTillwatch({ metrics: { maxSeriesPerMetric: 0 }, health: { checkTimeoutMs: 'fast' as never }, lifecycle: quiet }),
    (e: unknown) =>
      isTillwatchConfigError(e) &&
      /metrics\.maxSeriesPerMetric: expected an integer between 1 and 1000000, got number 0/.test(e.message) &&
      /health\.checkTimeoutMs: expected an integer between 1 and 60000, got "fast"/.test(e.message),
  );
});

test('without a management port, /metrics and /health are served on the application port', async (t) => {
  const s = await start({ service: { name: 'one-port' } });
  t.after(() => s.close());
  s.tw.markStarted();
  await fetch(`http://127.0.0.1:${s.port}/x`);
  const metrics = await (await fetch(`http://127.0.0.1:${s.port}/metrics`)).text();
  assert.match(metrics, /http_requests_total\{method="GET",route="\/thing",status_code="200"\} 1/);
  assert.equal((await fetch(`http://127.0.0.1:${s.port}/health/ready`)).status, 200);
});

test('with a management port, /metrics and the probes move there and the application port no longer serves them', async (t) => {
  const s = await start({ service: { name: 'two-ports' }, management: { port: 0, host: '127.0.0.1' } });
  t.after(() => s.close());
  s.tw.markStarted();
  const mgmt = s.tw.managementAddress();
  assert.ok(mgmt, 'management server listening');
  assert.notEqual(mgmt.port, s.port);
  const onApp = await fetch(`http://127.0.0.1:${s.port}/metrics`);
  assert.equal(await onApp.text(), 'ok', 'the app answers /metrics itself');
  const res = await fetch(`http://127.0.0.1:${mgmt.port}/metrics`);
  assert.equal(res.status, 200);
  assert.match(await res.text(), /# TYPE http_requests_total counter/);
  assert.equal((await fetch(`http://127.0.0.1:${mgmt.port}/health/ready`)).status, 200);
  assert.equal((await fetch(`http://127.0.0.1:${mgmt.port}/nope`)).status, 404);
});

test('METRICS_TOKEN protects /metrics: 401 without the bearer token, 200 with it', async (t) => {
  const token = 'a-long-scrape-token-0123456789';
  const s = await start({ service: { name: 'token' }, metrics: { token } });
  t.after(() => s.close());
  assert.equal((await fetch(`http://127.0.0.1:${s.port}/metrics`)).status, 401);
  const ok = await fetch(`http://127.0.0.1:${s.port}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(ok.status, 200);
  assert.ok(!s.sink.text().includes(token), 'the token is never logged');
});

test('a request log line carries service, env, version and the correlation id; the response echoes it', async (t) => {
  const s = await start({ service: { name: 'lines', version: '9.9.9', environment: 'staging' } });
  t.after(() => s.close());
  const res = await fetch(`http://127.0.0.1:${s.port}/x`, { headers: { 'x-correlation-id': 'till-7:order.42' } });
  assert.equal(res.headers.get('x-correlation-id'), 'till-7:order.42');
  assert.equal(res.headers.get('x-request-id'), 'till-7:order.42');
  await new Promise((r) => setImmediate(r));
  const [line] = s.sink.find('request completed');
  assert.ok(line, 'one access-log line');
  assert.equal(line.correlation_id, 'till-7:order.42');
  assert.equal(line.service, 'lines');
  assert.equal(line.env, 'staging');
  assert.equal(line.version, '9.9.9');
  assert.equal(line.route, '/thing');
  assert.equal(line.status, 200);
});

test('an error reporter that throws is counted as a sink error and never reaches the request', async (t) => {
  const sink = logSink();
  const tw = createTillwatch({
    log: { destination: sink },
    lifecycle: quiet,
    errorReporter: () => {
      throw new Error('reporter down');
    },
  });
  const server = http.createServer(
    tillwatchNodeHttp(tw, () => {
      throw new Error('handler bug');
    }),
  );
  const port = await listen(server);
  t.after(async () => {
    await tw.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  const res = await fetch(`http://127.0.0.1:${port}/boom`);
  assert.equal(res.status, 500);
  const text = (await tw.metrics.render(undefined)).body;
  assert.match(text, /tillwatch_sink_errors_total\{sink="error_reporter"\} 1/);
  assert.equal(sink.find('request failed').length, 1);
});

test('an error reporter whose promise rejects is counted and does not become an unhandled rejection', async (t) => {
  const unhandled: unknown[] = [];
  const onUnhandled = (r: unknown) => unhandled.push(r);
  process.on('unhandledRejection', onUnhandled);
  const tw = createTillwatch({ log: { destination: logSink() }, lifecycle: quiet, errorReporter: async () => Promise.reject(new Error('ingest down')) });
  const server = http.createServer(
    tillwatchNodeHttp(tw, () => {
      throw new Error('handler bug');
    }),
  );
  const port = await listen(server);
  t.after(async () => {
    process.off('unhandledRejection', onUnhandled);
    await tw.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  assert.equal((await fetch(`http://127.0.0.1:${port}/boom`)).status, 500);
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(unhandled, []);
  assert.match((await tw.metrics.render(undefined)).body, /tillwatch_sink_errors_total\{sink="error_reporter"\} 1/);
});

test('configured SLOs appear in the /health summary with their burn rate and remaining budget from the service\'s own counters', async (t) => {
  const { availabilitySlo } = await import('@tillwatch/spec');
  const sink = logSink();
  let fail = false;
  const tw = createTillwatch({
    log: { destination: sink },
    lifecycle: quiet,
    slos: [availabilitySlo({ name: 'availability', target: 0.99, period: '30d', team: 'pos' })],
  });
  const server = http.createServer(
    tillwatchNodeHttp(tw, (_req, res) => {
      res.statusCode = fail ? 500 : 200;
      res.end();
    }, { route: () => '/orders' }),
  );
  const port = await listen(server);
  t.after(async () => {
    await tw.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  tw.markStarted();
  assert.ok(tw.slo);
  await tw.slo.sample();
  for (let i = 0; i < 18; i++) await fetch(`http://127.0.0.1:${port}/orders`);
  fail = true;
  for (let i = 0; i < 2; i++) await fetch(`http://127.0.0.1:${port}/orders`);
  await tw.slo.sample();
  const body = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { slo: { slos: { name: string; errorRatio: number; burnRate: number; budgetRemaining: number }[] } };
  const [availability] = body.slo.slos;
  assert.equal(availability?.name, 'availability');
  assert.ok(Math.abs((availability?.errorRatio ?? 0) - 0.1) < 1e-9, `error ratio 2/20, got ${availability?.errorRatio}`);
  assert.ok(Math.abs((availability?.burnRate ?? 0) - 10) < 1e-6, `burn rate 0.1 / 0.01 = 10, got ${availability?.burnRate}`);
  assert.ok((availability?.budgetRemaining ?? 1) < 0, 'a 10% error ratio overspends a 1% budget');
});

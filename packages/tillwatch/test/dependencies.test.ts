/**
 * tillwatch/dependencies against a local HTTP provider: call outcomes (ok, error, timeout, circuit_open), the
 * periodic check behind dependency_up, readiness failing for a required dependency and degrading for an
 * optional one, and the /health/external report.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTillwatch } from '../src/index.ts';
import { createDependencies, DependencyUnavailableError } from '../src/dependencies/index.ts';
import { logSink } from '../src/testing/index.ts';

async function provider(t: TestContext) {
  const state = { status: 200, delayMs: 0 };
  const server = http.createServer((req, res) => {
    setTimeout(() => {
      res.writeHead(req.url === '/health' ? (state.status >= 500 ? 503 : 200) : state.status, { 'content-type': 'application/json' });
      res.end('{}');
    }, state.delayMs);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, state, server };
}

function instance(t: TestContext) {
  const tw = createTillwatch({ service: { name: 'test' }, log: { destination: logSink() }, metrics: { runtime: false }, health: { cacheTtlMs: 0 }, lifecycle: { handleSignals: false, handleCrashes: false, exit: false } });
  t.after(() => tw.close());
  const value = async (series: string) => {
    const line = (await tw.metrics.render(undefined)).body.split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };
  return { tw, value };
}

test('calls are timed by outcome; the breaker opens after consecutive failures and refuses without calling', async (t) => {
  const p = await provider(t);
  const { tw, value } = instance(t);
  const deps = createDependencies(tw, [{ name: 'sms_provider', required: false, breaker: { consecutiveFailures: 2, halfOpenAfterMs: 60_000 } }]);
  t.after(() => deps.stop());
  const sms = deps.get('sms_provider');
  assert.equal((await sms.fetch(`${p.url}/send`)).status, 200);
  p.state.delayMs = 300;
  await assert.rejects(sms.fetch(`${p.url}/send`, { signal: AbortSignal.timeout(50) }), { name: 'TimeoutError' });
  p.state.delayMs = 0;
  p.state.status = 500;
  assert.equal((await sms.fetch(`${p.url}/send`)).status, 500, 'a 5xx is returned to the caller as is');
  await assert.rejects(sms.fetch(`${p.url}/send`), DependencyUnavailableError);
  assert.equal(sms.status().circuit, 'open');
  const series = (o: string) => `dependency_request_duration_seconds_count{dependency="sms_provider",outcome="${o}"}`;
  assert.equal(await value(series('ok')), 1);
  assert.equal(await value(series('timeout')), 1);
  assert.equal(await value(series('error')), 1);
  assert.equal(await value(series('circuit_open')), 1);
});

test('the periodic check sets dependency_up; a required dependency down fails readiness, an optional one degrades it', async (t) => {
  const payment = await provider(t);
  const warehouse = await provider(t);
  const { tw, value } = instance(t);
  const deps = createDependencies(tw, [
    { name: 'payment_provider', check: `${payment.url}/health`, checkIntervalMs: 100 },
    { name: 'warehouse', required: false, check: warehouse.url, checkIntervalMs: 100 },
  ]);
  t.after(() => deps.stop());
  tw.markStarted();
  await deps.checkAll();
  assert.equal(await value('dependency_up{dependency="payment_provider"}'), 1);
  assert.equal(deps.report().httpStatus, 200);
  assert.equal((await tw.health.ready()).httpStatus, 200);

  warehouse.state.status = 502;
  await deps.checkAll();
  assert.equal(await value('dependency_up{dependency="warehouse"}'), 0);
  assert.equal(deps.report().body.status, 'degraded');
  const degraded = await tw.health.ready();
  assert.equal(degraded.httpStatus, 200);
  assert.equal(degraded.body.status, 'degraded');

  // Stop the payment provider: the timer's next check sees the refused connection.
  payment.server.closeAllConnections();
  await new Promise<void>((r) => payment.server.close(() => r()));
  const deadline = Date.now() + 10_000;
  while ((await value('dependency_up{dependency="payment_provider"}')) !== 0 && Date.now() < deadline) await sleep(50);
  assert.equal(await value('dependency_up{dependency="payment_provider"}'), 0);
  assert.equal(deps.report().httpStatus, 503);
  assert.equal((await tw.health.ready()).httpStatus, 503);
  const summary = await tw.health.summary();
  assert.equal((summary.body.external as { status: string }).status, 'fail');
});

test('bad options are refused at start-up, naming each', (t) => {
  const { tw } = instance(t);
  assert.throws(() => createDependencies(tw, [{ name: 'Payment Provider' }, { name: 'x', check: 'ftp://x', checkIntervalMs: 5 }]), (err: Error) => {
    assert.match(err.message, /dependencies\[0\]\.name/);
    assert.match(err.message, /dependencies\[1\]\.check/);
    assert.match(err.message, /dependencies\[1\]\.checkIntervalMs/);
    return true;
  });
});

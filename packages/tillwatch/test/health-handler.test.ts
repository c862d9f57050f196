import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';
import pino from 'pino';
import { resolveOptions, type ResolvedTillwatchOptions } from '../src/config/options.ts';
import { Health } from '../src/health/health.ts';
import { customCheck } from '../src/health/checks/custom-check.ts';
import { logSink } from '../src/testing/log-sink.ts';

/** A real server: health paths first, then a stand-in app that answers 404 "app". */
async function serve(t: TestContext, overrides: Partial<ResolvedTillwatchOptions['health']> = {}) {
  const options = { ...resolveOptions(undefined, {}).options.health, ...overrides };
  const health = new Health({ options, logger: pino({ level: 'debug' }, logSink()), service: { name: 'till-api', version: '9.9.9' } });
  const serveHealth = health.handler();
  const server = http.createServer((req, res) => {
    if (!serveHealth(req, res)) res.writeHead(404).end('app');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    health.close();
    server.closeAllConnections();
    server.close();
  });
  const { port } = server.address() as AddressInfo;
  return { health, base: `http://127.0.0.1:${port}`, port };
}

test('each probe path answers with the right status, JSON and Cache-Control: no-store', async (t) => {
  const { health, base } = await serve(t);
  health.add(customCheck('db', async () => {}));

  const startupBefore = await fetch(`${base}/health/startup`);
  assert.equal(startupBefore.status, 503);
  assert.deepEqual(await startupBefore.json(), { status: 'starting' });
  assert.equal((await fetch(`${base}/health/ready`)).status, 503);

  health.markStarted();
  const live = await fetch(`${base}/health/live`);
  assert.equal(live.status, 200);
  assert.equal(live.headers.get('cache-control'), 'no-store');
  assert.equal(live.headers.get('content-type'), 'application/json; charset=utf-8');
  assert.equal(((await live.json()) as Record<string, unknown>).status, 'ok');

  const ready = await fetch(`${base}/health/ready`);
  assert.equal(ready.status, 200);
  const body = (await ready.json()) as { status: string; checks: { name: string; status: string }[] };
  assert.equal(body.status, 'ok');
  assert.deepEqual(body.checks.map((c) => [c.name, c.status]), [['db', 'pass']]);

  assert.equal((await fetch(`${base}/health/startup`)).status, 200);
  const summary = await fetch(`${base}/health`);
  assert.equal(summary.status, 200);
  const s = (await summary.json()) as Record<string, unknown>;
  assert.equal(s.service, 'till-api');
  assert.equal(s.version, '9.9.9');
});

test('readiness over HTTP is 503 for a failing required check and 503 once shutting down', async (t) => {
  const { health, base } = await serve(t, { cacheTtlMs: 0 });
  let up = true;
  health.add(
    customCheck('db', async () => {
      if (!up) throw new Error('down');
    }),
  );
  health.markStarted();
  assert.equal((await fetch(`${base}/health/ready`)).status, 200);
  up = false;
  const failing = await fetch(`${base}/health/ready`);
  assert.equal(failing.status, 503);
  assert.equal(((await failing.json()) as Record<string, unknown>).status, 'fail');
  up = true;
  health.setShuttingDown();
  assert.equal((await fetch(`${base}/health/ready`)).status, 503);
  assert.equal((await fetch(`${base}/health/live`)).status, 200);
});

test('the handler returns false for non-health paths so the app answers them', async (t) => {
  const { base } = await serve(t);
  for (const path of ['/orders', '/health/ready/', '/healthz', '/health/liveness', '/']) {
    const res = await fetch(`${base}${path}`);
    assert.equal(res.status, 404, path);
    assert.equal(await res.text(), 'app', path);
  }
});

test('query strings are ignored, HEAD has no body and other methods get 405', async (t) => {
  const { health, base } = await serve(t);
  health.markStarted();
  assert.equal((await fetch(`${base}/health/ready?verbose=1`)).status, 200);
  const head = await fetch(`${base}/health/live`, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(await head.text(), '');
  const post = await fetch(`${base}/health/ready`, { method: 'POST' });
  assert.equal(post.status, 405);
  assert.equal(post.headers.get('allow'), 'GET, HEAD');
});

test('a custom basePath moves every probe', async (t) => {
  const { health, base } = await serve(t, { basePath: '/_ops/health' });
  health.markStarted();
  assert.equal((await fetch(`${base}/_ops/health/ready`)).status, 200);
  assert.equal((await fetch(`${base}/_ops/health`)).status, 200);
  assert.equal((await fetch(`${base}/health/ready`)).status, 404);
});

test('a storm of 1000 parallel readiness requests calls each dependency once', async (t) => {
  const { health, port } = await serve(t, { cacheTtlMs: 60_000 });
  let db = 0;
  let redis = 0;
  health.add(customCheck('db', async () => void db++));
  health.add(customCheck('redis', async () => void redis++));
  health.markStarted();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  t.after(() => agent.destroy());
  const get = () =>
    new Promise<number>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path: '/health/ready', agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        })
        .on('error', reject);
    });
  const statuses = await Promise.all(Array.from({ length: 1000 }, get));
  assert.ok(statuses.every((s) => s === 200));
  assert.equal(db, 1);
  assert.equal(redis, 1);
});

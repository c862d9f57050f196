import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';
import pg from 'pg';
import { Redis } from 'ioredis';
import { PGlite } from '@electric-sql/pglite';
import { isTillwatchError } from '@tillwatch/spec';
import { runCheck } from '../src/health/run-check.ts';
import type { CheckResult, HealthCheck } from '../src/health/health-check.ts';
import { postgresCheck } from '../src/health/checks/postgres-check.ts';
import { pgliteCheck } from '../src/health/checks/pglite-check.ts';
import { redisCheck } from '../src/health/checks/redis-check.ts';
import { httpCheck } from '../src/health/checks/http-check.ts';
import { diskSpaceCheck } from '../src/health/checks/disk-space-check.ts';
import { customCheck } from '../src/health/checks/custom-check.ts';
import { POSTGRES_URL, REDIS_URL, requireReal, tcpReachable } from './helpers/real-parts.ts';

/** Runs a check the way Health does (same timeout policy), with a generous default timeout. */
function check(c: HealthCheck): Promise<CheckResult> {
  return runCheck(c, c.required ?? true, c.timeoutMs ?? 30_000).result;
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const portOf = (url: string, fallback: number): number => Number(new URL(url).port || fallback);

test('postgresCheck passes against a real Postgres and reports pool stats', async (t) => {
  if (!requireReal(t, 'Postgres', await tcpReachable(portOf(POSTGRES_URL, 5432)), POSTGRES_URL.replace(/\/\/[^@]*@/, '//'))) return;
  const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 2 });
  t.after(() => pool.end());
  const r = await check(postgresCheck({ client: pool }));
  assert.equal(r.status, 'pass', r.error?.message);
  assert.equal(r.name, 'postgres');
  assert.deepEqual(r.details, { pool: { total: 1, idle: 1, waiting: 0 } });
});

test('postgresCheck fails against a closed port without leaking the password from the connection string', async (t) => {
  const pool = new pg.Pool({ connectionString: `postgres://app:s3cretpw@127.0.0.1:${await closedPort()}/pos`, max: 1 });
  t.after(() => pool.end());
  const r = await check(postgresCheck({ name: 'orders-db', client: pool }));
  assert.equal(r.status, 'fail');
  assert.equal(r.error?.code, 'TW_ERR_HEALTH_CHECK_FAILED');
  assert.match(r.error?.message ?? '', /ECONNREFUSED/);
  assert.doesNotMatch(JSON.stringify(r), /s3cretpw/);
});

test('postgresCheck works with a single pg Client (no pool stats)', async (t) => {
  if (!requireReal(t, 'Postgres', await tcpReachable(portOf(POSTGRES_URL, 5432)))) return;
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  t.after(() => client.end());
  const r = await check(postgresCheck({ client }));
  assert.equal(r.status, 'pass');
  assert.equal(r.details, undefined);
});

test('pgliteCheck passes on an in-memory PGlite and fails once it is closed', async (t) => {
  const db = new PGlite();
  t.after(() => (db.closed ? undefined : db.close()));
  const ok = await check(pgliteCheck({ db }));
  assert.equal(ok.status, 'pass', ok.error?.message);
  assert.equal(ok.name, 'pglite');
  await db.close();
  const closed = await check(pgliteCheck({ db }));
  assert.equal(closed.status, 'fail');
  assert.equal(closed.error?.message, 'PGlite database is closed');
});

test('redisCheck passes against a real Redis', async (t) => {
  if (!requireReal(t, 'Redis', await tcpReachable(portOf(REDIS_URL, 6379)))) return;
  const client = new Redis(REDIS_URL);
  t.after(() => client.disconnect());
  await new Promise<void>((resolve, reject) => {
    client.once('ready', () => resolve());
    client.once('error', reject);
  });
  const r = await check(redisCheck({ client }));
  assert.equal(r.status, 'pass', r.error?.message);
});

test('redisCheck fails fast, without queueing a PING, when nothing listens on the port', async (t) => {
  const client = new Redis({ host: '127.0.0.1', port: await closedPort(), retryStrategy: () => 50 });
  client.on('error', () => {});
  t.after(() => client.disconnect());
  const r = await check(redisCheck({ client, timeoutMs: 10_000 }));
  assert.equal(r.status, 'fail');
  assert.equal(r.error?.code, 'TW_ERR_HEALTH_CHECK_FAILED', 'failed at once, not by waiting out the timeout');
  assert.match(r.error?.message ?? '', /redis client is not ready \(status: (connecting|reconnecting|connect|close)\)/);
});

/** A local HTTP dependency: /ok 200, /fail 500, /hang never answers, /redirect 302. Records auth headers. */
async function dependencyServer(t: TestContext) {
  const seenAuth: (string | undefined)[] = [];
  const server = http.createServer((req, res) => {
    seenAuth.push(req.headers.authorization);
    const path = (req.url ?? '').split('?')[0];
    if (path === '/ok') res.end('ok');
    else if (path === '/fail') res.writeHead(500).end('nope');
    else if (path === '/redirect') res.writeHead(302, { location: '/ok' }).end();
    // /hang: no answer; closeAllConnections in t.after ends it.
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}`, seenAuth };
}

test('httpCheck passes on 2xx and fails on 500, naming origin and path only', async (t) => {
  const { base, seenAuth } = await dependencyServer(t);
  const ok = await check(httpCheck({ name: 'tax', url: `${base}/ok` }));
  assert.equal(ok.status, 'pass', ok.error?.message);
  assert.deepEqual(ok.details, { status_code: 200 });

  const url = `${base.replace('http://', 'http://svc:hunter2@')}/fail?api_key=k3y`;
  const bad = await check(httpCheck({ name: 'tax', url }));
  assert.equal(bad.status, 'fail');
  assert.equal(bad.error?.message, `GET ${base}/fail answered 500, expected 2xx`);
  assert.doesNotMatch(JSON.stringify(bad), /hunter2|k3y/);
  assert.equal(seenAuth.at(-1), `Basic ${Buffer.from('svc:hunter2').toString('base64')}`, 'URL credentials are sent as Basic auth');
});

test('httpCheck does not follow redirects unless the status is expected', async (t) => {
  const { base } = await dependencyServer(t);
  assert.equal((await check(httpCheck({ name: 'r', url: `${base}/redirect` }))).status, 'fail');
  assert.equal((await check(httpCheck({ name: 'r', url: `${base}/redirect`, expectStatus: [200, 302] }))).status, 'pass');
});

test('httpCheck against a hanging server times out and aborts the request', async (t) => {
  const { base } = await dependencyServer(t);
  const startedAt = performance.now();
  const r = await check(httpCheck({ name: 'hangs', url: `${base}/hang`, timeoutMs: 50 }));
  assert.ok(performance.now() - startedAt < 10_000);
  assert.equal(r.status, 'fail');
  assert.equal(r.error?.code, 'TW_ERR_HEALTH_CHECK_TIMEOUT');
});

test('httpCheck reports a refused connection with its cause', async () => {
  const r = await check(httpCheck({ name: 'gone', url: `http://127.0.0.1:${await closedPort()}/health` }));
  assert.equal(r.error?.code, 'TW_ERR_HEALTH_CHECK_FAILED');
  assert.match(r.error?.message ?? '', /^GET http:\/\/127\.0\.0\.1:\d+\/health failed: fetch failed: .*ECONNREFUSED/);
});

test('httpCheck rejects a non-http URL at start-up without echoing it', () => {
  assert.throws(
    () => httpCheck({ name: 'x', url: 'ftp://user:pw@host/' }),
    (e: unknown) => isTillwatchError(e) && e.code === 'TW_ERR_HEALTH_INVALID_CHECK' && !e.message.includes('pw@'),
  );
});

test('diskSpaceCheck passes above its thresholds and fails below them', async () => {
  const ok = await check(diskSpaceCheck({ path: os.tmpdir(), minFreeBytes: 1, minFreeRatio: 0 }));
  assert.equal(ok.status, 'pass', ok.error?.message);
  assert.equal(ok.name, 'disk');
  assert.equal(typeof ok.details?.free_bytes, 'number');
  const byBytes = await check(diskSpaceCheck({ path: os.tmpdir(), minFreeBytes: Number.MAX_SAFE_INTEGER }));
  assert.equal(byBytes.status, 'fail');
  assert.match(byBytes.error?.message ?? '', /free on .*, below minFreeBytes/);
  const byRatio = await check(diskSpaceCheck({ name: 'spool', path: os.tmpdir(), minFreeRatio: 1 }));
  assert.equal(byRatio.status, 'fail');
  assert.match(byRatio.error?.message ?? '', /below minFreeRatio 100%/);
});

test('diskSpaceCheck fails for a path that does not exist and rejects bad thresholds at start-up', async () => {
  const r = await check(diskSpaceCheck({ path: '/definitely/not/here' }));
  assert.match(r.error?.message ?? '', /ENOENT/);
  assert.throws(() => diskSpaceCheck({ path: '/', minFreeRatio: 2 }), (e: unknown) => isTillwatchError(e) && /minFreeRatio/.test(e.message));
});

test('customCheck carries its name, required flag and timeout', () => {
  const c = customCheck('gateway', async () => {}, { required: false, timeoutMs: 250 });
  assert.equal(c.name, 'gateway');
  assert.equal(c.required, false);
  assert.equal(c.timeoutMs, 250);
  assert.equal('required' in customCheck('x', async () => {}), false, 'unset options stay unset so Health defaults apply');
});

/**
 * Database faults, against a real Postgres behind a TCP fault proxy: a reset while a client is checked out
 * must not crash the process (tillwatch/pg's instrumentPg), and a packet-dropping partition must not pin readiness after the
 * database is back (postgresCheck's client-side bound, readiness abandoning a run that never settles).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { createTillwatch, postgresCheck } from 'tillwatch';
import { instrumentPg } from 'tillwatch/pg';
import { logSink } from 'tillwatch/testing';
import { startFaultProxy } from './helpers/fault-proxy.ts';
import { POSTGRES_URL, requireReal, tcpReachable } from './helpers/real-parts.ts';

function tillwatch() {
  const sink = logSink();
  const tw = createTillwatch({
    service: { name: 'pg-faults', version: 'test' },
    log: { destination: sink },
    lifecycle: { handleSignals: false, handleCrashes: false, exit: false },
    metrics: { runtime: false },
    health: { cacheTtlMs: 0 },
  });
  return { tw, sink };
}

async function viaProxy(t: import('node:test').TestContext) {
  const target = new URL(POSTGRES_URL);
  const proxy = await startFaultProxy({ host: target.hostname, port: Number(target.port || 5432) });
  t.after(() => proxy.close());
  const url = new URL(POSTGRES_URL);
  url.hostname = proxy.host;
  url.port = String(proxy.port);
  return { proxy, url: url.toString() };
}

test('a connection reset while a client is checked out is counted and discarded, never an uncaught exception', { timeout: 30_000 }, async (t) => {
  if (!requireReal(t, 'PostgreSQL on 127.0.0.1:5432', await tcpReachable(5432), 'start PostgreSQL or run bash .ci/run')) return;
  const { proxy, url } = await viaProxy(t);
  const { tw, sink } = tillwatch();
  t.after(() => tw.close());
  const pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 2000 });
  t.after(() => pool.end().catch(() => undefined));
  instrumentPg(tw, pool, { pool: 'main' });

  const held = await pool.connect(); // a transaction in progress holds its client
  await held.query('SELECT 1');
  const idle = await pool.connect();
  idle.release(); // and one sits idle in the pool
  proxy.set('reset');
  await assert.rejects(held.query('SELECT 1'), 'the statement on the reset connection fails');
  held.release(true);
  await sleep(50); // let the idle client's error arrive
  proxy.set('pass');

  assert.equal((await pool.query<{ n: number }>('SELECT 1 AS n')).rows[0]?.n, 1, 'the pool serves again on fresh connections');
  const body = (await tw.metrics.render('text/plain')).body;
  const lost = Number(/^db_connection_errors_total\{pool="main"\} (\S+)$/m.exec(body)?.[1] ?? 0);
  assert.ok(lost >= 1, `the lost connections are counted (${lost})`);
  assert.ok(sink.lines.some((l) => l.code === 'TWWRN008'), 'and logged');
  assert.ok(!sink.lines.some((l) => JSON.stringify(l).includes(url)), 'without the connection string');
});

test('a partition that drops packets: the Postgres check fails within its bound and readiness is back within one probe after recovery', { timeout: 30_000 }, async (t) => {
  if (!requireReal(t, 'PostgreSQL on 127.0.0.1:5432', await tcpReachable(5432), 'start PostgreSQL or run bash .ci/run')) return;
  const { proxy, url } = await viaProxy(t);
  const { tw } = tillwatch();
  t.after(() => tw.close());
  const pool = new pg.Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 1000 });
  t.after(() => pool.end().catch(() => undefined));
  instrumentPg(tw, pool, { pool: 'main' });
  tw.health.add(postgresCheck({ client: pool, timeoutMs: 300 }));
  tw.markStarted();
  assert.equal((await tw.health.ready()).httpStatus, 200);

  proxy.set('blackhole');
  assert.equal((await tw.health.ready()).httpStatus, 503, 'the partition is seen within the check timeout');
  await sleep(400); // the statement's own bound fires: its connection is discarded
  proxy.set('pass');

  // One probe period after recovery (a probe every 300 ms here, two probes at most).
  let status = 0;
  for (let i = 0; i < 2 && status !== 200; i++) {
    status = (await tw.health.ready()).httpStatus;
    if (status !== 200) await sleep(300);
  }
  assert.equal(status, 200, 'readiness follows the database again');
});

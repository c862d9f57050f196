/** tillwatch/pg: statement shapes, and the query, failure, slow-query and pool metrics on a real pg Pool, a pg Client and PGlite. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import pino from 'pino';
import { resolveOptions } from '../src/config/options.ts';
import { Metrics } from '../src/metrics/metrics.ts';
import { instrumentPg, instrumentPglite, normaliseSql, sqlShape, dbErrorLabels } from '../src/db/index.ts';
import { logSink } from '../src/testing/index.ts';
import { POSTGRES_URL, requireReal, tcpReachable } from './helpers/real-parts.ts';

function host() {
  const { options } = resolveOptions({ metrics: { runtime: false } }, {});
  const sink = logSink();
  const logger = pino({ level: 'info' }, sink);
  const metrics = new Metrics({ options, logger: pino({ level: 'silent' }) });
  const body = async () => (await metrics.render(undefined)).body;
  const value = async (series: string) => {
    const line = (await body()).split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };
  return { metrics, logger, sink, body, value };
}

test('statement shapes: kind and first table, CTEs, comments, quoted and schema-qualified names', () => {
  assert.deepEqual(sqlShape('SELECT * FROM products WHERE id = $1'), { operation: 'select', table: 'products' });
  assert.deepEqual(sqlShape('  -- lookup\n/* x */ select count(*)::int from public."Orders" o'), { operation: 'select', table: 'orders' });
  assert.deepEqual(sqlShape('INSERT INTO order_items (a) VALUES ($1)'), { operation: 'insert', table: 'order_items' });
  assert.deepEqual(sqlShape('update stock set qty = qty - 1'), { operation: 'update', table: 'stock' });
  assert.deepEqual(sqlShape('DELETE FROM sessions WHERE x'), { operation: 'delete', table: 'sessions' });
  assert.deepEqual(sqlShape('WITH t AS (SELECT 1 FROM a) UPDATE b SET x = 1 FROM t'), { operation: 'update', table: 'b' });
  assert.deepEqual(sqlShape('SELECT 1'), { operation: 'select', table: 'none' });
  assert.deepEqual(sqlShape('BEGIN'), { operation: 'transaction', table: 'none' });
  assert.deepEqual(sqlShape('CREATE TABLE x (id int)'), { operation: 'migration', table: 'none' });
  assert.deepEqual(sqlShape('VACUUM'), { operation: 'other', table: 'none' });
});

test('the normalised statement keeps no literal or parameter', () => {
  const s = normaliseSql(`SELECT * FROM cards WHERE pan = '4111111111111111' AND cvv = 123 AND n = $1 AND t = $$secret$$ AND e = E'x\\'y' -- 5555\n`);
  assert.equal(s, 'SELECT * FROM cards WHERE pan = ? AND cvv = ? AND n = ? AND t = ? AND e = ?');
  assert.equal(normaliseSql('select a1, "col2" from t9 where x in (1, 2.5, -3e2)'), 'select a1, "col2" from t9 where x in (?, ?, ?)');
});

test('errors map to error type and SQLSTATE class', () => {
  assert.deepEqual(dbErrorLabels({ code: '23505' }), { error_type: 'constraint', sqlstate_class: '23' });
  assert.deepEqual(dbErrorLabels({ code: '40P01' }), { error_type: 'deadlock', sqlstate_class: '40' });
  assert.deepEqual(dbErrorLabels({ code: '57014' }), { error_type: 'timeout', sqlstate_class: '57' });
  assert.deepEqual(dbErrorLabels({ code: '42P01' }), { error_type: 'syntax', sqlstate_class: '42' });
  assert.deepEqual(dbErrorLabels({ code: 'ECONNREFUSED' }), { error_type: 'connection', sqlstate_class: 'none' });
  assert.deepEqual(dbErrorLabels(new Error('boom')), { error_type: 'other', sqlstate_class: 'none' });
});

test('PGlite: queries, exec, transactions, failures and slow queries are recorded; the slow line has no literal', async () => {
  const h = host();
  const db = instrumentPglite(h, await PGlite.create(), { slowQueryMs: 300, tableBudget: 2 });
  try {
    await db.exec('CREATE TABLE products (id int primary key, name text); CREATE TABLE a (x int); CREATE TABLE b (x int); CREATE TABLE c (x int)');
    await db.query('INSERT INTO products VALUES ($1, $2)', [1, 'gin']);
    await db.query('SELECT name FROM products WHERE id = $1', [1]);
    await db.transaction(async (tx) => {
      await tx.query('UPDATE products SET name = $1 WHERE id = $2', ['rum', 1]);
    });
    await assert.rejects(db.query('INSERT INTO products VALUES ($1, $2)', [1, 'dup']));
    await db.query("SELECT pg_sleep(0.35), 'secret-literal' FROM products WHERE id = 1");
    for (const t of ['a', 'b', 'c']) await db.query(`SELECT x FROM ${t}`);

    assert.equal(await h.value('db_query_duration_seconds_count{operation="insert",table="products"}'), 2);
    assert.equal(await h.value('db_query_duration_seconds_count{operation="update",table="products"}'), 1);
    assert.equal(await h.value('db_query_duration_seconds_count{operation="migration",table="none"}'), 1);
    assert.equal(await h.value('db_query_failures_total{operation="insert",error_type="constraint",sqlstate_class="23"}'), 1);
    // Other statements may be slow too on a loaded machine: the sleeping one must be among them.
    assert.ok((await h.value('db_slow_queries_total{operation="select",table="products"}'))! >= 1);
    // A table budget of 2: products and a; b and c fold into other.
    assert.equal(await h.value('db_query_duration_seconds_count{operation="select",table="a"}'), 1);
    assert.equal(await h.value('db_query_duration_seconds_count{operation="select",table="other"}'), 2);
    const slow = h.sink.lines.filter((l) => l.code === 'TWWRN300' && String(l.statement).includes('pg_sleep'));
    assert.equal(slow.length, 1);
    assert.equal(slow[0]!.statement, 'SELECT pg_sleep(?), ? FROM products WHERE id = ?');
    assert.equal(slow[0]!.table, 'products');
    assert.ok(!h.sink.text().includes('secret-literal'));
    assert.equal(await h.value('db_pool_max_connections{pool="default"}'), 1);
  } finally {
    await db.close();
    h.metrics.close();
  }
});

test('pg Pool and Client: queries through pool.query, checked-out clients and callbacks; pool gauges, acquire waits, connection errors', async (t) => {
  if (!requireReal(t, 'Postgres', await tcpReachable(5432), 'a Postgres on 127.0.0.1:5432')) return;
  const h = host();
  const pool = instrumentPg(h, new pg.Pool({ connectionString: POSTGRES_URL, max: 3 }), { pool: 'main', slowQueryMs: 10_000 });
  assert.equal(instrumentPg(h, pool), pool, 'instrumenting twice is a no-op');
  try {
    await pool.query('SELECT 1');
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query({ text: 'SELECT $1::int AS n', values: [1] });
      await assert.rejects(client.query('SELECT * FROM no_such_table_here'));
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    await new Promise<void>((resolve, reject) => pool.query('SELECT 2', (err) => (err ? reject(err) : resolve())));
    assert.equal(await h.value('db_query_duration_seconds_count{operation="select",table="none"}'), 3);
    assert.equal(await h.value('db_query_duration_seconds_count{operation="transaction",table="none"}'), 2);
    assert.equal(await h.value('db_query_duration_seconds_count{operation="select",table="no_such_table_here"}'), 1);
    assert.equal(await h.value('db_query_failures_total{operation="select",error_type="syntax",sqlstate_class="42"}'), 1);
    assert.equal(await h.value('db_pool_acquire_duration_seconds_count{pool="main"}'), 3);
    assert.equal(await h.value('db_pool_max_connections{pool="main"}'), 3);
    assert.equal(await h.value('db_pool_waiting_requests{pool="main"}'), 0);
    const held = await pool.connect();
    assert.equal(await h.value('db_pool_connections{pool="main",state="in_use"}'), 1);
    held.release();

    const bare = instrumentPg(h, new pg.Client({ connectionString: POSTGRES_URL }), { pool: 'single' });
    await bare.connect();
    await bare.query('SELECT 3');
    await bare.end();
    assert.equal(await h.value('db_query_duration_seconds_count{operation="select",table="none"}'), 4);

    const refused = instrumentPg(h, new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:1/test', connectionTimeoutMillis: 2000 }), { pool: 'refused' });
    await assert.rejects(refused.query('SELECT 1'));
    await refused.end();
    assert.equal(await h.value('db_connection_errors_total{pool="refused"}'), 1);
  } finally {
    await pool.end();
    h.metrics.close();
  }
});

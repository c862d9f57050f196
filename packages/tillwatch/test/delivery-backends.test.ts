/**
 * tillwatch/delivery over every backend, against the real parts: pg-boss on PGlite (in process) and on a
 * fresh Postgres database, and BullMQ on Redis (a unique key prefix per run). The same contract for each:
 * retries follow the policy and are counted, failures land in the event-failure table redacted, permanent
 * errors and spent budgets are dead-lettered with their reason, the dead-letter admin lists, shows, replays
 * (idempotently, with the same key) and purges, every action is audited, and the gauges follow.
 */
import { after, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { createTillwatch, type Tillwatch } from '../src/index.ts';
import {
  bullmqBackend,
  createDelivery,
  DeliveryError,
  pgBossBackend,
  sqlEventFailureStore,
  type DeadLetterAuditRecord,
  type Delivery,
  type DeliveryBackend,
  type EventFailureStore,
  type SqlExecutor,
} from '../src/delivery/index.ts';
import { logSink, memoryEventFailureStore, type LogSink } from '../src/testing/index.ts';
import { sample } from './helpers/exposition.ts';
import { dropTestDatabase, POSTGRES_URL, REDIS_URL, requireReal, tcpReachable } from './helpers/real-parts.ts';

type Kind = 'pglite' | 'postgres' | 'bullmq';

interface Rig {
  readonly kind: Kind;
  readonly tw: Tillwatch;
  readonly sink: LogSink;
  readonly delivery: Delivery;
  readonly failures: EventFailureStore;
  readonly audits: DeadLetterAuditRecord[];
  /** Runs `fn` in a database transaction (SQL backends). */
  readonly tx?: <T>(fn: (q: SqlExecutor) => Promise<T>) => Promise<T>;
  readonly sql?: SqlExecutor;
  metric(name: string, labels: Record<string, string>): Promise<number | undefined>;
}

const quiet = { handleSignals: false, handleCrashes: false, exit: false } as const;
const RETRY = { maxAttempts: 3, baseDelayMs: 50, maxDelayMs: 100, retryBudgetMs: 60_000 } as const;

async function until<T>(what: string, timeoutMs: number, f: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

/**
 * One PGlite for the file (initialising one takes seconds): each test gets its own pg-boss schema and
 * event-failure table in it, so tests stay independent.
 */
let sharedPglite: Promise<PGlite> | undefined;
after(async () => {
  if (sharedPglite) await (await sharedPglite).close();
});
let run = 0;

async function rig(t: TestContext, kind: Kind): Promise<Rig | undefined> {
  // Clean-ups run last-registered first: the delivery stops before its database goes.
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  t.after(async () => {
    for (const c of cleanups.reverse()) await c();
  });
  const sink = logSink();
  const tw = createTillwatch({ service: { name: 'delivery-test' }, log: { destination: sink, level: 'debug' }, metrics: { runtime: false }, lifecycle: quiet });
  cleanups.push(() => tw.close());
  const audits: DeadLetterAuditRecord[] = [];
  let backend: DeliveryBackend;
  let failures: EventFailureStore;
  let tx: Rig['tx'];
  let sql: SqlExecutor | undefined;
  if (kind === 'pglite') {
    const db = await (sharedPglite ??= PGlite.create());
    const n = ++run;
    sql = { query: async (s, p) => (await db.query(s, p)).rows as never };
    tx = (fn) => db.transaction((t2) => fn({ query: async (s, p) => (await t2.query(s, p)).rows as never }));
    backend = await pgBossBackend({ pglite: db, superviseIntervalSeconds: 1, schema: `pgboss_${n}` });
    failures = sqlEventFailureStore({ db: sql, redactor: tw.redactor, table: `event_failures_${n}` });
    await db.exec(`CREATE SCHEMA app_${n}; SET search_path TO app_${n}, public`);
  } else if (kind === 'postgres') {
    if (!requireReal(t, 'postgres', await tcpReachable(5432), 'PostgreSQL on 127.0.0.1:5432')) return undefined;
    const name = `tw_delivery_${process.pid}_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(POSTGRES_URL);
    url.pathname = `/${name}`;
    const pool = new pg.Pool({ connectionString: url.href, max: 6 });
    cleanups.push(async () => {
      await pool.end();
      await dropTestDatabase(admin, name);
      await admin.end();
    });
    sql = { query: async (s, p) => (await pool.query(s, p)).rows };
    tx = async (fn) => {
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        const r = await fn({ query: async (s, p) => (await c.query(s, p)).rows });
        await c.query('COMMIT');
        return r;
      } catch (err) {
        await c.query('ROLLBACK');
        throw err;
      } finally {
        c.release();
      }
    };
    backend = await pgBossBackend({ pool, superviseIntervalSeconds: 1 });
    failures = sqlEventFailureStore({ db: sql, redactor: tw.redactor });
  } else {
    if (!requireReal(t, 'redis', await tcpReachable(6379), 'Redis on 127.0.0.1:6379')) return undefined;
    const prefix = `tw-test-${process.pid}-${randomBytes(4).toString('hex')}`;
    backend = await bullmqBackend({ connection: REDIS_URL, prefix });
    failures = memoryEventFailureStore(tw.redactor);
    cleanups.push(async () => {
      // Remove every key of this run's prefix (never FLUSHDB: the Redis is shared).
      const { Redis } = await import('ioredis');
      const r = new Redis(REDIS_URL);
      let cursor = '0';
      do {
        const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
        cursor = next;
        if (keys.length > 0) await r.del(...keys);
      } while (cursor !== '0');
      await r.quit();
    });
  }
  const delivery = createDelivery({ tillwatch: tw, backend, eventFailures: failures, retry: RETRY, leaseSeconds: 5, statsIntervalMs: 0, audit: (r) => void audits.push(r) });
  cleanups.push(() => delivery.stop());
  return {
    kind,
    tw,
    sink,
    delivery,
    failures,
    audits,
    ...(tx ? { tx } : {}),
    ...(sql ? { sql } : {}),
    metric: async (name, labels) => sample((await tw.metrics.render(undefined)).body, name, labels),
  };
}

const KINDS: readonly Kind[] = ['pglite', 'postgres', 'bullmq'];

interface Msg {
  readonly n: number;
  readonly mode: 'ok' | 'flaky' | 'permanent' | 'down';
  readonly password?: string;
  readonly card?: string;
}

for (const kind of KINDS) {
  test(`${kind}: a flaky delivery is retried by the policy, counted, recorded redacted in the event-failure table, then resolved`, { timeout: 60_000 }, async (t) => {
    const r = await rig(t, kind);
    if (!r) return;
    const q = r.delivery.queue<Msg>('receipts', { event: 'receipt.send' });
    await r.delivery.start();
    const seen: { key: string; attempt: number; at: number }[] = [];
    await q.enqueue({ n: 1, mode: 'flaky', password: 'hunter2-secret', card: '4111111111111111' }, { key: 'msg_flaky_1', aggregateId: 'order-1' });
    await q.work(async (job) => {
      seen.push({ key: job.key, attempt: job.attempt, at: Date.now() });
      if (job.attempt < 3) throw DeliveryError.fromHttpStatus(503, { message: 'provider down; auth=Bearer abc.def.ghi' });
    }, { pollIntervalMs: 500 });
    await until('the third attempt to succeed', 30_000, async () => (await r.metric('delivery_outcomes_total', { queue: 'receipts', outcome: 'delivered' })) === 1);
    assert.deepEqual(seen.map((s) => [s.key, s.attempt]), [['msg_flaky_1', 1], ['msg_flaky_1', 2], ['msg_flaky_1', 3]], 'the same key on every attempt');
    assert.equal(await r.metric('delivery_attempts_total', { queue: 'receipts', result: 'retryable_error' }), 2);
    assert.equal(await r.metric('delivery_attempts_total', { queue: 'receipts', result: 'success' }), 1);
    assert.equal(await r.metric('dlq_retries_total', { queue: 'receipts' }), 2);
    assert.equal(await r.metric('event_failures_total', { event: 'receipt.send', reason: 'unavailable' }), 2);
    assert.equal(await r.metric('dlq_dead_lettered_total', { queue: 'receipts', reason: 'max_retries' }), 0, 'declared at zero, so the first dead letter is an increase');
    const [row] = await until('the failure row to be resolved', 10_000, async () => {
      const rows = await r.failures.list({ limit: 10 });
      return rows[0]?.state === 'resolved' ? rows : undefined;
    });
    assert.equal(row!.attempts, 2);
    assert.equal(row!.aggregateId, 'order-1');
    assert.equal(row!.firstError.code, 'http_503');
    const stored = JSON.stringify(row);
    assert.ok(!stored.includes('hunter2-secret'), 'the password never reaches the table');
    assert.ok(!stored.includes('4111111111111111'), 'the card number never reaches the table');
    assert.ok(!stored.includes('abc.def.ghi'), 'the bearer token in the error text never reaches the table');
    const retryLines = r.sink.lines.filter((l) => l.event === 'delivery.retry_scheduled');
    assert.equal(retryLines.length, 2);
    for (const l of retryLines) assert.ok(Number(l.retry_in_ms) >= 0 && Number(l.retry_in_ms) <= RETRY.maxDelayMs, `retry_in_ms ${l.retry_in_ms} within the cap`);
    assert.ok(!r.sink.text().includes('hunter2-secret') && !r.sink.text().includes('abc.def.ghi'), 'nothing sensitive in the logs');
  });

  test(`${kind}: permanent errors, used-up attempts and spent budgets are dead-lettered with their reason; the admin lists, shows, replays once and purges, audited`, { timeout: 90_000 }, async (t) => {
    const r = await rig(t, kind);
    if (!r) return;
    const q = r.delivery.queue<Msg>('receipts', { event: 'receipt.send' });
    const expiring = r.delivery.queue<Msg>('sync', { event: 'sale.sync', retry: { retryBudgetMs: 1, baseDelayMs: 50, maxDelayMs: 50 } });
    await r.delivery.start();
    const deadLettered: string[] = [];
    const delivered = new Map<string, number>();
    let providerUp = false;
    await q.enqueue({ n: 1, mode: 'permanent', password: 'pw-in-payload' }, { key: 'msg_perm' });
    await q.enqueue({ n: 2, mode: 'down' }, { key: 'msg_down' });
    const handler = async (job: { key: string; payload: Msg }) => {
      if (job.payload.mode === 'permanent' && !providerUp) throw new DeliveryError('invalid_request', 'invalid recipient');
      if (job.payload.mode === 'down' && !providerUp) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
      delivered.set(job.key, (delivered.get(job.key) ?? 0) + 1);
    };
    await q.work(handler, { pollIntervalMs: 500 });
    await expiring.enqueue({ n: 3, mode: 'down' }, { key: 'sale_3' });
    await expiring.work(handler, { pollIntervalMs: 500 });
    void deadLettered;
    await until('three dead letters', 30_000, async () => ((await r.delivery.deadLetters.count()) === 3 ? true : undefined));
    assert.equal(await r.metric('dlq_dead_lettered_total', { queue: 'receipts', reason: 'non_retryable' }), 1);
    assert.equal(await r.metric('dlq_dead_lettered_total', { queue: 'receipts', reason: 'max_retries' }), 1);
    assert.equal(await r.metric('dlq_dead_lettered_total', { queue: 'sync', reason: 'expired' }), 1);
    assert.equal(await r.metric('delivery_outcomes_total', { queue: 'receipts', outcome: 'dead_lettered' }), 2);
    await r.delivery.refreshStats();
    assert.equal(await r.metric('dlq_depth', { queue: 'receipts' }), 2);
    assert.equal(await r.metric('delivery_queue_depth', { queue: 'receipts' }), 0);

    const page = await r.delivery.deadLetters.list({ queue: 'receipts' });
    assert.equal(page.items.length, 2);
    const perm = page.items.find((d) => d.key === 'msg_perm');
    assert.ok(perm);
    assert.equal(perm.reason, 'non_retryable');
    assert.equal(perm.error?.reason, 'invalid_request');
    assert.equal(perm.attempts, 1);
    assert.equal(perm.payload, undefined, 'list carries no payload');
    const down = page.items.find((d) => d.key === 'msg_down');
    assert.equal(down?.reason, 'max_retries');
    assert.equal(down?.attempts, RETRY.maxAttempts);
    const shown = await r.delivery.deadLetters.show(perm.id);
    assert.equal((shown?.payload as Msg).n, 1);
    assert.ok(!JSON.stringify(shown).includes('pw-in-payload'), 'the payload is redacted when shown');
    assert.equal(await r.delivery.deadLetters.show('00000000-0000-0000-0000-000000000000'), undefined);
    const paged = await r.delivery.deadLetters.list({ limit: 1 });
    assert.equal(paged.items.length, 1);
    assert.ok(paged.next !== undefined, 'a next page is offered');
    const second = await r.delivery.deadLetters.list({ limit: 5, after: paged.next });
    assert.equal(second.items.length, 2, 'the rest on the next page');
    assert.ok(!second.items.some((d) => d.id === paged.items[0]!.id), 'pages do not repeat');

    // The provider is back: replay one by id, twice (the second finds nothing), then everything left.
    providerUp = true;
    const replayed = await r.delivery.deadLetters.replay({ ids: [down!.id] }, { actor: 'ops@example.com' });
    assert.deepEqual(replayed, { count: 1, ids: [down!.id] });
    await assert.rejects(r.delivery.deadLetters.replay({ ids: [down!.id] }, { actor: 'ops@example.com' }), (e: Error & { code?: string }) => e.code === 'TW_ERR_DELIVERY_NOT_FOUND');
    await until('the replayed message to be delivered', 20_000, () => (delivered.get('msg_down') === 1 ? true : undefined));
    const rest = await r.delivery.deadLetters.replay({ all: true, queue: 'sync' }, { actor: 'ops@example.com' });
    assert.equal(rest.count, 1);
    await until('the replayed sale to be delivered', 20_000, () => (delivered.get('sale_3') === 1 ? true : undefined));
    const purged = await r.delivery.deadLetters.purge({ all: true }, { actor: 'ops@example.com', note: 'number does not exist' });
    assert.equal(purged.count, 1);
    assert.equal(await r.delivery.deadLetters.count(), 0);
    await sleep(1500); // two poll intervals: nothing is delivered twice
    assert.deepEqual(Object.fromEntries(delivered), { msg_down: 1, sale_3: 1 }, 'each replayed message delivered once; the purged one never');

    assert.deepEqual(
      r.audits.map((a) => [a.action, a.actor, a.queue, a.selection, a.ids.length, a.keys]),
      [
        ['dlq.replay', 'ops@example.com', 'receipts', 'ids', 1, ['msg_down']],
        ['dlq.replay', 'ops@example.com', 'sync', 'all', 1, ['sale_3']],
        ['dlq.purge', 'ops@example.com', 'receipts', 'all', 1, ['msg_perm']],
      ],
    );
    assert.equal(r.audits[2]!.note, 'number does not exist');
    const rows = await r.failures.list({ limit: 10 });
    const state = (key: string) => rows.find((x) => x.key === key)?.state;
    assert.deepEqual([state('msg_perm'), state('msg_down'), state('sale_3')], ['discarded', 'resolved', 'resolved']);
  });
}

for (const kind of ['pglite', 'postgres'] as const) {
  test(`${kind}: a message enqueued in a transaction exists only if the transaction commits`, { timeout: 60_000 }, async (t) => {
    const r = await rig(t, kind);
    if (!r) return;
    const q = r.delivery.queue<Msg>('receipts', { event: 'receipt.send' });
    await r.delivery.start();
    await r.sql!.query('CREATE TABLE orders (id TEXT PRIMARY KEY)');
    await assert.rejects(
      r.tx!(async (tx) => {
        await tx.query(`INSERT INTO orders VALUES ('o-rolled-back')`);
        await q.enqueue({ n: 1, mode: 'ok' }, { key: 'msg_rolled_back', tx });
        throw new Error('checkout failed after the enqueue');
      }),
      /checkout failed/,
    );
    await r.tx!(async (tx) => {
      await tx.query(`INSERT INTO orders VALUES ('o-committed')`);
      await q.enqueue({ n: 2, mode: 'ok' }, { key: 'msg_committed', tx });
    });
    const keys: string[] = [];
    await q.work(async (job) => void keys.push(job.key), { pollIntervalMs: 500 });
    await until('the committed message', 20_000, () => (keys.length > 0 ? true : undefined));
    await sleep(1200);
    assert.deepEqual(keys, ['msg_committed']);
    assert.deepEqual((await r.sql!.query<{ id: string }>('SELECT id FROM orders')).map((x) => x.id), ['o-committed']);
  });
}

test('bullmq: enqueue refuses a database transaction instead of pretending to join it', async (t) => {
  const r = await rig(t, 'bullmq');
  if (!r) return;
  const q = r.delivery.queue<Msg>('receipts', { event: 'receipt.send' });
  await r.delivery.start();
  await assert.rejects(q.enqueue({ n: 1, mode: 'ok' }, { key: 'k', tx: { query: async () => [] } }), (e: Error & { code?: string }) => e.code === 'TW_ERR_DELIVERY_NOT_TRANSACTIONAL');
});

test('queue declarations are validated at start-up, naming the option', async (t) => {
  const r = await rig(t, 'pglite');
  if (!r) return;
  assert.throws(() => r.delivery.queue('Receipts!', { event: 'receipt.send' }), /TW_ERR_DELIVERY_INVALID_OPTIONS[\s\S]*queue: expected a name matching/);
  assert.throws(() => r.delivery.queue('ok', { event: '' }), /queue ok\.event: expected an event type/);
  assert.throws(() => r.delivery.queue('ok2', { event: 'x.y', retry: { maxAttempts: 0 } }), /queue ok2\.retry\.maxAttempts: expected an integer between 1 and 1000/);
  r.delivery.queue('once', { event: 'x.y' });
  assert.throws(() => r.delivery.queue('once', { event: 'x.y' }), /a name declared once/);
});

/**
 * `tillwatch dlq` as an operator runs it: the real CLI process, DATABASE_URL pointing at a fresh Postgres
 * database where a service (tillwatch/delivery over pg-boss, in this process) dead-lettered messages.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { createTillwatch } from 'tillwatch';
import { createDelivery, DeliveryError, pgBossBackend, sqlEventFailureStore } from 'tillwatch/delivery';
import { logSink } from 'tillwatch/testing';
import { dropTestDatabase, POSTGRES_URL, requireReal, tcpReachable } from '../../tillwatch/test/helpers/real-parts.ts';
import { CLI, REPO } from './helpers.ts';

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI without blocking this process's event loop (the service's worker keeps running meanwhile). */
function cli(args: readonly string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

test('tillwatch dlq lists, shows (redacted), counts, replays once and purges a service\'s dead letters, auditing each action', { timeout: 180_000 }, async (t) => {
  if (!requireReal(t, 'postgres', await tcpReachable(5432), 'PostgreSQL on 127.0.0.1:5432')) return;
  const name = `tw_cli_dlq_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  const databaseUrl = url.href;
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  pool.on('error', () => {}); // idle clients see the database dropped at the end
  const sink = logSink();
  const tw = createTillwatch({ service: { name: 'cli-test' }, log: { destination: sink }, metrics: { runtime: false }, lifecycle: { handleSignals: false, handleCrashes: false, exit: false } });
  const sql = { query: async (s: string, p?: unknown[]) => (await pool.query(s, p)).rows };
  const delivery = createDelivery({
    tillwatch: tw,
    backend: await pgBossBackend({ pool, superviseIntervalSeconds: 1 }),
    eventFailures: sqlEventFailureStore({ db: sql, redactor: tw.redactor }),
    retry: { maxAttempts: 2, baseDelayMs: 50, maxDelayMs: 50 },
    statsIntervalMs: 0,
  });
  t.after(async () => {
    await delivery.stop();
    await tw.close();
    await pool.end();
    await dropTestDatabase(admin, name);
    await admin.end();
  });

  const receipts = delivery.queue<{ to: string; apiKey: string; body: string }>('receipt_notifications', { event: 'receipt.send' });
  await delivery.start();
  let providerUp = false;
  const delivered: string[] = [];
  await receipts.work(async (job) => {
    if (!providerUp) throw job.payload.body === 'bad' ? new DeliveryError('invalid_request', 'invalid recipient') : DeliveryError.fromHttpStatus(503);
    delivered.push(job.key);
  }, { pollIntervalMs: 500 });
  for (let i = 0; i < 3; i++) await receipts.enqueue({ to: '+14155550100', apiKey: 'sk_live_abcdef123456', body: i === 2 ? 'bad' : `receipt ${i}` }, { key: `msg_${i}`, aggregateId: `order-${i}` });
  for (let i = 0; i < 60 && (await delivery.deadLetters.count()) < 3; i++) await sleep(250);
  assert.equal(await delivery.deadLetters.count(), 3, 'three dead letters to work with');

  const env = { DATABASE_URL: databaseUrl };
  const list = await cli(['dlq', 'list'], env);
  assert.equal(list.status, 0, list.stderr);
  assert.match(list.stdout, /^ID\s+QUEUE\s+REASON\s+ATTEMPTS/m);
  assert.equal((list.stdout.match(/receipt_notifications/g) ?? []).length, 3);
  assert.match(list.stdout, /non_retryable/);
  assert.match(list.stdout, /max_retries/);
  assert.ok(!list.stdout.includes(databaseUrl) && !list.stderr.includes(databaseUrl), 'the connection string is never printed');

  const json = await cli(['dlq', 'list', '--json', '--limit', '2'], env);
  const page = JSON.parse(json.stdout) as { items: { id: string; key: string; reason: string }[]; next?: string };
  assert.equal(page.items.length, 2);
  assert.ok(page.next, 'a cursor for the next page');
  const next = JSON.parse((await cli(['dlq', 'list', '--json', '--after', page.next], env)).stdout) as { items: { id: string }[] };
  assert.equal(next.items.length, 1);
  const all = [...page.items, ...(JSON.parse((await cli(['dlq', 'list', '--json'], env)).stdout) as { items: { id: string; key: string; reason: string }[] }).items.filter((x) => !page.items.some((p) => p.id === x.id))];
  const bad = all.find((d) => d.key === 'msg_2')!;
  const first = all.find((d) => d.key === 'msg_0')!;

  const show = await cli(['dlq', 'show', bad.id], env);
  assert.equal(show.status, 0, show.stderr);
  assert.match(show.stdout, /reason\s+non_retryable/);
  assert.match(show.stdout, /last error\s+invalid_request/);
  assert.ok(!show.stdout.includes('sk_live_abcdef123456'), 'the API key in the payload is redacted');
  assert.equal((await cli(['dlq', 'count'], env)).stdout.trim(), '3');

  const failures = await cli(['dlq', 'failures', '--state', 'dead_lettered'], env);
  assert.equal(failures.status, 0, failures.stderr);
  assert.equal((failures.stdout.match(/receipt\.send/g) ?? []).length, 3);
  assert.equal((await cli(['dlq', 'failures', '--state', 'bogus'], env)).status, 2);

  // The provider is back: replay one by id; a second replay of the same id finds nothing (exit 1).
  providerUp = true;
  const replay = await cli(['dlq', 'replay', first.id, '--actor', 'alice'], env);
  assert.equal(replay.status, 0, replay.stderr);
  assert.match(replay.stdout, /replayed 1 dead letter/);
  const auditLine = JSON.parse(replay.stderr.trim().split('\n').pop()!) as { event: string; audit: { actor: string; ids: string[]; keys: string[]; queue: string } };
  assert.equal(auditLine.event, 'audit.dlq.replay');
  assert.deepEqual([auditLine.audit.actor, auditLine.audit.ids, auditLine.audit.keys, auditLine.audit.queue], ['alice', [first.id], ['msg_0'], 'receipt_notifications']);
  const again = await cli(['dlq', 'replay', first.id], env);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /TW_ERR_DELIVERY_NOT_FOUND/);
  for (let i = 0; i < 60 && !delivered.includes('msg_0'); i++) await sleep(250);
  assert.deepEqual(delivered, ['msg_0'], 'the replayed message was delivered with its own key');

  // Usage errors: ids and --all together, purge --all without --yes.
  assert.equal((await cli(['dlq', 'replay', first.id, '--all'], env)).status, 2);
  const noYes = await cli(['dlq', 'purge', '--all'], env);
  assert.equal(noYes.status, 2);
  assert.match(noYes.stderr, /--yes/);
  const purge = await cli(['dlq', 'purge', '--all', '--yes', '--queue', 'receipt_notifications', '--note', 'numbers do not exist'], env);
  assert.equal(purge.status, 0, purge.stderr);
  assert.match(purge.stdout, /purged 2 dead letter/);
  assert.match(purge.stderr, /"note":"numbers do not exist"/);
  assert.equal((await cli(['dlq', 'count'], env)).stdout.trim(), '0');
  // msg_0's row is resolved when its job is settled, a moment after the handler returned.
  const readStates = async () => (await pool.query<{ failure_key: string; state: string }>('SELECT failure_key, state FROM tillwatch_event_failures ORDER BY failure_key')).rows;
  for (let i = 0; i < 60 && (await readStates())[0]?.state !== 'resolved'; i++) await sleep(250);
  const states = await readStates();
  assert.deepEqual(states.map((r) => [r.failure_key, r.state]), [['msg_0', 'resolved'], ['msg_1', 'discarded'], ['msg_2', 'discarded']]);
});

test('tillwatch dlq says what is missing instead of failing obscurely', async (t) => {
  if (!requireReal(t, 'postgres', await tcpReachable(5432), 'PostgreSQL on 127.0.0.1:5432')) return;
  const unset = await cli(['dlq', 'list'], {});
  assert.equal(unset.status, 5);
  assert.match(unset.stderr, /DATABASE_URL is not set/);
  const empty = await cli(['dlq', 'list'], { DATABASE_URL: POSTGRES_URL.replace(/\/[^/]*$/, '/postgres') });
  assert.equal(empty.status, 5);
  assert.match(empty.stderr, /run the service once/);
  assert.equal((await cli(['dlq', 'frobnicate'], {})).status, 2);
  assert.equal((await cli(['dlq', 'list', '--limit', '0'], { DATABASE_URL: POSTGRES_URL })).status, 2);
});

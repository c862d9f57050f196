/**
 * `tillwatch dlq` on a large dead-letter queue: how long each command takes, as an operator runs it (a new
 * CLI process each time, DATABASE_URL, Postgres), with `deadLetters` dead letters in one queue.
 *
 *   node bench/dlq-cli.ts [deadLetters=10000]
 *
 * The dead letters are made the way a service makes them: messages enqueued in one bulk insert, then a worker
 * (tillwatch/delivery over pg-boss, batches of 500) whose handler fails permanently, so each is dead-lettered
 * with its reason and recorded in the event-failure table. Every figure is wall-clock time of the whole CLI
 * process (start-up, connection, the work, exit).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { PgBoss } from 'pg-boss';
import { createTillwatch } from 'tillwatch';
import { createDelivery, DeliveryError, pgBossBackend, sqlEventFailureStore, sqlExecutor } from 'tillwatch/delivery';

const POSTGRES_URL = process.env.TILLWATCH_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const CLI = fileURLToPath(new URL('../packages/cli/src/main.ts', import.meta.url));
const N = Number(process.argv[2] ?? 10_000);
const QUEUE = 'receipt_notifications';

function cli(args: string[], databaseUrl: string): Promise<{ ms: number; status: number | null; stdout: string; stderr: string }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI, 'dlq', ...args], { env: { PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (status) => resolve({ ms: performance.now() - t0, status, stdout, stderr }));
  });
}

const name = `tw_dlq_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
const admin = new pg.Client({ connectionString: POSTGRES_URL });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const databaseUrl = POSTGRES_URL.replace(/\/[^/]*$/, `/${name}`);
const pool = new pg.Pool({ connectionString: databaseUrl, max: 6 });
pool.on('error', () => {});
const tw = createTillwatch({ service: { name: 'dlq-bench' }, log: { level: 'fatal' }, lifecycle: { handleSignals: false, handleCrashes: false, exit: false } });
const delivery = createDelivery({
  tillwatch: tw,
  backend: await pgBossBackend({ pool }),
  eventFailures: sqlEventFailureStore({ db: sqlExecutor(pool), redactor: tw.redactor }),
  statsIntervalMs: 0,
});
const q = delivery.queue<{ message_id: string; to_sealed: string; body: string }>(QUEUE, { event: 'receipt.send' });
await delivery.start();

/** Fills the dead-letter queue: bulk insert, then a permanently failing worker until every message is dead. */
async function fill(): Promise<number> {
  const boss = new PgBoss({ db: { executeSql: (t: string, v?: unknown[]) => pool.query(t, v) }, schedule: false, supervise: false, migrate: false });
  await boss.start();
  const jobs = Array.from({ length: N }, (_, i) => ({
    data: { v: 1, key: `msg_${randomBytes(8).toString('hex')}`, event: 'receipt.send', aggregateId: `ord_${i}`, payload: { message_id: `msg_${i}`, to_sealed: randomBytes(40).toString('base64url'), body: `Your receipt from store-001: order ord_${i}, 2 items, total USD 12.98. Thank you!` } },
  }));
  for (let i = 0; i < jobs.length; i += 1000) await boss.insert(QUEUE, jobs.slice(i, i + 1000));
  await boss.stop({ graceful: false, close: false });
  const t0 = performance.now();
  while ((await delivery.deadLetters.count(QUEUE)) < N) await sleep(500);
  return performance.now() - t0;
}

await q.workBatch(async () => {
  throw new DeliveryError('invalid_request', 'the provider refused the recipient', { code: 'http_400' });
}, { batchSize: 500 });
const fillMs = await fill();

const rows: [string, number][] = [];
const time = async (label: string, args: string[]): Promise<string> => {
  const r = await cli(args, databaseUrl);
  if (r.status !== 0) throw new Error(`${label}: exit ${r.status}\n${r.stderr}`);
  rows.push([label, r.ms]);
  return r.stdout;
};
await time('dlq count', ['count']);
await time('dlq list (first 100)', ['list']);
let after: string | undefined;
let pages = 0;
const t0 = performance.now();
do {
  const page = JSON.parse(await time(`dlq list --json --limit 1000 (page ${pages + 1})`, ['list', '--json', '--limit', '1000', ...(after ? ['--after', after] : [])])) as { items: { id: string }[]; next?: string };
  after = page.next;
  pages++;
} while (after !== undefined);
rows.push([`all ${pages} pages of 1000, in total`, performance.now() - t0]);
const someId = (JSON.parse((await cli(['list', '--json', '--limit', '1'], databaseUrl)).stdout) as { items: { id: string }[] }).items[0]!.id;
await time('dlq show <id>', ['show', someId]);
await time('dlq failures --state dead_lettered (first 50)', ['failures', '--state', 'dead_lettered']);
await time(`dlq replay --all (${N})`, ['replay', '--all']);
await delivery.stop();
// The replayed messages are back in the queue; a new worker dead-letters them again for the purge.
const delivery2 = createDelivery({ tillwatch: tw, backend: await pgBossBackend({ pool }), statsIntervalMs: 0 });
const q2 = delivery2.queue(QUEUE, { event: 'receipt.send' });
await delivery2.start();
await q2.workBatch(async () => {
  throw new DeliveryError('invalid_request', 'refused again', { code: 'http_400' });
}, { batchSize: 500 });
while ((await delivery2.deadLetters.count(QUEUE)) < N) await sleep(500);
await delivery2.stop();
await time(`dlq purge --all --yes (${N})`, ['purge', '--all', '--yes']);

console.log(`dead letters: ${N}; made by the worker in ${(fillMs / 1000).toFixed(1)} s; node=${process.version}`);
console.log('| command | wall time (s) |');
console.log('| --- | ---: |');
for (const [label, ms] of rows.filter(([l]) => !l.includes('(page '))) console.log(`| ${label} | ${(ms / 1000).toFixed(2)} |`);
const pageTimes = rows.filter(([l]) => l.includes('(page ')).map(([, ms]) => ms);
console.log(`| one page of 1000 (median of ${pageTimes.length}) | ${([...pageTimes].sort((a, b) => a - b)[Math.floor(pageTimes.length / 2)]! / 1000).toFixed(2)} |`);

await tw.close();
await pool.end();
for (let i = 0; i < 100 && (await admin.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name])).rows[0]!.n > 0; i++) await sleep(50);
await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
await admin.end();

/**
 * Messages per second through a durable queue on one core, with tillwatch's delivery layer (retry policy,
 * classification, metrics, event-failure table, logs) against the same queue library used bare, measured in the
 * same run: pg-boss on a fresh Postgres database and on PGlite in process.
 *
 *   node bench/delivery-throughput.ts [messages=4000] [rounds=3]
 *
 * Each measurement is a child process pinned to CPU 0 (`taskset -c 0`) that enqueues `messages` jobs in one bulk
 * insert (not measured), then starts a worker (batches of 8 fetched back to back while full, attempted in
 * parallel, as `queue.work({ concurrency: 8 })` does) whose handler succeeds at once, and measures until every job is completed: wall-clock messages/s and the worker
 * process's CPU per message (user + system). Modes are interleaved across rounds so drift hits each alike. The
 * database server (Postgres) runs outside the pinned process and is not counted in the CPU figure.
 */
import { spawnSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { PgBoss, fromPglite } from 'pg-boss';
import { createTillwatch } from 'tillwatch';
import { createDelivery, pgBossBackend, sqlEventFailureStore, sqlExecutor } from 'tillwatch/delivery';

const POSTGRES_URL = process.env.TILLWATCH_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SELF = fileURLToPath(import.meta.url);
const CONCURRENCY = 8;
/** bare: pg-boss as its README uses it; bare-perjob: pg-boss with metadata and per-job results (what tillwatch asks of it); tillwatch: the full delivery layer. */
const MODES = ['bare', 'bare-perjob', 'tillwatch'] as const;

interface Result {
  readonly msgsPerSec: number;
  readonly cpuUsPerMsg: number;
}

/** The worker side, in the pinned child: `engine` postgres|pglite, `mode` bare|tillwatch. */
async function child(engine: string, mode: string, messages: number): Promise<void> {
  let pool: pg.Pool | undefined;
  let pglite: PGlite | undefined;
  let dropDb: (() => Promise<void>) | undefined;
  if (engine === 'postgres') {
    const name = `tw_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    pool = new pg.Pool({ connectionString: POSTGRES_URL.replace(/\/[^/]*$/, `/${name}`), max: 10 });
    pool.on('error', () => {}); // idle clients see the database dropped at the end
    dropDb = async () => {
      await pool?.end();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    };
  } else {
    pglite = await PGlite.create();
  }
  const sql = pool ? sqlExecutor(pool) : sqlExecutor(pglite as PGlite);
  const queue = 'bench_receipts';
  const envelope = (i: number) => ({ v: 1, key: `msg_${i}`, event: 'receipt.send', payload: { n: i } });
  let stop: () => Promise<void>;
  let start: () => Promise<void>;
  if (mode === 'bare' || mode === 'bare-perjob') {
    const boss = new PgBoss(pool ? { db: { executeSql: (t: string, v?: unknown[]) => (pool as pg.Pool).query(t, v) }, schedule: false } : { db: fromPglite(pglite as never), backend: 'pglite', schedule: false });
    await boss.start();
    await boss.createQueue(queue);
    await boss.insert(queue, Array.from({ length: messages }, (_, i) => ({ data: envelope(i) })));
    // The same fetch pattern as tillwatch's queue.work: batches of CONCURRENCY, fetched back to back while full.
    start =
      mode === 'bare'
        ? async () => void (await boss.work(queue, { batchSize: CONCURRENCY, localConcurrency: 1, burstWhenBatchFull: true, pollingIntervalSeconds: 0.5 }, async (jobs) => void (await Promise.all(jobs.map(async () => {})))))
        : // pg-boss in the mode tillwatch uses it (job metadata, one result per job), without tillwatch: splits the overhead.
          async () =>
            void (await boss.work(queue, { batchSize: CONCURRENCY, localConcurrency: 1, burstWhenBatchFull: true, pollingIntervalSeconds: 0.5, includeMetadata: true, perJobResults: true }, async (jobs) =>
              Promise.all(jobs.map(async (j) => ({ id: j.id, status: 'completed' as const }))),
            ));
    stop = () => boss.stop({ graceful: true, close: true, timeout: 5000 });
  } else {
    const tw = createTillwatch({ service: { name: 'bench' }, log: { level: 'warn' }, lifecycle: { handleSignals: false, handleCrashes: false, exit: false } });
    const delivery = createDelivery({
      tillwatch: tw,
      backend: await pgBossBackend(pool ? { pool } : { pglite: pglite as PGlite }),
      eventFailures: sqlEventFailureStore({ db: sql, redactor: tw.redactor }),
    });
    const q = delivery.queue<{ n: number }>(queue, { event: 'receipt.send' });
    await delivery.start();
    const boss = new PgBoss(pool ? { db: { executeSql: (t: string, v?: unknown[]) => (pool as pg.Pool).query(t, v) }, schedule: false, supervise: false, migrate: false } : { db: fromPglite(pglite as never), backend: 'pglite', schedule: false, supervise: false, migrate: false });
    await boss.start();
    await boss.insert(queue, Array.from({ length: messages }, (_, i) => ({ data: envelope(i), singletonKey: `msg_${i}` })));
    await boss.stop({ graceful: false, close: false });
    start = () => q.work(async () => {}, { concurrency: CONCURRENCY, pollIntervalMs: 500 });
    stop = async () => {
      await delivery.stop();
      await tw.close();
    };
  }
  const done = async (): Promise<number> => Number((await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND state = 'completed'`, [queue]))[0]?.n ?? 0);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await start();
  while ((await done()) < messages) await sleep(100);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await stop();
  await pglite?.close();
  await dropDb?.();
  process.stdout.write(`${JSON.stringify({ msgsPerSec: messages / seconds, cpuUsPerMsg: (cpu.user + cpu.system) / messages } satisfies Result)}\n`);
}

function measure(engine: string, mode: string, messages: number): Promise<Result> {
  const pinned = spawnSync('sh', ['-c', 'command -v taskset'], { stdio: 'ignore' }).status === 0;
  const argv = [process.execPath, SELF, '--child', engine, mode, String(messages)];
  const p = pinned ? spawn('taskset', ['-c', '0', ...argv], { stdio: ['ignore', 'pipe', 'inherit'] }) : spawn(argv[0] as string, argv.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  p.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    p.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop() as string) as Result) : reject(new Error(`${engine}/${mode} exited ${code}`))));
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

if (process.argv[2] === '--child') {
  await child(process.argv[3] as string, process.argv[4] as string, Number(process.argv[5]));
} else {
  const messages = Number(process.argv[2] ?? 4000);
  const rounds = Number(process.argv[3] ?? 3);
  console.log(`messages=${messages} rounds=${rounds} concurrency=${CONCURRENCY} node=${process.version}`);
  console.log('| engine | mode | msgs/s (median) | ratio vs bare | worker CPU µs/msg (median) | CPU ratio vs bare |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: |');
  for (const engine of (process.env.BENCH_ENGINES ?? 'postgres,pglite').split(',')) {
    const n = engine === 'pglite' ? Math.min(messages, 2000) : messages;
    const results = new Map<string, Result[]>();
    for (let r = 0; r < rounds; r++) {
      for (const mode of MODES) results.set(mode, [...(results.get(mode) ?? []), await measure(engine, mode, n)]);
    }
    const bare = results.get('bare') as Result[];
    for (const mode of MODES) {
      const rs = results.get(mode) as Result[];
      const rate = median(rs.map((x) => x.msgsPerSec));
      const cpu = median(rs.map((x) => x.cpuUsPerMsg));
      const ratio = (v: number, b: number) => (v / b).toFixed(2);
      console.log(`| ${engine} (${n} msgs) | ${mode} | ${rate.toFixed(0)} | ${ratio(rate, median(bare.map((x) => x.msgsPerSec)))} | ${cpu.toFixed(0)} | ${ratio(cpu, median(bare.map((x) => x.cpuUsPerMsg)))} |`);
    }
  }
}

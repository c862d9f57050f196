/**
 * Per-query cost of tillwatch/pg: process CPU microseconds and wall time per query for the bare driver and
 * the instrumented one, measured interleaved in the same process (rounds alternate bare and instrumented,
 * medians reported), on a real Postgres (pg.Pool, one connection each) and on PGlite (one in-memory instance:
 * the bare calls go through the driver's own prototype method, the instrumented ones through the patched
 * instance). The statement is a parameterised single-row SELECT, the cheapest a service sends, so the ratio is
 * the worst case; metrics render once at the end (a scrape) to prove the series exist.
 *
 *   node -C tillwatch-source bench/pg-overhead.ts [queries=5000] [rounds=5]
 */
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import pino from 'pino';
import { resolveOptions } from '../packages/tillwatch/src/config/options.ts';
import { Metrics } from '../packages/tillwatch/src/metrics/metrics.ts';
import { instrumentPg, instrumentPglite } from '../packages/tillwatch/src/db/index.ts';

const queries = Number(process.argv[2] ?? 5000);
const rounds = Number(process.argv[3] ?? 5);
const url = process.env.TILLWATCH_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SQL = 'SELECT id, name FROM bench_products WHERE id = $1';

const { options } = resolveOptions({ metrics: { runtime: false } }, {});
const metrics = new Metrics({ options, logger: pino({ level: 'silent' }) });
const host = { metrics, logger: pino({ level: 'silent' }) };

interface Sample { cpuUs: number; wallUs: number }

async function run(q: (i: number) => Promise<unknown>): Promise<Sample> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < queries; i++) await q(i);
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { cpuUs: (cpu.user + cpu.system) / queries, wallUs: (wall * 1000) / queries };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function compare(name: string, bare: (i: number) => Promise<unknown>, instrumented: (i: number) => Promise<unknown>): Promise<void> {
  await run(bare); // warm-up
  await run(instrumented);
  const b: Sample[] = [];
  const t: Sample[] = [];
  for (let r = 0; r < rounds; r++) {
    // Alternate which goes first, so warming and GC debt hit both alike.
    if (r % 2 === 0) {
      b.push(await run(bare));
      t.push(await run(instrumented));
    } else {
      t.push(await run(instrumented));
      b.push(await run(bare));
    }
  }
  const bc = median(b.map((s) => s.cpuUs));
  const tc = median(t.map((s) => s.cpuUs));
  const bw = median(b.map((s) => s.wallUs));
  const tw = median(t.map((s) => s.wallUs));
  console.log(`| ${name} | ${bc.toFixed(1)} | ${tc.toFixed(1)} | ${(tc - bc).toFixed(1)} | ${(tc / bc).toFixed(2)} | ${bw.toFixed(1)} | ${tw.toFixed(1)} | ${(tw / bw).toFixed(2)} |`);
}

console.log(`${queries} queries x ${rounds} rounds, load average ${(await import('node:os')).loadavg().map((x) => x.toFixed(2)).join(' ')}`);
console.log('| driver | bare CPU µs/query | instrumented CPU µs/query | overhead µs | CPU ratio | bare wall µs | instrumented wall µs | wall ratio |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');

const setup = 'CREATE TABLE IF NOT EXISTS bench_products (id int primary key, name text); INSERT INTO bench_products SELECT g, \'p\' || g FROM generate_series(1, 100) g ON CONFLICT DO NOTHING';
try {
  const bare = new pg.Pool({ connectionString: url, max: 1 });
  const inst = instrumentPg(host, new pg.Pool({ connectionString: url, max: 1 }), { pool: 'bench' });
  await bare.query(setup);
  await compare('pg.Pool (Postgres 127.0.0.1)', (i) => bare.query(SQL, [(i % 100) + 1]), (i) => inst.query(SQL, [(i % 100) + 1]));
  await bare.end();
  await inst.end();
} catch (err) {
  console.log(`| pg.Pool | skipped: ${(err as Error).message} |`);
}

const lite = await PGlite.create();
await lite.exec(setup);
const bareQuery = PGlite.prototype.query;
instrumentPglite(host, lite, { pool: 'bench-pglite' });
await compare('PGlite (in memory)', (i) => bareQuery.call(lite, SQL, [(i % 100) + 1]), (i) => lite.query(SQL, [(i % 100) + 1]));
await lite.close();

const body = (await metrics.render(undefined)).body;
console.log(`series recorded: ${body.split('\n').filter((l) => l.startsWith('db_query_duration_seconds_count')).join('; ')}`);
metrics.close();

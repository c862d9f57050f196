/**
 * Per-query cost of tillwatch/prisma: process CPU and wall microseconds per `findUnique` for a Prisma 7 client
 * (@prisma/adapter-pg, one pg connection) with and without the extension, interleaved in one process (rounds
 * alternate which goes first, medians reported). The client is generated into a temporary directory first (see
 * packages/tillwatch/test/prisma.test.ts for why PRISMA_SCHEMA_ENGINE_BINARY points at a no-op).
 *
 *   node -C tillwatch-source bench/prisma-overhead.ts [queries=2000] [rounds=6]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import pino from 'pino';
import { PrismaPg } from '@prisma/adapter-pg';
import { resolveOptions } from '../packages/tillwatch/src/config/options.ts';
import { Metrics } from '../packages/tillwatch/src/metrics/metrics.ts';
import { tillwatchPrisma } from '../packages/tillwatch/src/prisma/index.ts';

const queries = Number(process.argv[2] ?? 2000);
const rounds = Number(process.argv[3] ?? 6);
const url = process.env.TILLWATCH_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const dir = mkdtempSync(join(import.meta.dirname, '.prisma-bench-'));
const table = `tw_prisma_bench_${process.pid}`;
const admin = new pg.Client({ connectionString: url });
try {
  writeFileSync(join(dir, 'schema.prisma'), `generator client {\n  provider = "prisma-client"\n  output = "./client"\n}\ndatasource db {\n  provider = "postgresql"\n}\nmodel Product {\n  id Int @id\n  name String\n  @@map("${table}")\n}\n`);
  const gen = spawnSync(join(import.meta.dirname, '../node_modules/.bin/prisma'), ['generate', '--schema', join(dir, 'schema.prisma')], { encoding: 'utf8', env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: '/bin/true', PRISMA_HIDE_UPDATE_MESSAGE: '1' } });
  if (gen.status !== 0) throw new Error(gen.stderr);
  await admin.connect();
  await admin.query(`CREATE TABLE ${table} (id int PRIMARY KEY, name text NOT NULL); INSERT INTO ${table} SELECT g, 'p' || g FROM generate_series(1, 100) g`);
  const { PrismaClient } = (await import(pathToFileURL(join(dir, 'client', 'client.ts')).href)) as { PrismaClient: new (o: unknown) => any };
  const { options } = resolveOptions({ metrics: { runtime: false } }, {});
  const metrics = new Metrics({ options, logger: pino({ level: 'silent' }) });
  const bare = new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: 1 }) });
  const base = new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: 1 }) });
  const inst = base.$extends(tillwatchPrisma({ metrics, logger: pino({ level: 'silent' }) }));
  const run = async (client: any) => {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < queries; i++) await client.product.findUnique({ where: { id: (i % 100) + 1 } });
    const cpu = process.cpuUsage(cpu0);
    return { cpu: (cpu.user + cpu.system) / queries, wall: ((performance.now() - t0) * 1000) / queries };
  };
  await run(bare);
  await run(inst);
  const b: { cpu: number; wall: number }[] = [];
  const x: { cpu: number; wall: number }[] = [];
  for (let r = 0; r < rounds; r++) {
    if (r % 2 === 0) {
      b.push(await run(bare));
      x.push(await run(inst));
    } else {
      x.push(await run(inst));
      b.push(await run(bare));
    }
  }
  const med = (v: number[]) => [...v].sort((p, q) => p - q)[Math.floor(v.length / 2)]!;
  const [bc, xc, bw, xw] = [med(b.map((s) => s.cpu)), med(x.map((s) => s.cpu)), med(b.map((s) => s.wall)), med(x.map((s) => s.wall))];
  console.log(`${queries} queries x ${rounds} rounds, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log('| client | bare CPU µs/query | instrumented CPU µs/query | overhead µs | CPU ratio | bare wall µs | instrumented wall µs | wall ratio |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  console.log(`| Prisma 7 + adapter-pg, findUnique | ${bc.toFixed(1)} | ${xc.toFixed(1)} | ${(xc - bc).toFixed(1)} | ${(xc / bc).toFixed(2)} | ${bw.toFixed(1)} | ${xw.toFixed(1)} | ${(xw / bw).toFixed(2)} |`);
  await bare.$disconnect();
  await base.$disconnect();
  metrics.close();
} finally {
  await admin.query(`DROP TABLE IF EXISTS ${table}`).catch(() => {});
  await admin.end().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
}

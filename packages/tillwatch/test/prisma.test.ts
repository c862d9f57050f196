/**
 * tillwatch/prisma on Prisma 7 with @prisma/adapter-pg against the real Postgres: the client is generated into a
 * temporary directory (`prisma generate`; the query engine is not needed by Prisma 7's engine-less client, and
 * generate does not run the schema engine, so PRISMA_SCHEMA_ENGINE_BINARY points at a no-op instead of a binary
 * download), then queries by model and action are recorded, a unique violation as a constraint failure, and the
 * underlying pg pool through instrumentPg with `queries: false` (so no query is counted twice).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import pino from 'pino';
import { resolveOptions } from '../src/config/options.ts';
import { Metrics } from '../src/metrics/metrics.ts';
import { instrumentPg } from '../src/db/index.ts';
import { prismaOperation, tillwatchPrisma } from '../src/prisma/index.ts';
import { POSTGRES_URL, requireReal, tcpReachable } from './helpers/real-parts.ts';

test('Prisma actions map to statement kinds', () => {
  assert.equal(prismaOperation('findMany'), 'select');
  assert.equal(prismaOperation('createManyAndReturn'), 'insert');
  assert.equal(prismaOperation('upsert'), 'update');
  assert.equal(prismaOperation('deleteMany'), 'delete');
  assert.equal(prismaOperation('$queryRaw'), 'other');
});

test('a Prisma 7 client with the extension records queries by model and action, failures and the pg pool', { timeout: 120_000 }, async (t) => {
  if (!requireReal(t, 'Postgres', await tcpReachable(5432), 'a Postgres on 127.0.0.1:5432')) return;
  const dir = mkdtempSync(join(import.meta.dirname, '.prisma-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const table = `tw_prisma_${process.pid}`;
  writeFileSync(
    join(dir, 'schema.prisma'),
    `generator client {\n  provider = "prisma-client"\n  output = "./client"\n}\ndatasource db {\n  provider = "postgresql"\n}\nmodel Product {\n  id Int @id @default(autoincrement())\n  sku String @unique\n  name String\n  @@map("${table}")\n}\n`,
  );
  const bin = join(import.meta.dirname, '../../../node_modules/.bin/prisma');
  const gen = spawnSync(bin, ['generate', '--schema', join(dir, 'schema.prisma')], { encoding: 'utf8', timeout: 90_000, env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: '/bin/true', PRISMA_HIDE_UPDATE_MESSAGE: '1' } });
  assert.equal(gen.status, 0, `prisma generate: ${gen.stdout}${gen.stderr}`);

  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE TABLE ${table} (id serial PRIMARY KEY, sku text UNIQUE NOT NULL, name text NOT NULL)`);
  t.after(async () => {
    await admin.query(`DROP TABLE IF EXISTS ${table}`);
    await admin.end();
  });

  const { options } = resolveOptions({ metrics: { runtime: false } }, {});
  const metrics = new Metrics({ options, logger: pino({ level: 'silent' }) });
  t.after(() => metrics.close());
  const host = { metrics, logger: pino({ level: 'silent' }) };
  const { PrismaPg } = await import('@prisma/adapter-pg');
  const { PrismaClient } = (await import(pathToFileURL(join(dir, 'client', 'client.ts')).href)) as { PrismaClient: new (o: unknown) => any };
  const pool = instrumentPg(host, new pg.Pool({ connectionString: POSTGRES_URL, max: 2 }), { pool: 'prisma', queries: false });
  const base = new PrismaClient({ adapter: new PrismaPg(pool) });
  t.after(async () => {
    await base.$disconnect();
    await pool.end();
  });
  const prisma = base.$extends(tillwatchPrisma(host, { pool: 'prisma' }));
  await prisma.product.create({ data: { sku: 'gin', name: 'Gin' } });
  assert.equal((await prisma.product.findMany()).length, 1);
  await assert.rejects(prisma.product.create({ data: { sku: 'gin', name: 'Gin again' } }));

  const body = (await metrics.render(undefined)).body;
  const value = (s: string) => Number(body.split('\n').find((l) => l.startsWith(`${s} `))?.split(' ')[1]);
  assert.equal(value('db_query_duration_seconds_count{operation="insert",table="product"}'), 2);
  assert.equal(value('db_query_duration_seconds_count{operation="select",table="product"}'), 1);
  assert.equal(value('db_query_failures_total{operation="insert",error_type="constraint",sqlstate_class="23"}'), 1);
  assert.ok(Number.isNaN(value(`db_query_duration_seconds_count{operation="insert",table="${table}"}`)), 'the pool records no query of its own: none is counted twice');
  assert.ok(value('db_pool_acquire_duration_seconds_count{pool="prisma"}') >= 3, 'checkouts of the pool under the adapter');
  assert.equal(value('db_pool_max_connections{pool="prisma"}'), 2);
});

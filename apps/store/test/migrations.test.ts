/**
 * Migrations: numbered 001, 002, ... in order; a database migrated under the earlier numbering (blocks
 * per area: 001, 050, 060, 070, 080, 090) upgrades in place, on a PGlite data directory and on
 * Postgres, keeping its data and applying nothing twice.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test, type TestContext } from 'node:test';
import { openDb, type Db } from '../src/db/db.ts';
import { listMigrations, migrate } from '../src/db/migrate.ts';
import { seed } from '../src/db/seed.ts';
import { startHarness, type Backend } from './helpers/store-harness.ts';

/** The file names the store shipped before migrations were renumbered (same SQL, other versions). */
const EARLIER_NAMES: Record<string, string> = {
  '001_core_schema.sql': '001_core_schema.sql',
  '002_printing.sql': '050_printing.sql',
  '003_notifications.sql': '060_notifications.sql',
  '004_offline_queue.sql': '070_offline_queue.sql',
  '005_sales_sync.sql': '080_sales_sync.sql',
  '006_experiments.sql': '090_experiments.sql',
};
const CURRENT = ['001', '002', '003', '004', '005', '006'];

/** A migrations directory laid out as earlier releases shipped it, holding the first `count` files. */
function earlierMigrationsDir(t: TestContext, count = CURRENT.length): URL {
  const dir = mkdtempSync(join(tmpdir(), 'tillwatch-store-earlier-migrations-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const file of listMigrations().slice(0, count)) {
    const earlier = EARLIER_NAMES[`${file.version}_${file.name}.sql`];
    assert.ok(earlier, `${file.version}_${file.name}.sql is newer than the earlier numbering`);
    copyFileSync(file.path, join(dir, earlier));
  }
  return pathToFileURL(`${dir}/`);
}

async function recorded(db: Db): Promise<string[]> {
  return (await db.query<{ v: string }>(`SELECT version || '_' || name AS v FROM schema_migrations ORDER BY version`)).map((r) => r.v);
}

test('migration files are numbered 001, 002, ... in order, without gaps', () => {
  const files = listMigrations();
  assert.deepEqual(
    files.map((f) => f.version),
    files.map((_, i) => String(i + 1).padStart(3, '0')),
  );
});

for (const backend of ['pglite', 'postgres'] as const satisfies readonly Backend[]) {
  test(`a ${backend} database migrated under the earlier numbering upgrades in place and keeps its data`, async (t) => {
    const earlier = earlierMigrationsDir(t);
    const dataDir = mkdtempSync(join(tmpdir(), 'tillwatch-store-earlier-data-'));
    t.after(() => rmSync(dataDir, { recursive: true, force: true }));
    const h = await startHarness(t, backend, {
      env: backend === 'pglite' ? { TILLWATCH_DATA_DIR: dataDir } : {},
      // What an earlier release left behind: its migrations, its seed, a customer with points.
      prepare: async (env) => {
        const db = await openDb({ databaseUrl: env.DATABASE_URL, dataDir: env.TILLWATCH_DATA_DIR! });
        try {
          const r = await migrate(db, earlier);
          assert.deepEqual(r.applied, ['001', '050', '060', '070', '080', '090']);
          await seed(db, ['store-001', 'store-002']);
          await db.query(`INSERT INTO customers (id, name, phone, loyalty_points) VALUES ('cus_earlier', 'Robin', '+15550001111', 42)`);
          await db.query(`UPDATE stock SET on_hand = 7 WHERE location_id = 'store-001' AND sku = 'WINE-CAB-750'`);
        } finally {
          await db.close();
        }
      },
    });
    if (!h) return;
    assert.deepEqual(h.store.migrationsApplied, [], 'nothing is applied twice');
    const db = h.store.deps.db;
    assert.deepEqual(await recorded(db), ['001_core_schema', '002_printing', '003_notifications', '004_offline_queue', '005_sales_sync', '006_experiments']);
    assert.ok(
      h.sink.lines.some((l) => l.msg === 'migration versions renumbered' && JSON.stringify(l.renumbered) === JSON.stringify(['050->002', '060->003', '070->004', '080->005', '090->006'])),
      'the upgrade is logged',
    );

    const token = await h.token('manager');
    const customer = await h.api('GET', '/customers/cus_earlier', { token });
    assert.deepEqual([customer.status, customer.body.name, customer.body.loyalty_points], [200, 'Robin', 42]);
    const stock = await h.api('GET', '/locations/store-001/stock', { token });
    assert.equal(stock.body.items.find((i: { sku: string }) => i.sku === 'WINE-CAB-750').on_hand, 7);

    // The upgraded database is an ordinary current one: a second run changes nothing.
    const again = await migrate(db);
    assert.deepEqual([again.applied, again.renumbered, again.skipped], [[], [], CURRENT]);
  });
}

test('a database part-way through the earlier numbering is renumbered, then the rest is applied', async (t) => {
  const db = await openDb({ dataDir: 'memory://' });
  t.after(() => db.close());
  await migrate(db, earlierMigrationsDir(t, 2));
  const r = await migrate(db);
  assert.deepEqual(r.renumbered, ['050->002']);
  assert.deepEqual(r.applied, ['003', '004', '005', '006']);
  assert.deepEqual((await recorded(db)).map((v) => v.slice(0, 3)), CURRENT);
});

test('a recorded version that names another file stops the migration, naming both', async (t) => {
  const db = await openDb({ dataDir: 'memory://' });
  t.after(() => db.close());
  await migrate(db);
  await db.query(`UPDATE schema_migrations SET name = 'loyalty_tiers' WHERE version = '004'`);
  await assert.rejects(migrate(db), /records version 004 as "loyalty_tiers", but the file with that version is 004_offline_queue\.sql/);
});

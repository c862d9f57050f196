/**
 * Scheduled audit archival in the store, per backend, with a one-second interval: records past the age threshold
 * leave the hot table only inside signed, verified segments; the chain still verifies across archive + live; every
 * run is reported through the job reporter (`backup_*{target="audit_archive"}`), so a run that cannot write its
 * archive is a counted failure that deletes nothing, and the next good run catches up. Off unless asked for outside
 * production.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../src/config.ts';
import { createStoreAudit } from '../src/audit/store-audit.ts';
import { createTillwatch } from 'tillwatch';
import { backends, eventually, series, startHarness, type Harness } from './helpers/store-harness.ts';

const TARGET = { target: 'audit_archive' };

async function liveCount(h: Harness): Promise<number> {
  const [row] = await h.store.deps.db.query<{ n: string }>('SELECT count(*)::text AS n FROM audit_log');
  return Number(row?.n);
}

async function priceChanges(h: Harness, token: string, prices: readonly number[]): Promise<void> {
  for (const price of prices) {
    const r = await h.api('PUT', '/admin/products/SNACK-CHIPS-SALT/price', { token, body: { price } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }
}

test('archival is off by default outside production, on in production, and needs a directory with the in-memory database', () => {
  const tw = createTillwatch({ log: { level: 'silent' }, metrics: { runtime: false }, lifecycle: { handleSignals: false, handleCrashes: false, exit: false } });
  const audit = (env: Record<string, string>) => createStoreAudit(tw, loadConfig({ TILLWATCH_DATA_DIR: 'memory://', ...env }));
  assert.equal(audit({}).archive, undefined);
  assert.deepEqual(audit({ NODE_ENV: 'production', AUDIT_ARCHIVE_DIR: '/var/lib/store/audit-archive', JWT_SECRET: 'x'.repeat(40) }).archive, {
    dir: '/var/lib/store/audit-archive',
    intervalMs: 6 * 3600_000,
    ageSeconds: 90 * 86_400,
    maxRecords: 100_000,
  });
  assert.throws(() => audit({ AUDIT_ARCHIVE: 'on' }), /AUDIT_ARCHIVE_DIR/);
  assert.throws(() => audit({ AUDIT_ARCHIVE: 'sometimes' }), /AUDIT_ARCHIVE: expected on or off/);
  assert.throws(() => audit({ AUDIT_ARCHIVE: 'on', AUDIT_ARCHIVE_DIR: '/tmp/a', AUDIT_ARCHIVE_INTERVAL_MS: '5' }), /AUDIT_ARCHIVE_INTERVAL_MS/);
});

for (const backend of backends().filter((b) => b !== 'postgres+redis')) {
  test(`scheduled archival on ${backend}`, { timeout: 150_000 }, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'store-audit-archive-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const archiveDir = join(dir, 'archive');
    const h = await startHarness(t, backend, {
      env: { AUDIT_ARCHIVE: 'on', AUDIT_ARCHIVE_DIR: archiveDir, AUDIT_ARCHIVE_INTERVAL_MS: '1000', AUDIT_ARCHIVE_AGE_SECONDS: '0', AUDIT_ARCHIVE_MAX_RECORDS: '3' },
    });
    if (!h) return;
    const manager = await h.token('manager');
    const admin = await h.token('admin');

    await priceChanges(h, manager, [101, 102, 103, 104, 105]);
    await eventually('the five records archived', async () => ((await liveCount(h)) === 0 ? true : undefined), 60_000);
    const segments = readdirSync(archiveDir).filter((f) => f.endsWith('.jsonl.gz')).sort();
    assert.ok(segments.length >= 2, `segments of at most 3 records: ${segments.join(', ')}`);
    const m1 = await h.metrics();
    assert.ok((m1.get(series('backup_runs_total', { ...TARGET, outcome: 'success' })) ?? 0) >= 1);
    assert.ok((m1.get(series('backup_last_size_bytes', TARGET)) ?? 0) > 0);
    assert.ok((m1.get(series('backup_last_success_timestamp_seconds', TARGET)) ?? 0) > Date.now() / 1000 - 120);
    await h.store.deps.audit.log.checkpoint(h.store.deps.db);
    const ver = await h.api('GET', '/admin/audit/verify', { token: admin });
    assert.deepEqual([ver.body.ok, ver.body.records], [true, 5], JSON.stringify(ver.body));

    await t.test('a run that cannot write its archive is a counted failure and deletes nothing; the next good run catches up', async () => {
      rmSync(archiveDir, { recursive: true });
      writeFileSync(archiveDir, 'not a directory'); // mkdir and every write under it now fail
      const failuresBefore = (await h.metrics()).get(series('backup_failures_total', TARGET)) ?? 0;
      await priceChanges(h, manager, [106, 107]);
      await eventually('a failed run counted', async () => (((await h.metrics()).get(series('backup_failures_total', TARGET)) ?? 0) > failuresBefore ? true : undefined), 60_000);
      assert.equal(await liveCount(h), 2, 'the records stay in the table');
      assert.ok(h.sink.lines.some((l) => l.msg === 'audit archival failed; the records stay in the table until a run succeeds'));

      rmSync(archiveDir);
      await eventually('caught up', async () => ((await liveCount(h)) === 0 ? true : undefined), 60_000);
      // The first segments went with the directory: verify the new ones on their own, continuing the chain.
      const rest = readdirSync(archiveDir).filter((f) => f.endsWith('.jsonl.gz'));
      assert.equal(rest.length, 1);
      assert.match(rest[0]!, /^audit-0+6-0+7\.jsonl\.gz$/);
    });
  });
}

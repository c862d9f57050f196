/**
 * The store's data layer through tillwatch: query, pool and backup series on /metrics (PGlite and Postgres), the
 * slow-db fault moving the slow-query counter, and the external dependencies (payment provider, SMS provider,
 * warehouse) behind dependency_up, /health/external and readiness: an optional one down degrades, the required
 * payment provider down fails.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startSmsProvider } from '../src/sim/sms-provider.ts';
import { startWarehouse } from '../src/sim/warehouse.ts';
import { eventually, series, startHarness, type Backend } from './helpers/store-harness.ts';

for (const backend of ['pglite', 'postgres'] as Backend[]) {
  test(`data layer on ${backend}: queries, pool, slow queries, backup and dependencies`, { timeout: 150_000 }, async (t) => {
    const backupDir = mkdtempSync(join(tmpdir(), 'store-backup-'));
    t.after(() => rmSync(backupDir, { recursive: true, force: true }));
    const sms = await startSmsProvider();
    t.after(() => sms.close());
    const warehouse = await startWarehouse();
    let warehouseOpen = true;
    t.after(() => (warehouseOpen ? warehouse.close() : undefined));
    const h = await startHarness(t, backend, {
      features: 'all',
      env: { SMS_PROVIDER_URL: sms.url, WAREHOUSE_URL: warehouse.url, BACKUP_DIR: backupDir, DEPENDENCY_CHECK_INTERVAL_MS: '200', SLOW_QUERY_MS: '100' },
    });
    if (!h) return;
    const value = async (name: string, labels: Record<string, string> = {}) => (await h.metrics()).get(series(name, labels));

    // Queries and the pool: the store's migrations and seed already ran through the instrumented driver.
    const admin = await h.token('admin');
    assert.equal((await h.api('GET', '/products', { token: admin })).status, 200);
    const m = await h.metrics();
    assert.ok((m.get(series('db_query_duration_seconds_count', { operation: 'select', table: 'products' })) ?? 0) > 0, 'product selects are timed');
    assert.ok((m.get(series('db_query_duration_seconds_count', { operation: 'migration', table: 'none' })) ?? 0) > 0, 'migrations are timed');
    assert.equal(m.get(series('db_pool_max_connections', { pool: 'store' })), backend === 'pglite' ? 1 : 10);

    // The first backup runs right after start-up.
    await eventually('the first backup', async () => ((await value('backup_last_success_timestamp_seconds', { target: 'database' })) ?? 0) > 0 || undefined, 60_000);
    assert.ok(((await value('backup_last_size_bytes', { target: 'database' })) ?? 0) > 0);
    assert.equal(readdirSync(backupDir).filter((f) => f.startsWith('store-')).length, 1);

    // The slow-db fault: every statement waits 150 ms, over the store's 100 ms slow-query threshold.
    const slow0 = (await h.metrics()).get(series('db_slow_queries_total', { operation: 'select', table: 'products' })) ?? 0;
    assert.equal((await h.api('PUT', '/admin/faults', { token: admin, body: { db_latency_ms: 150 } })).status, 200);
    try {
      assert.equal((await h.api('GET', '/products', { token: admin })).status, 200);
    } finally {
      await h.api('PUT', '/admin/faults', { token: admin, body: { db_latency_ms: 0 } });
    }
    assert.ok(((await value('db_slow_queries_total', { operation: 'select', table: 'products' })) ?? 0) > slow0, 'the slow-db fault moves the slow-query counter');
    assert.ok(h.sink.lines.some((l) => l.code === 'TWWRN300' && typeof l.statement === 'string' && !/'[^']*'/.test(l.statement as string)), 'a slow-query line with a normalised statement');

    // Dependencies: all up, then the warehouse (optional) down degrades, then the payment provider (required) down fails.
    for (const d of ['payment_provider', 'sms_provider', 'warehouse']) await eventually(`${d} up`, async () => ((await value('dependency_up', { dependency: d })) === 1 ? true : undefined));
    let ext = await fetch(`${h.url}/health/external`);
    assert.equal(ext.status, 200);
    assert.equal(((await ext.json()) as { status: string }).status, 'ok');
    await warehouse.close();
    warehouseOpen = false;
    await eventually('warehouse down', async () => ((await value('dependency_up', { dependency: 'warehouse' })) === 0 ? true : undefined));
    ext = await fetch(`${h.url}/health/external`);
    assert.deepEqual([ext.status, ((await ext.json()) as { status: string }).status], [200, 'degraded']);
    await h.payment.close();
    await eventually('payment provider down', async () => ((await value('dependency_up', { dependency: 'payment_provider' })) === 0 ? true : undefined));
    ext = await fetch(`${h.url}/health/external`);
    assert.equal(ext.status, 503);
    await eventually('readiness fails', async () => ((await fetch(`${h.url}/health/ready`)).status === 503 ? true : undefined));
  });
}

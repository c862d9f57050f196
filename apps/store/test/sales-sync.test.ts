/**
 * Sales sync end to end: the real store with its queue worker, the simulated warehouse, real orders.
 * Sales arrive in bounded batches; a warehouse failure or stall is counted by error type and the sales
 * are retried with backoff; a failure longer than the retries dead-letters them, and a replay after
 * recovery delivers them; the last-success gauge and the cursor row move only on success.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startWarehouse } from '../src/sim/warehouse.ts';
import { backends, delta, deltaSum, startHarness, type Harness, eventually as poll } from './helpers/store-harness.ts';

const LOC = 'store-002';
/** Sync batches and retries take a worker cycle or two: a longer bound than the harness default. */
const eventually = <T>(what: string, fn: () => Promise<T | undefined>, ms = 30_000): Promise<T> => poll(what, fn, ms);
const LAST_SUCCESS = 'sync_last_success_timestamp_seconds{pipeline="sales_to_warehouse"}';

async function sell(h: Harness, token: string): Promise<string> {
  const order = await h.api('POST', '/orders', { token, body: { location: LOC, terminal: 'till-9', channel: 'kiosk', items: [{ sku: 'MIXER-ICE-2KG', quantity: 2 }] } });
  assert.equal(order.status, 201, JSON.stringify(order.body));
  const pay = await h.api('POST', `/orders/${order.body.id}/pay`, { token, body: { method: 'cash', amount: order.body.total, cash_tendered: order.body.total } });
  assert.equal(pay.status, 200, JSON.stringify(pay.body));
  const done = await h.api('POST', `/orders/${order.body.id}/complete`, { token });
  assert.equal(done.status, 200, JSON.stringify(done.body));
  return order.body.id as string;
}

for (const backend of backends()) {
  test(`sales sync to the warehouse on ${backend}`, { timeout: 180_000 }, async (t) => {
    const warehouse = await startWarehouse();
    t.after(() => warehouse.close());
    const h = await startHarness(t, backend, {
      features: ['sales-sync'],
      env: {
        WAREHOUSE_URL: warehouse.url,
        SALES_SYNC_INTERVAL_MS: '500',
        SALES_SYNC_BATCH_SIZE: '2',
        SALES_SYNC_TIMEOUT_MS: '400',
        DELIVERY_MAX_ATTEMPTS: '4',
        DELIVERY_BASE_DELAY_MS: '300',
        DELIVERY_MAX_DELAY_MS: '600',
        DELIVERY_STATS_INTERVAL_MS: '500',
      },
    });
    if (!h) return;
    const cashier = await h.token('cashier');
    const admin = await h.token('admin');

    await t.test('completed sales are pushed in bounded batches and the cursor and gauge move', async () => {
      const m0 = await h.metrics();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push(await sell(h, cashier));
      await eventually('the warehouse to hold every sale', async () => (ids.every((id) => warehouse.has(id)) ? true : undefined));
      const m1 = await eventually('the records to be counted', async () => {
        const m = await h.metrics();
        return delta(m0, m, 'sync_records_total', { pipeline: 'sales_to_warehouse' }) >= 5 ? m : undefined;
      });
      assert.equal(delta(m0, m1, 'sync_records_total', { pipeline: 'sales_to_warehouse' }), 5);
      assert.ok(delta(m0, m1, 'sync_batch_duration_seconds_count', { pipeline: 'sales_to_warehouse', outcome: 'success' }) >= 3, 'batches of at most 2');
      assert.ok((m1.get(LAST_SUCCESS) ?? 0) > 0);
      // The last batch's jobs are settled a moment after the warehouse acknowledged them.
      const status = await eventually('nothing pending', async () => {
        const r = await h.api('GET', '/sales-sync/status', { token: admin });
        return r.status === 200 && r.body.pending === 0 ? r : undefined;
      });
      assert.equal(status.body.records_synced, 5);
      assert.equal(status.body.dead_letters, 0);
      assert.ok(status.body.last_success_at);
    });

    await t.test('a failing warehouse is counted by error type and the batch is retried on a later cycle', async () => {
      const m0 = await h.metrics();
      warehouse.configure({ failureRate: 1 });
      const id = await sell(h, cashier);
      const m1 = await eventually('a failed batch', async () => {
        const m = await h.metrics();
        return deltaSum(m0, m, 'sync_errors_total', { pipeline: 'sales_to_warehouse', error_type: 'server_error' }) >= 1 ? m : undefined;
      });
      assert.equal(warehouse.has(id), false);
      assert.equal(m1.get(LAST_SUCCESS), m0.get(LAST_SUCCESS), 'no success, no move');
      const failing = await h.api('GET', '/sales-sync/status', { token: admin });
      assert.equal(failing.body.pending, 1, 'waiting for its retry');
      assert.equal(failing.body.last_error.type, 'server_error');

      warehouse.configure({ failureRate: 0 });
      await eventually('the retried sale to arrive', async () => (warehouse.has(id) ? true : undefined));
      await eventually('the queue to drain', async () => ((await h.api('GET', '/sales-sync/status', { token: admin })).body.pending === 0 ? true : undefined));
      const m2 = await eventually('the last-success gauge to move', async () => {
        const m = await h.metrics();
        return (m.get(LAST_SUCCESS) ?? 0) > (m0.get(LAST_SUCCESS) ?? 0) ? m : undefined;
      });
      assert.equal(delta(m0, m2, 'sync_records_total', { pipeline: 'sales_to_warehouse' }), 1);
    });

    await t.test('a stalled warehouse times the batch out; the sale goes once it recovers', async () => {
      const m0 = await h.metrics();
      warehouse.configure({ stall: true });
      const id = await sell(h, cashier);
      await eventually('a timed-out batch', async () => {
        const m = await h.metrics();
        return delta(m0, m, 'sync_errors_total', { pipeline: 'sales_to_warehouse', error_type: 'timeout' }) >= 1 ? true : undefined;
      });
      warehouse.configure({ stall: false });
      // The warehouse may take the held request in once the stall lifts (the store had given up on it):
      // at-least-once means the store pushes it again, and the warehouse counts a duplicate.
      await eventually('the stalled sale to be acknowledged', async () => {
        const status = await h.api('GET', '/sales-sync/status', { token: admin });
        return status.body.pending === 0 && status.body.last_error === null ? true : undefined;
      });
      assert.equal(warehouse.has(id), true);
    });

    await t.test('a warehouse failing longer than the retries dead-letters the sale; a replay after recovery delivers it', async () => {
      const m0 = await h.metrics();
      warehouse.configure({ failureRate: 1 });
      const id = await sell(h, cashier);
      await eventually('the sale to be dead-lettered', async () => {
        const m = await h.metrics();
        return delta(m0, m, 'dlq_dead_lettered_total', { queue: 'sales_sync', reason: 'max_retries' }) === 1 ? true : undefined;
      });
      const m1 = await h.metrics();
      assert.equal(delta(m0, m1, 'delivery_attempts_total', { queue: 'sales_sync', result: 'retryable_error' }), 4, 'DELIVERY_MAX_ATTEMPTS attempts');
      assert.equal(delta(m0, m1, 'dlq_retries_total', { queue: 'sales_sync' }), 3);
      // The counter counts the decision; the move into the dead-letter queue commits a moment later.
      const letter = await eventually('the sale to be in the dead-letter queue', async () => {
        const dlq = await h.api('GET', '/admin/dlq?queue=sales_sync', { token: admin });
        return (dlq.body.items as Record<string, any>[]).find((d) => d.aggregateId === id);
      });
      assert.equal(letter.key, `sale:${id}`);
      assert.equal(letter.reason, 'max_retries');
      warehouse.configure({ failureRate: 0 });
      const replay = await h.api('POST', '/admin/dlq/replay', { token: admin, body: { all: true, queue: 'sales_sync' } });
      assert.equal(replay.body.count, 1);
      await eventually('the replayed sale to arrive', async () => (warehouse.has(id) ? true : undefined));
      await eventually('the status to show no dead letters', async () => ((await h.api('GET', '/sales-sync/status', { token: admin })).body.dead_letters === 0 ? true : undefined));
    });

    await t.test('the status route needs a manager or an admin', async () => {
      assert.equal((await h.api('GET', '/sales-sync/status', { token: cashier })).status, 403);
      assert.equal((await h.api('GET', '/sales-sync/status', { token: admin })).status, 200);
    });

    await t.test('shutdown stops the worker while the warehouse stalls, and the batch stays unsynced', async () => {
      warehouse.configure({ stall: true });
      const id = await sell(h, cashier);
      await eventually('the worker to be holding a stalled push', async () => (warehouse.stats().stalled > 0 ? true : undefined));
      await h.store.close();
      assert.equal(warehouse.has(id), false);
      warehouse.configure({ stall: false });
    });
  });
}

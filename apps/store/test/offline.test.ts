/**
 * Offline terminal sync end to end: a terminal posts the sales it recorded while offline; good ones
 * become completed orders (stock, revenue), bad ones are rejected one by one with a reason, and a
 * replayed batch applies nothing twice. Runs on every backend the harness covers.
 */
import assert from 'node:assert/strict';
import { newId } from '../src/ids.ts';
import { test } from 'node:test';
import { backends, delta, deltaSum, startHarness, type ApiResponse, type Harness } from './helpers/store-harness.ts';

const LOC = 'store-001';

function sale(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    client_sale_id: newId('sale', { dashes: true }),
    recorded_at: new Date(Date.now() - 60_000).toISOString(),
    channel: 'in_store',
    items: [{ sku: 'SNACK-PRETZEL', quantity: 2, unit_price: 349 }],
    payment: { method: 'cash', amount: 698 },
    ...overrides,
  };
}

async function stockOf(h: Harness, token: string, sku: string): Promise<number> {
  const r = await h.api('GET', `/locations/${LOC}/stock`, { token });
  return (r.body.items as { sku: string; on_hand: number }[]).find((i) => i.sku === sku)!.on_hand;
}

for (const backend of backends()) {
  test(`offline sync on ${backend}`, async (t) => {
    const h = await startHarness(t, backend, { features: ['offline', 'sales-sync'], env: { SALES_SYNC_ENABLED: 'false' } });
    if (!h) return;
    const cashier = await h.token('cashier');
    const terminal = `till-off-${backend.replace(/\W/g, '')}`;

    const good1 = sale();
    let good2: Record<string, unknown> = {};
    let pretzels0 = 0;

    await t.test('a batch with good and bad sales applies the good ones and rejects the bad ones with reasons', async () => {
      good2 = sale({ items: [{ sku: 'WINE-CAB-750', quantity: 1, unit_price: 2499 }], payment: { method: 'card', amount: 2499 }, age_verification: { method: 'id_scan', age_bracket: '25_plus' } });
      const bad = [
        sale({ items: [{ sku: 'NO-SUCH-SKU', quantity: 1, unit_price: 100 }], payment: { method: 'cash', amount: 100 } }),
        sale({ payment: { method: 'cash', amount: 1 } }),
        sale({ items: [{ sku: 'SNACK-PRETZEL', quantity: 0, unit_price: 349 }] }),
        sale({ items: [{ sku: 'BEER-IPA-6PK', quantity: 1, unit_price: 1299 }], payment: { method: 'cash', amount: 1299 } }),
        sale({ items: [{ sku: 'BEER-IPA-6PK', quantity: 1, unit_price: 1299 }], payment: { method: 'cash', amount: 1299 }, age_verification: { method: 'id_scan', age_bracket: '18_20' } }),
        { ...good1 },
        'not a sale',
      ];
      pretzels0 = await stockOf(h, cashier, 'SNACK-PRETZEL');
      const m0 = await h.metrics();
      const r = await h.api('POST', '/offline/batches', { token: cashier, body: { terminal, location: LOC, sales: [good1, ...bad, good2] } });
      assert.equal(r.status, 202, JSON.stringify(r.body));
      assert.equal(r.body.received, 9);
      assert.equal(r.body.applied, 2);
      assert.equal(r.body.rejected, 7);
      const codes = (r.body.results as { index: number; status: string; code?: string }[]).map((x) => x.code ?? x.status);
      assert.deepEqual(codes, [
        'applied',
        'unknown_sku',
        'amount_mismatch',
        'invalid_quantity',
        'age_verification_required',
        'age_verification_failed',
        'duplicate_in_batch',
        'invalid_sale',
        'applied',
      ]);
      assert.equal(await stockOf(h, cashier, 'SNACK-PRETZEL'), pretzels0 - 2, 'the applied sale consumed stock');

      const applied = await h.api('GET', `/offline/sales/${terminal}/${good1.client_sale_id as string}`, { token: cashier });
      assert.equal(applied.body.status, 'applied');
      const order = await h.api('GET', `/orders/${applied.body.order_id as string}`, { token: cashier });
      assert.equal(order.status, 200);
      assert.equal(order.body.status, 'completed');
      assert.equal(order.body.total, 698);

      const m1 = await h.metrics();
      assert.equal(delta(m0, m1, 'offline_sync_attempts_total', { location: LOC, outcome: 'partial' }), 1);
      assert.equal(delta(m0, m1, 'offline_sync_operations_total', { location: LOC, result: 'applied' }), 2);
      assert.equal(delta(m0, m1, 'offline_sync_operations_total', { location: LOC, result: 'rejected' }), 7);
      assert.equal(delta(m0, m1, 'orders_completed_total', { location: LOC, channel: 'in_store' }), 2, 'offline sales count as orders');
      assert.equal(delta(m0, m1, 'revenue_total', { location: LOC, channel: 'in_store', currency: 'USD' }), (698 + 2499) / 100);
      assert.equal(deltaSum(m0, m1, 'age_verifications_total', { location: LOC, result: 'passed' }), 1, 'the offline age check counts for compliance');
      assert.equal(m1.get(`offline_queue_depth{location="${LOC}"}`), 0);
      assert.equal(m1.get(`offline_queue_oldest_age_seconds{location="${LOC}"}`), 0);
    });

    await t.test('the same batch posted again applies nothing twice', async () => {
      const m2 = await h.metrics();
      const again = await h.api('POST', '/offline/batches', { token: cashier, body: { terminal, location: LOC, sales: [good1, good2] } });
      assert.equal(again.status, 202);
      assert.equal(again.body.applied, 0);
      assert.equal(again.body.duplicates, 2);
      assert.equal(await stockOf(h, cashier, 'SNACK-PRETZEL'), pretzels0 - 2, 'no stock moved on replay');
      const m3 = await h.metrics();
      assert.equal(delta(m2, m3, 'offline_sync_attempts_total', { location: LOC, outcome: 'success' }), 1);
      assert.equal(delta(m2, m3, 'offline_sync_operations_total', { location: LOC, result: 'duplicate' }), 2);
      assert.equal(delta(m2, m3, 'orders_completed_total', { location: LOC, channel: 'in_store' }), 0);
      const orders = await h.store.deps.db.query<{ n: number }>('SELECT count(*)::int AS n FROM orders WHERE terminal_id = $1', [terminal]);
      assert.equal(orders[0]!.n, 2);
    });

    await t.test('applied offline sales are queued for the warehouse, in the apply transaction', async () => {
      // The sync worker is off (SALES_SYNC_ENABLED=false): the two applied sales wait in its queue.
      const stats = await h.store.deps.delivery.backend.stats('sales_sync');
      assert.equal(stats.depth, 2);
      const orders = await h.store.deps.db.query<{ id: string }>('SELECT id FROM orders WHERE terminal_id = $1 ORDER BY id', [terminal]);
      const queued = await h.store.deps.db.query<{ order_id: string }>(
        `SELECT data->'payload'->>'order_id' AS order_id FROM pgboss.job WHERE name = 'sales_sync' AND state = 'created' ORDER BY 1`,
      );
      assert.deepEqual(queued.map((r) => r.order_id), orders.map((o) => o.id));
    });

    await t.test('a malformed batch is refused whole with a stable code and changes nothing', async () => {
      const before = await h.store.deps.db.query<{ n: number }>('SELECT count(*)::int AS n FROM offline_batches');
      const malformed: Record<string, unknown>[] = [{ terminal, location: 'store-999', sales: [sale()] }, { terminal, location: LOC, sales: [] }, { location: LOC, sales: [sale()] }];
      for (const payload of malformed) {
        const r: ApiResponse<{ error: { code: string } }> = await h.api('POST', '/offline/batches', { token: cashier, body: payload });
        assert.equal(r.status, 400, JSON.stringify(r.body));
        assert.equal(r.body.error.code, 'STORE_VALIDATION_FAILED');
      }
      const unauth = await h.api('POST', '/offline/batches', { body: { terminal, location: LOC, sales: [sale()] } });
      assert.equal(unauth.status, 401);
      const after = await h.store.deps.db.query<{ n: number }>('SELECT count(*)::int AS n FROM offline_batches');
      assert.equal(after[0]!.n, before[0]!.n);
    });

    await t.test('the queue endpoint shows depth per location and the sales', async () => {
      const r = await h.api('GET', `/offline/queue?terminal=${terminal}`, { token: cashier });
      assert.equal(r.status, 200);
      assert.deepEqual(
        (r.body.depth as { location: string; depth: number }[]).map((d) => [d.location, d.depth]),
        [
          ['store-001', 0],
          ['store-002', 0],
        ],
      );
      assert.equal((r.body.sales as unknown[]).length, 2);
    });
  });
}

/**
 * Payments are exactly-once when the provider's answer is late or lost: the provider keeps working while the
 * store has given up waiting (a capture slower than PAYMENT_TIMEOUT_MS), which once made the store answer
 * "nothing changed" and capture a second time on the cashier's retry, with the first capture never recorded.
 *
 * On every backend: the simulated provider's capture takes longer than the store's timeout; the store must
 * say the outcome is unknown, keep the order `payment_pending`, and settle it with the provider (by the
 * attempt's idempotency key) on the retry or through the reconciler, recording the one capture.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backends, deltaSum, eventually, series, startHarness, type Harness } from './helpers/store-harness.ts';

const LOC = 'store-001';
const CARD = { number: '4242 4242 4242 4242', cvv: '123', expiry: '12/39' };
const TIMEOUT_MS = 300;

async function openOrder(h: Harness, token: string): Promise<{ id: string; total: number }> {
  const r = await h.api('POST', '/orders', { token, body: { location: LOC, terminal: 'till-1', channel: 'in_store', items: [{ sku: 'MIXER-TONIC-4PK', quantity: 1 }] } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

for (const backend of backends().filter((b) => b !== 'postgres+redis')) {
  test(`a capture slower than the timeout on ${backend}: "outcome unknown", and the retry records the one capture instead of taking a second`, { timeout: 120_000 }, async (t) => {
    // The reconciler runs only at start-up here: the cashier's retry settles the payment (the next test covers the reconciler).
    const h = await startHarness(t, backend, { env: { PAYMENT_TIMEOUT_MS: String(TIMEOUT_MS), PAYMENT_RECONCILE_INTERVAL_MS: '3600000' } });
    if (!h) return;
    const cashier = await h.token('cashier');
    const capturesOf = (orderId: string) => h.payment.captures().filter((c) => c.orderRef === orderId);
    {
      const order = await openOrder(h, cashier);
      h.payment.configure({ captureLatencyMs: TIMEOUT_MS * 3 });
      const first = await h.api('POST', `/orders/${order.id}/pay`, { token: cashier, body: { method: 'card', amount: order.total, card: CARD } });
      assert.equal(first.status, 503, JSON.stringify(first.body));
      assert.equal(first.body.error.code, 'STORE_PAYMENT_OUTCOME_UNKNOWN');
      assert.equal(first.body.error.details.payment_state, 'unknown');
      assert.doesNotMatch(JSON.stringify(first.body), /nothing changed/);

      // The provider finishes the capture after the store stopped waiting.
      await eventually('the provider to finish the capture', async () => (capturesOf(order.id).length === 1 ? true : undefined));
      h.payment.configure({ captureLatencyMs: 0 });

      const retry = await h.api('POST', `/orders/${order.id}/pay`, { token: cashier, body: { method: 'card', amount: order.total, card: CARD } });
      assert.equal(retry.status, 200, JSON.stringify(retry.body));
      assert.equal(retry.body.status, 'paid');
      const captured = retry.body.payments.filter((p: { status: string }) => p.status === 'captured');
      assert.equal(captured.length, 1);
      assert.equal(capturesOf(order.id).length, 1, 'the provider captured once');
      const rows = await h.store.deps.db.query<{ provider_ref: string }>(`SELECT provider_ref FROM payments WHERE order_id = $1 AND status = 'captured'`, [order.id]);
      assert.deepEqual(rows.map((r) => r.provider_ref), [capturesOf(order.id)[0]!.authorizationId], 'the store recorded the capture the provider made');
      assert.equal(capturesOf(order.id)[0]!.idempotencyKey, `${order.id}:1:capture`, 'the capture carried the key derived from the order and attempt');
    }
  });

  test(`payments settled by the reconciler on ${backend}`, { timeout: 120_000 }, async (t) => {
    // The reconciler runs often here so the test waits on a condition, not a clock.
    const h = await startHarness(t, backend, { env: { PAYMENT_TIMEOUT_MS: String(TIMEOUT_MS), PAYMENT_RECONCILE_INTERVAL_MS: '200' } });
    if (!h) return;
    const cashier = await h.token('cashier');
    const manager = await h.token('manager');
    const capturesOf = (orderId: string) => h.payment.captures().filter((c) => c.orderRef === orderId);

    await t.test('nobody retries: the reconciler finds the capture and the order is paid; the gauges say so', async () => {
      const order = await openOrder(h, cashier);
      h.payment.configure({ captureLatencyMs: TIMEOUT_MS * 3 });
      const m0 = await h.metrics();
      const first = await h.api('POST', `/orders/${order.id}/pay`, { token: cashier, body: { method: 'card', amount: order.total, card: CARD } });
      assert.equal(first.body.error?.code, 'STORE_PAYMENT_OUTCOME_UNKNOWN');
      const pending = await h.api('GET', `/orders/${order.id}`, { token: cashier });
      if (pending.body.status === 'payment_pending') {
        assert.equal(pending.body.payment_attempt.state, 'unknown');
        const voided = await h.api('POST', `/orders/${order.id}/void`, { token: manager, body: { reason: 'customer_request' } });
        assert.equal(voided.status, 409, 'an order whose payment may have gone through cannot be voided');
      }
      const paid = await eventually('the reconciler to record the capture', async () => {
        const r = await h.api('GET', `/orders/${order.id}`, { token: cashier });
        return r.body.status === 'paid' ? r.body : undefined;
      }, 30_000);
      h.payment.configure({ captureLatencyMs: 0 });
      assert.equal(paid.payment_attempt, null);
      assert.equal(capturesOf(order.id).length, 1);
      const m1 = await eventually('the unknown gauge to fall back to 0', async () => {
        const m = await h.metrics();
        return m.get(series('payments_unknown')) === 0 ? m : undefined;
      }, 30_000);
      assert.equal(deltaSum(m0, m1, 'payments_reconciliations_total', { resolution: 'captured' }), 1);
      assert.ok((m1.get(series('payments_reconciliation_last_success_timestamp_seconds')) ?? 0) > 0);
      const done = await h.api('POST', `/orders/${order.id}/complete`, { token: cashier });
      assert.equal(done.status, 200, JSON.stringify(done.body));
    });

    await t.test('an authorisation whose answer is lost: the cashier may pay again at once, and the hold is released', async () => {
      const order = await openOrder(h, cashier);
      h.payment.configure({ latencyMs: TIMEOUT_MS * 3 });
      const first = await h.api('POST', `/orders/${order.id}/pay`, { token: cashier, body: { method: 'card', amount: order.total, card: CARD } });
      h.payment.configure({ latencyMs: 0 });
      assert.equal(first.status, 503);
      assert.equal(first.body.error.code, 'STORE_PAYMENT_PROVIDER_UNAVAILABLE', 'no capture was sent: nothing was charged');
      // The provider authorised it after all (a hold on the card); the reconciler releases it.
      await eventually('the hold to be released', async () => (h.payment.lookup(`${order.id}:1`)?.status === 'voided' ? true : undefined), 30_000);
      const second = await h.api('POST', `/orders/${order.id}/pay`, { token: cashier, body: { method: 'card', amount: order.total, card: CARD } });
      assert.equal(second.status, 200, JSON.stringify(second.body));
      assert.equal(capturesOf(order.id).length, 1);
      assert.equal(capturesOf(order.id)[0]!.idempotencyKey, `${order.id}:2:capture`);
    });
  });
}

/**
 * End to end, per backend: the checkout flows, each asserting the business answer and the telemetry
 * together (metric deltas from the store's own /metrics, one access-log line with the request's
 * correlation id) and that no card number, CVV, password, date of birth or ID number is kept or
 * written anywhere.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEMO_USERS } from '../src/auth/demo-users.ts';
import { assertNoSecrets } from './helpers/secrets.ts';
import { backends, delta, deltaSum, startHarness, type Harness } from './helpers/store-harness.ts';

const CARD = '4242424242424242';
const CARD_SPACED = '4242 4242 4242 4242';
const CVV = '7319';
const EXPIRY = '09/39';
const DOB = '1990-04-17';
const ID_NUMBER = 'D1234-5678-XYZ';
const LOC = 'store-001';

async function newOrder(h: Harness, token: string, items: { sku: string; quantity: number }[], extra: Record<string, unknown> = {}) {
  const r = await h.api('POST', '/orders', { token, body: { location: LOC, terminal: 'till-1', channel: 'in_store', items, ...extra } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

function oneAccessLine(h: Harness, correlationId: string, route: string, status: number): void {
  const lines = h.accessLines(correlationId);
  assert.equal(lines.length, 1, `exactly one access-log line for ${route} (got ${lines.length})`);
  assert.equal(lines[0]!.route, route);
  assert.equal(lines[0]!.status, status);
}

for (const backend of backends()) {
  test(`checkout flows on ${backend}`, async (t) => {
    const h = await startHarness(t, backend);
    if (!h) return;
    const cashier = await h.token('cashier');
    const manager = await h.token('manager');

    await t.test('a restricted sale: create, age-verify, pay by card, complete', async () => {
      const m0 = await h.metrics();
      const stock0 = (await h.api('GET', `/locations/${LOC}/stock`, { token: cashier })).body;
      const wine0 = stock0.items.find((i: { sku: string }) => i.sku === 'WINE-CAB-750');

      const order = await newOrder(h, cashier, [{ sku: 'WINE-CAB-750', quantity: 2 }, { sku: 'SNACK-CHIPS-SALT', quantity: 1 }]);
      assert.equal(order.status, 'open');
      assert.equal(order.subtotal, 2 * 2499 + 399);
      assert.equal(order.age_restricted, true);
      const stock1 = (await h.api('GET', `/locations/${LOC}/stock`, { token: cashier })).body;
      assert.equal(stock1.items.find((i: { sku: string }) => i.sku === 'WINE-CAB-750').reserved, wine0.reserved + 2, 'stock reserved on create');

      const age = await h.api('POST', `/orders/${order.id}/age-verification`, { token: cashier, body: { method: 'id_scan', date_of_birth: DOB, id_number: ID_NUMBER } });
      assert.equal(age.status, 201, JSON.stringify(age.body));
      assert.equal(age.body.verification.result, 'pass');
      assert.equal(age.body.verification.age_bracket, '25_plus');
      oneAccessLine(h, age.correlationId, '/orders/:id/age-verification', 201);

      const pay = await h.api('POST', `/orders/${order.id}/pay`, { token: cashier, body: { method: 'card', amount: order.total, card: { number: CARD_SPACED, cvv: CVV, expiry: EXPIRY } } });
      assert.equal(pay.status, 200, JSON.stringify(pay.body));
      assert.equal(pay.body.status, 'paid');
      const payment = pay.body.payments[0];
      assert.deepEqual([payment.status, payment.card_brand, payment.card_last4], ['captured', 'visa', '4242']);
      oneAccessLine(h, pay.correlationId, '/orders/:id/pay', 200);

      const events: unknown[] = [];
      const off = h.store.deps.events.on('order.completed', (e) => void events.push(e));
      // an empty body declared as JSON is "no body", not malformed JSON
      const done = await h.api('POST', `/orders/${order.id}/complete`, { token: cashier, rawBody: '' });
      off();
      assert.equal(done.status, 200, JSON.stringify(done.body));
      assert.equal(done.body.status, 'completed');
      oneAccessLine(h, done.correlationId, '/orders/:id/complete', 200);
      assert.equal(events.length, 1, 'order.completed emitted once');
      assert.deepEqual(
        (({ orderId, location, terminal, channel, total, currency, paymentMethod }: any) => ({ orderId, location, terminal, channel, total, currency, paymentMethod }))(events[0]),
        { orderId: order.id, location: LOC, terminal: 'till-1', channel: 'in_store', total: order.total, currency: 'USD', paymentMethod: 'card' },
      );
      assert.equal((events[0] as { items: unknown[] }).items.length, 2);
      const stock2 = (await h.api('GET', `/locations/${LOC}/stock`, { token: cashier })).body;
      const wine2 = stock2.items.find((i: { sku: string }) => i.sku === 'WINE-CAB-750');
      assert.equal(wine2.on_hand, wine0.on_hand - 2, 'completion consumes stock');
      assert.equal(wine2.reserved, wine0.reserved);

      const m1 = await h.metrics();
      assert.equal(delta(m0, m1, 'orders_completed_total', { location: LOC, channel: 'in_store' }), 1);
      assert.equal(delta(m0, m1, 'revenue_total', { location: LOC, channel: 'in_store', currency: 'USD' }), order.total / 100);
      assert.equal(delta(m0, m1, 'orders_items_count', { channel: 'in_store' }), 1);
      assert.equal(delta(m0, m1, 'orders_items_sum', { channel: 'in_store' }), 3);
      assert.equal(delta(m0, m1, 'payments_successes_total', { method: 'card', operation: 'authorize' }), 1);
      assert.equal(delta(m0, m1, 'payments_successes_total', { method: 'card', operation: 'capture' }), 1);
      assert.equal(delta(m0, m1, 'age_verifications_total', { location: LOC, result: 'passed', method: 'id_scan' }), 1);
      assert.equal(delta(m0, m1, 'inventory_reserved_items_total', { location: LOC }), 3);
      assert.equal(delta(m0, m1, 'http_requests_total', { method: 'POST', route: '/orders/:id/pay', status_code: '200' }), 1);

      await assertNoSecrets(h, { strings: [CARD, CARD_SPACED, DOB, ID_NUMBER, ...DEMO_USERS.map((u) => u.password)], shortValues: [CVV] });
    });

    await t.test('a rejected card payment does not echo or keep the card', async () => {
      const order = await newOrder(h, cashier, [{ sku: 'SNACK-NUTS-MIX', quantity: 1 }]);
      const r = await h.api('POST', `/orders/${order.id}/pay`, { token: cashier, body: { method: 'card', card: { number: CARD, cvv: CVV, expiry: 'next year' } } });
      assert.equal(r.status, 400);
      assert.equal(r.body.error.code, 'STORE_VALIDATION_FAILED');
      assert.equal(r.body.error.details.field, 'card.expiry');
      assert.ok(!JSON.stringify(r.body).includes(CARD) && !JSON.stringify(r.body).includes('next year'), 'the answer echoes nothing');
      await assertNoSecrets(h, { strings: [CARD, CARD_SPACED], shortValues: [CVV] });
    });

    await t.test('completing without age verification is refused; a failed check blocks the sale', async () => {
      const order = await newOrder(h, cashier, [{ sku: 'SPIRIT-VODKA-750', quantity: 1 }]);
      const pay = await h.api('POST', `/orders/${order.id}/pay`, { token: cashier, body: { method: 'cash', cash_tendered: 3000 } });
      assert.equal(pay.status, 200);
      assert.equal(pay.body.payments[0].change_due, 3000 - 2299);
      const m0 = await h.metrics();
      const r = await h.api('POST', `/orders/${order.id}/complete`, { token: cashier });
      assert.equal(r.status, 409);
      assert.equal(r.body.error.code, 'STORE_AGE_VERIFICATION_REQUIRED');
      assert.equal(r.body.error.correlation_id, r.correlationId);
      assert.equal((await h.api('GET', `/orders/${order.id}`, { token: cashier })).body.status, 'paid', 'nothing changed');

      const young = new Date();
      young.setUTCFullYear(young.getUTCFullYear() - 19);
      const fail = await h.api('POST', `/orders/${order.id}/age-verification`, { token: cashier, body: { method: 'manual_dob', date_of_birth: young.toISOString().slice(0, 10) } });
      assert.equal(fail.status, 201);
      assert.deepEqual([fail.body.verification.result, fail.body.verification.age_bracket], ['fail', '18_20']);
      const r2 = await h.api('POST', `/orders/${order.id}/complete`, { token: cashier });
      assert.equal(r2.body.error.code, 'STORE_AGE_VERIFICATION_FAILED');
      const m1 = await h.metrics();
      assert.equal(delta(m0, m1, 'store_request_rejections_total', { code: 'STORE_AGE_VERIFICATION_REQUIRED' }), 1);
      assert.equal(delta(m0, m1, 'age_verifications_total', { location: LOC, result: 'underage', method: 'manual_id_check' }), 1);
      assert.equal(delta(m0, m1, 'orders_failed_total', { location: LOC, channel: 'in_store', reason: 'age_verification_failed' }), 1);

      // the manager voids it: the cash payment is reversed and the stock released
      const v = await h.api('POST', `/orders/${order.id}/void`, { token: manager, body: { reason: 'age_verification_failed' } });
      assert.equal(v.status, 200, JSON.stringify(v.body));
      assert.equal(v.body.status, 'voided');
      const m2 = await h.metrics();
      assert.equal(delta(m1, m2, 'orders_voided_total', { location: LOC, channel: 'in_store', reason: 'age_verification_failed' }), 1);
      assert.equal(delta(m1, m2, 'inventory_released_items_total', { location: LOC, reason: 'order_voided' }), 1);
    });

    await t.test('a declined card leaves the order open and is counted by reason', async () => {
      const order = await newOrder(h, cashier, [{ sku: 'SNACK-PRETZEL', quantity: 2 }]);
      const m0 = await h.metrics();
      const r = await h.api('POST', `/orders/${order.id}/pay`, { token: cashier, body: { method: 'card', card: { number: '4000000000000002', cvv: '123', expiry: EXPIRY } } });
      assert.equal(r.status, 402);
      assert.equal(r.body.error.code, 'STORE_PAYMENT_DECLINED');
      assert.equal(r.body.error.details.reason, 'insufficient_funds');
      const after = (await h.api('GET', `/orders/${order.id}`, { token: cashier })).body;
      assert.equal(after.status, 'open');
      assert.equal(after.payments[0].status, 'declined');
      const m1 = await h.metrics();
      assert.equal(delta(m0, m1, 'payments_failures_total', { method: 'card', operation: 'authorize', reason: 'insufficient_funds' }), 1);
      assert.equal(delta(m0, m1, 'orders_failed_total', { location: LOC, channel: 'in_store', reason: 'payment_declined' }), 1);
      assert.equal(delta(m0, m1, 'store_request_rejections_total', { code: 'STORE_PAYMENT_DECLINED' }), 1);
      // a second, good card then goes through
      const ok = await h.api('POST', `/orders/${order.id}/pay`, { token: cashier, body: { method: 'card', card: { number: '5555555555554444', cvv: '123', expiry: EXPIRY } } });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
    });

    await t.test('a provider outage answers 503 and changes nothing; the provider can be flipped at runtime', async () => {
      const order = await newOrder(h, cashier, [{ sku: 'MIXER-ICE-2KG', quantity: 1 }]);
      const cfg = await fetch(`${h.payment.url}/admin/config`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ outage: true }) });
      assert.equal(cfg.status, 200);
      try {
        const m0 = await h.metrics();
        const r = await h.api('POST', `/orders/${order.id}/pay`, { token: cashier, body: { method: 'mobile' } });
        assert.equal(r.status, 503);
        assert.equal(r.body.error.code, 'STORE_PAYMENT_PROVIDER_UNAVAILABLE');
        assert.equal((await h.api('GET', `/orders/${order.id}`, { token: cashier })).body.status, 'open');
        const m1 = await h.metrics();
        assert.equal(delta(m0, m1, 'payments_failures_total', { method: 'mobile_wallet', operation: 'authorize', reason: 'provider_unavailable' }), 1);
        assert.equal(delta(m0, m1, 'orders_failed_total', { location: LOC, channel: 'in_store', reason: 'payment_error' }), 1);
        const lines = h.accessLines(r.correlationId);
        assert.equal(lines.length, 1);
        assert.equal(lines[0]!.status, 503);
      } finally {
        h.payment.configure({ outage: false });
      }
    });

    await t.test('loyalty: points are earned on completion and redeemed on payment; refunds are manager-only', async () => {
      const c = await h.api('POST', '/customers', { token: cashier, body: { name: 'Robin Regular', phone: `+1555${String(Date.now()).slice(-7)}` } });
      assert.equal(c.status, 201, JSON.stringify(c.body));
      const customerId = c.body.id;
      const m0 = await h.metrics();
      const o1 = await newOrder(h, cashier, [{ sku: 'SNACK-CHIPS-SALT', quantity: 5 }], { customer_id: customerId });
      await h.api('POST', `/orders/${o1.id}/pay`, { token: cashier, body: { method: 'gift_card' } });
      const d1 = await h.api('POST', `/orders/${o1.id}/complete`, { token: cashier });
      assert.equal(d1.body.points_earned, Math.floor((5 * 399) / 100));
      let cust = (await h.api('GET', `/customers/${customerId}`, { token: cashier })).body;
      assert.equal(cust.loyalty_points, 19);

      const o2 = await newOrder(h, cashier, [{ sku: 'SNACK-PRETZEL', quantity: 1 }], { customer_id: customerId });
      const p2 = await h.api('POST', `/orders/${o2.id}/pay`, { token: cashier, body: { method: 'cash', redeem_points: 10 } });
      assert.equal(p2.status, 200, JSON.stringify(p2.body));
      assert.equal(p2.body.total, 349 - 10);
      await h.api('POST', `/orders/${o2.id}/complete`, { token: cashier });
      cust = (await h.api('GET', `/customers/${customerId}`, { token: cashier })).body;
      assert.equal(cust.loyalty_points, 19 - 10 + 3);
      const m1 = await h.metrics();
      assert.equal(delta(m0, m1, 'customers_new_total', { location: LOC, channel: 'in_store' }), 1);
      assert.equal(delta(m0, m1, 'customers_returning_total', { location: LOC, channel: 'in_store' }), 1);
      assert.equal(delta(m0, m1, 'loyalty_points_earned_total', { location: LOC }), 22);
      assert.equal(delta(m0, m1, 'loyalty_points_redeemed_total', { location: LOC }), 10);

      const denied = await h.api('POST', `/orders/${o1.id}/refund`, { token: cashier, body: { reason: 'damaged' } });
      assert.equal(denied.status, 403);
      assert.equal(denied.body.error.code, 'STORE_FORBIDDEN_ROLE');
      const refund = await h.api('POST', `/orders/${o1.id}/refund`, { token: manager, body: { reason: 'damaged bag', amount: 399 } });
      assert.equal(refund.status, 200, JSON.stringify(refund.body));
      assert.equal(refund.body.order.refunded_amount, 399);
      assert.equal(refund.body.order.status, 'completed');
      const m2 = await h.metrics();
      assert.equal(delta(m1, m2, 'revenue_refunded_total', { location: LOC, currency: 'USD' }), 3.99);
      assert.equal(delta(m1, m2, 'payments_successes_total', { method: 'gift_card', operation: 'refund' }), 1);
      assert.equal(deltaSum(m1, m2, 'auth_failures_total', { reason: 'forbidden' }), 1);
    });
  });
}

/**
 * Every kind of bad request, per backend: a clear 4xx with a stable code, the request's
 * correlation id in the body, one access-log line, counted in store_request_rejections_total{code},
 * and nothing changed in the database.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backends, delta, startHarness, type Harness } from './helpers/store-harness.ts';

const LOC = 'store-002';

interface Snapshot {
  orders: number;
  payments: number;
  refunds: number;
  verifications: number;
  reserved: number;
  on_hand: number;
  statuses: string;
}

async function snapshot(h: Harness): Promise<Snapshot> {
  const rows = await h.store.deps.db.query<Snapshot>(`SELECT
    (SELECT count(*) FROM orders)::int AS orders,
    (SELECT count(*) FROM payments)::int AS payments,
    (SELECT count(*) FROM refunds)::int AS refunds,
    (SELECT count(*) FROM age_verifications)::int AS verifications,
    (SELECT coalesce(sum(reserved), 0) FROM stock)::int AS reserved,
    (SELECT coalesce(sum(on_hand), 0) FROM stock)::int AS on_hand,
    (SELECT coalesce(string_agg(id || ':' || status || ':' || refunded_amount, ',' ORDER BY id), '') FROM orders) AS statuses`);
  return rows[0]!;
}

interface Case {
  name: string;
  status: number;
  code: string;
  send: () => Promise<{ status: number; body: any; correlationId: string }>;
  route: string;
}

for (const backend of backends()) {
  test(`bad input is refused and changes nothing on ${backend}`, async (t) => {
    const h = await startHarness(t, backend);
    if (!h) return;
    const cashier = await h.token('cashier');
    const manager = await h.token('manager');
    const create = (items: unknown, extra: Record<string, unknown> = {}) =>
      h.api('POST', '/orders', { token: cashier, body: { location: LOC, terminal: 'till-9', channel: 'kiosk', items, ...extra } });

    // fixtures: a paid order, an open (unpaid) order, an unverified restricted paid order, a completed order
    const paid = (await create([{ sku: 'SNACK-PRETZEL', quantity: 1 }])).body;
    assert.equal((await h.api('POST', `/orders/${paid.id}/pay`, { token: cashier, body: { method: 'cash' } })).status, 200);
    const open = (await create([{ sku: 'MIXER-TONIC-4PK', quantity: 1 }])).body;
    const restricted = (await create([{ sku: 'BEER-IPA-6PK', quantity: 1 }])).body;
    assert.equal((await h.api('POST', `/orders/${restricted.id}/pay`, { token: cashier, body: { method: 'gift_card' } })).status, 200);
    const completed = (await create([{ sku: 'SNACK-CHIPS-SALT', quantity: 1 }])).body;
    await h.api('POST', `/orders/${completed.id}/pay`, { token: cashier, body: { method: 'cash' } });
    assert.equal((await h.api('POST', `/orders/${completed.id}/complete`, { token: cashier })).status, 200);

    const cases: Case[] = [
      {
        name: 'malformed JSON',
        status: 400,
        code: 'STORE_MALFORMED_JSON',
        route: '/orders',
        send: () => h.api('POST', '/orders', { token: cashier, rawBody: '{"location": "store-002", "items": [' }),
      },
      {
        name: 'a body that is not JSON',
        status: 415,
        code: 'STORE_UNSUPPORTED_MEDIA_TYPE',
        route: '/orders',
        send: () => h.api('POST', '/orders', { token: cashier, rawBody: 'location=store-002', headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
      },
      {
        name: 'missing fields',
        status: 400,
        code: 'STORE_VALIDATION_FAILED',
        route: '/orders',
        send: () => h.api('POST', '/orders', { token: cashier, body: { location: LOC, channel: 'kiosk', items: [{ sku: 'SNACK-PRETZEL', quantity: 1 }] } }),
      },
      { name: 'no items', status: 400, code: 'STORE_VALIDATION_FAILED', route: '/orders', send: () => create([]) },
      { name: 'a quantity that is not a number', status: 400, code: 'STORE_VALIDATION_FAILED', route: '/orders', send: () => create([{ sku: 'SNACK-PRETZEL', quantity: '2' }]) },
      { name: 'an unknown SKU', status: 422, code: 'STORE_UNKNOWN_SKU', route: '/orders', send: () => create([{ sku: 'SNACK-PRETZEL', quantity: 1 }, { sku: 'NO-SUCH-SKU', quantity: 1 }]) },
      { name: 'a zero quantity', status: 422, code: 'STORE_INVALID_QUANTITY', route: '/orders', send: () => create([{ sku: 'SNACK-PRETZEL', quantity: 0 }]) },
      { name: 'a negative quantity', status: 422, code: 'STORE_INVALID_QUANTITY', route: '/orders', send: () => create([{ sku: 'SNACK-PRETZEL', quantity: -3 }]) },
      { name: 'a fractional quantity', status: 422, code: 'STORE_INVALID_QUANTITY', route: '/orders', send: () => create([{ sku: 'SNACK-PRETZEL', quantity: 1.5 }]) },
      { name: 'an unknown location', status: 422, code: 'STORE_UNKNOWN_LOCATION', route: '/orders', send: () => create([{ sku: 'SNACK-PRETZEL', quantity: 1 }], { location: 'store-999' }) },
      {
        // the first line fits; the second does not: the first line's reservation must be rolled back too
        name: 'insufficient stock',
        status: 409,
        code: 'STORE_INSUFFICIENT_STOCK',
        route: '/orders',
        send: () => create([{ sku: 'SNACK-PRETZEL', quantity: 2 }, { sku: 'SPIRIT-RUM-1L', quantity: 50 }]),
      },
      {
        name: 'an oversize body',
        status: 413,
        code: 'STORE_BODY_TOO_LARGE',
        route: '/orders',
        send: () => create([{ sku: 'SNACK-PRETZEL', quantity: 1 }], { note: 'x'.repeat(70 * 1024) }),
      },
      {
        name: 'a price override by a cashier',
        status: 403,
        code: 'STORE_FORBIDDEN_ROLE',
        route: '/orders',
        send: () => create([{ sku: 'SPIRIT-WHISKY-700', quantity: 1, unit_price: 100 }]),
      },
      { name: 'paying an order twice', status: 409, code: 'STORE_ORDER_ALREADY_PAID', route: '/orders/:id/pay', send: () => h.api('POST', `/orders/${paid.id}/pay`, { token: cashier, body: { method: 'cash' } }) },
      {
        name: 'a card payment without card details',
        status: 400,
        code: 'STORE_VALIDATION_FAILED',
        route: '/orders/:id/pay',
        send: () => h.api('POST', `/orders/${open.id}/pay`, { token: cashier, body: { method: 'card' } }),
      },
      {
        name: 'an unknown payment method',
        status: 400,
        code: 'STORE_VALIDATION_FAILED',
        route: '/orders/:id/pay',
        send: () => h.api('POST', `/orders/${open.id}/pay`, { token: cashier, body: { method: 'cheque' } }),
      },
      {
        name: 'a stale amount',
        status: 409,
        code: 'STORE_PAYMENT_AMOUNT_MISMATCH',
        route: '/orders/:id/pay',
        send: () => h.api('POST', `/orders/${open.id}/pay`, { token: cashier, body: { method: 'cash', amount: 1 } }),
      },
      { name: 'completing an unpaid order', status: 409, code: 'STORE_ORDER_NOT_PAID', route: '/orders/:id/complete', send: () => h.api('POST', `/orders/${open.id}/complete`, { token: cashier }) },
      {
        name: 'a restricted sale without age verification',
        status: 409,
        code: 'STORE_AGE_VERIFICATION_REQUIRED',
        route: '/orders/:id/complete',
        send: () => h.api('POST', `/orders/${restricted.id}/complete`, { token: cashier }),
      },
      {
        name: 'an impossible date of birth',
        status: 400,
        code: 'STORE_VALIDATION_FAILED',
        route: '/orders/:id/age-verification',
        send: () => h.api('POST', `/orders/${restricted.id}/age-verification`, { token: cashier, body: { method: 'manual_dob', date_of_birth: '1990-02-30' } }),
      },
      {
        name: 'a cashier attempting a refund',
        status: 403,
        code: 'STORE_FORBIDDEN_ROLE',
        route: '/orders/:id/refund',
        send: () => h.api('POST', `/orders/${completed.id}/refund`, { token: cashier, body: { reason: 'changed mind' } }),
      },
      {
        name: 'a refund over the total',
        status: 409,
        code: 'STORE_REFUND_EXCEEDS_TOTAL',
        route: '/orders/:id/refund',
        send: () => h.api('POST', `/orders/${completed.id}/refund`, { token: manager, body: { reason: 'too much', amount: completed.total + 1 } }),
      },
      { name: 'a cashier attempting a void', status: 403, code: 'STORE_FORBIDDEN_ROLE', route: '/orders/:id/void', send: () => h.api('POST', `/orders/${open.id}/void`, { token: cashier, body: { reason: 'cashier_error' } }) },
      { name: 'voiding a completed order', status: 409, code: 'STORE_ORDER_INVALID_STATE', route: '/orders/:id/void', send: () => h.api('POST', `/orders/${completed.id}/void`, { token: manager, body: { reason: 'cashier_error' } }) },
      { name: 'an unknown order', status: 404, code: 'STORE_ORDER_NOT_FOUND', route: '/orders/:id/pay', send: () => h.api('POST', '/orders/ord_nope/pay', { token: cashier, body: { method: 'cash' } }) },
      { name: 'no token', status: 401, code: 'STORE_AUTH_REQUIRED', route: '/orders', send: () => h.api('POST', '/orders', { body: { location: LOC } }) },
      { name: 'a forged token', status: 401, code: 'STORE_AUTH_INVALID_TOKEN', route: '/orders', send: () => h.api('POST', '/orders', { token: `${cashier.slice(0, -4)}AAAA`, body: {} }) },
      { name: 'an unknown route', status: 404, code: 'STORE_NOT_FOUND', route: '__unmatched__', send: () => h.api('GET', '/no/such/route', { token: cashier }) },
    ];

    for (const c of cases) {
      await t.test(`${c.name}: ${c.status} ${c.code}`, async () => {
        const before = await snapshot(h);
        const m0 = await h.metrics();
        const r = await c.send();
        assert.equal(r.status, c.status, JSON.stringify(r.body));
        assert.equal(r.body?.error?.code, c.code, JSON.stringify(r.body));
        assert.equal(typeof r.body.error.message, 'string');
        assert.ok(r.correlationId !== '' && r.body.error.correlation_id === r.correlationId, 'the body carries the correlation id');
        const lines = h.accessLines(r.correlationId);
        assert.equal(lines.length, 1, 'one access-log line');
        assert.equal(lines[0]!.status, c.status);
        assert.equal(lines[0]!.route, c.route);
        assert.deepEqual(await snapshot(h), before, 'nothing changed');
        const m1 = await h.metrics();
        assert.equal(delta(m0, m1, 'store_request_rejections_total', { code: c.code }), 1, 'counted');
      });
    }
  });
}

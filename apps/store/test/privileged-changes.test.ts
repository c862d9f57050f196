/**
 * Price and role changes, per backend: the right role changes them, each change is an audit record written with it
 * (before/after) and listed at /admin/audit; a lower role is refused 403 as a privilege-escalation security event and
 * changes nothing; the new price is what the next order charges (the product cache is dropped); a role change ends the
 * user's old tokens; the last admin cannot be demoted.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SUBJECT_CACHE_MS } from '../src/auth/auth-plugin.ts';
import { backends, delta, eventually, startHarness } from './helpers/store-harness.ts';

const SKU = 'SNACK-PRETZEL';

for (const backend of backends()) {
  test(`price and role changes on ${backend}`, { timeout: 120_000 }, async (t) => {
    const h = await startHarness(t, backend);
    if (!h) return;
    const cashier = await h.token('cashier');
    const manager = await h.token('manager');
    const admin = await h.token('admin');
    const priceOf = async (): Promise<number> => (await h.api('GET', `/products/${SKU}`, { token: cashier })).body.price as number;
    const original = await priceOf();

    await t.test('a lower role is refused, as a privilege-escalation event, and nothing changes', async () => {
      const m0 = await h.metrics();
      const price = await h.api('PUT', `/admin/products/${SKU}/price`, { token: cashier, body: { price: 1 } });
      const role = await h.api('PUT', '/admin/users/cashier/role', { token: manager, body: { role: 'admin' } });
      assert.deepEqual([price.status, role.status], [403, 403]);
      assert.equal(role.body.error.code, 'STORE_FORBIDDEN_ROLE');
      const m1 = await h.metrics();
      assert.equal(delta(m0, m1, 'security_events_total', { type: 'privilege_escalation', severity: 'high' }), 2);
      const lines = h.sink.lines.filter((l) => l.security_event === 'privilege_escalation');
      assert.deepEqual(lines.slice(-2).map((l) => [l.actor, l.role, l.route]), [
        ['cashier', 'cashier', '/admin/products/:sku/price'],
        ['manager', 'manager', '/admin/users/:username/role'],
      ]);
      assert.equal(await priceOf(), original);
      assert.equal((await h.api('GET', '/auth/me', { token: cashier })).body.role, 'cashier');
    });

    await t.test('a manager changes a price; the record is written with it and the next order charges it', async () => {
      const r = await h.api('PUT', `/admin/products/${SKU}/price`, { token: manager, body: { price: original + 50 } });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual([r.body.price, r.body.previous_price], [original + 50, original]);
      assert.equal(await priceOf(), original + 50, 'the cached product was dropped');
      const order = await h.api('POST', '/orders', { token: cashier, body: { location: 'store-001', terminal: 'till-1', channel: 'in_store', items: [{ sku: SKU, quantity: 2 }] } });
      assert.equal(order.status, 201, JSON.stringify(order.body));
      assert.deepEqual([order.body.items[0].unit_price, order.body.items[0].line_total], [original + 50, 2 * (original + 50)]);
      const same = await h.api('PUT', `/admin/products/${SKU}/price`, { token: manager, body: { price: original + 50 } });
      assert.equal(same.status, 200, 'setting the same price is accepted...');
      const bad = await h.api('PUT', `/admin/products/${SKU}/price`, { token: manager, body: { price: -1 } });
      assert.equal(bad.status, 400);
      assert.equal((await h.api('PUT', '/admin/products/NO-SUCH-SKU/price', { token: admin, body: { price: 10 } })).status, 404);
      const list = await h.api('GET', '/admin/audit?action=product.price_set', { token: admin });
      assert.equal(list.body.records.length, 1, '...and records nothing');
      const [rec] = list.body.records;
      assert.deepEqual([rec.actor, rec.role, rec.target, rec.before, rec.after, rec.correlation_id], ['manager', 'manager', `product:${SKU}`, { price: original }, { price: original + 50 }, r.correlationId]);
    });

    await t.test('an admin changes a role; the old tokens stop working; the last admin cannot be demoted', async () => {
      const r = await h.api('PUT', '/admin/users/cashier/role', { token: admin, body: { role: 'manager' } });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual([r.body.role, r.body.previous_role], ['manager', 'cashier']);
      const [rec] = (await h.api('GET', '/admin/audit?action=user.role_set', { token: admin })).body.records;
      assert.deepEqual([rec.actor, rec.role, rec.target, rec.before, rec.after], ['admin', 'admin', 'user:cashier', { role: 'cashier' }, { role: 'manager' }]);
      // The token says cashier, the user is now a manager: refused once the subject cache has moved on.
      await eventually('the old token refused', async () => ((await h.api('GET', '/auth/me', { token: cashier })).status === 401 ? true : undefined), SUBJECT_CACHE_MS * 4);
      const login = await h.api('POST', '/auth/login', { body: { username: 'cashier', password: 'demo-cashier-pw' } });
      assert.equal(login.status, 200);
      assert.equal((await h.api('GET', '/auth/me', { token: login.body.token })).body.role, 'manager');

      const last = await h.api('PUT', '/admin/users/admin/role', { token: admin, body: { role: 'manager' } });
      assert.equal(last.status, 409);
      assert.equal(last.body.error.code, 'STORE_LAST_ADMIN');
      assert.equal((await h.api('PUT', '/admin/users/nobody/role', { token: admin, body: { role: 'manager' } })).status, 404);
      assert.equal((await h.api('PUT', '/admin/users/cashier/role', { token: admin, body: { role: 'root' } })).status, 400);
      assert.equal((await h.api('GET', '/admin/audit?action=user.role_set', { token: admin })).body.records.length, 1, 'refusals record nothing');

      const ver = await h.api('GET', '/admin/audit/verify', { token: admin });
      assert.equal(ver.body.ok, true, JSON.stringify(ver.body));
    });
  });
}

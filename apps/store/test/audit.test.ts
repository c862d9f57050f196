/**
 * The store's audit trail, per backend: every privileged action (void, refund, stock change, a visual age check,
 * fault injection) is an audit record in the same transaction as the change, with the user, role, correlation id and
 * redacted before/after summaries; GET /admin/audit lists them for admins only; the chain and the signed checkpoints
 * verify; the table refuses UPDATE and DELETE; a refused action leaves no record.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { auditLogDdl } from '@tillwatch/audit';
import { backends, startHarness, type Harness } from './helpers/store-harness.ts';

const LOC = 'store-001';

async function paidOrder(h: Harness, token: string, items: { sku: string; quantity: number }[]): Promise<string> {
  const o = await h.api('POST', '/orders', { token, body: { location: LOC, terminal: 'till-1', channel: 'in_store', items } });
  assert.equal(o.status, 201, JSON.stringify(o.body));
  const pay = await h.api('POST', `/orders/${o.body.id}/pay`, { token, body: { method: 'cash' } });
  assert.equal(pay.status, 200, JSON.stringify(pay.body));
  return o.body.id as string;
}

test('the audit migration is the audit package DDL verbatim', () => {
  const sql = readFileSync(new URL('../src/db/migrations/011_audit_log.sql', import.meta.url), 'utf8');
  assert.equal(sql.split('\n').filter((l) => !l.startsWith('--')).join('\n'), auditLogDdl());
});

for (const backend of backends()) {
  test(`audit trail on ${backend}`, { timeout: 120_000 }, async (t) => {
    const h = await startHarness(t, backend);
    if (!h) return;
    const cashier = await h.token('cashier');
    const manager = await h.token('manager');
    const admin = await h.token('admin');

    const voided = await paidOrder(h, cashier, [{ sku: 'SNACK-CHIPS-SALT', quantity: 2 }]);
    const v = await h.api('POST', `/orders/${voided}/void`, { token: manager, body: { reason: 'customer_request' } });
    assert.equal(v.status, 200, JSON.stringify(v.body));

    const refunded = await paidOrder(h, cashier, [{ sku: 'SNACK-PRETZEL', quantity: 1 }]);
    await h.api('POST', `/orders/${refunded}/complete`, { token: cashier });
    const r = await h.api('POST', `/orders/${refunded}/refund`, { token: manager, body: { reason: 'paid with card 4111 1111 1111 1111 by mistake', amount: 100 } });
    assert.equal(r.status, 200, JSON.stringify(r.body));

    const s = await h.api('PUT', `/locations/${LOC}/stock/SNACK-PRETZEL`, { token: manager, body: { on_hand: 77 } });
    assert.equal(s.status, 200, JSON.stringify(s.body));

    const beer = await h.api('POST', '/orders', { token: cashier, body: { location: LOC, terminal: 'till-1', channel: 'in_store', items: [{ sku: 'BEER-IPA-6PK', quantity: 1 }] } });
    const age = await h.api('POST', `/orders/${beer.body.id}/age-verification`, { token: cashier, body: { method: 'visual', over_25: true } });
    assert.equal(age.status, 201, JSON.stringify(age.body));

    const f = await h.api('PUT', '/admin/faults', { token: admin, body: { db_latency_ms: 0 } });
    assert.equal(f.status, 200);

    // A refused action (a completed order cannot be voided) changes nothing, so it records nothing.
    const refused = await h.api('POST', `/orders/${refunded}/void`, { token: manager, body: { reason: 'customer_request' } });
    assert.equal(refused.status, 409);

    await t.test('GET /admin/audit lists every privileged action with actor, role, correlation id and redacted summaries', async () => {
      const list = await h.api('GET', '/admin/audit?limit=20', { token: admin });
      assert.equal(list.status, 200, JSON.stringify(list.body));
      const records = list.body.records as { seq: number; actor: string; role: string; action: string; target: string; correlation_id: string; before: any; after: any }[];
      assert.deepEqual(records.map((x) => x.action).reverse(), ['order.void', 'order.refund', 'stock.set', 'age_verification.override', 'faults.set']);
      const byAction = new Map(records.map((x) => [x.action, x]));
      assert.deepEqual([byAction.get('order.void')?.actor, byAction.get('order.void')?.role, byAction.get('order.void')?.target], ['manager', 'manager', `order:${voided}`]);
      assert.equal(byAction.get('order.void')?.correlation_id, v.correlationId);
      assert.equal(byAction.get('order.void')?.after.status, 'voided');
      assert.equal(byAction.get('order.refund')?.after.amount, 100);
      assert.ok(!JSON.stringify(records).includes('4111 1111 1111 1111') && !JSON.stringify(records).includes('4111111111111111'), 'the card number in the reason was redacted');
      assert.deepEqual([byAction.get('stock.set')?.after.on_hand, byAction.get('age_verification.override')?.actor, byAction.get('faults.set')?.role], [77, 'cashier', 'admin']);
      const page2 = await h.api('GET', `/admin/audit?limit=2&before=${records[1]!.seq}`, { token: admin });
      assert.deepEqual(page2.body.records.map((x: { seq: number }) => x.seq), [records[2]!.seq, records[3]!.seq]);
      assert.equal((await h.api('GET', '/admin/audit', { token: manager })).status, 403, 'admins only');
    });

    await t.test('the chain verifies against a signed checkpoint; UPDATE and DELETE are refused', async () => {
      await h.store.deps.audit.log.checkpoint(h.store.deps.db);
      const ver = await h.api('GET', '/admin/audit/verify', { token: admin });
      assert.deepEqual([ver.body.ok, ver.body.records, ver.body.checkpoints], [true, 5, 1], JSON.stringify(ver.body));
      assert.match(ver.body.public_key, /BEGIN PUBLIC KEY/);
      await assert.rejects(h.store.deps.db.query("UPDATE audit_log SET actor = 'mallory'"), /append-only/);
      await assert.rejects(h.store.deps.db.query('DELETE FROM audit_log'), /append-only/);
    });
  });
}

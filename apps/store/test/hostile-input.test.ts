/**
 * Caller-controlled values are data, not trust, on every backend:
 * - NUL and unpaired surrogates in any text field answer 400 STORE_INVALID_TEXT (Postgres cannot store them);
 * - free text that is kept (refund reasons, customer names, notes) is scrubbed by the redactor before storage;
 * - ids that could carry a card number or a token (terminal, customer, experiment unit ids) are refused;
 * - error messages never echo the submitted value (the 404 path, unknown SKUs, unknown experiments);
 * - a failed statement's error carries the statement and SQLSTATE, never its bound values.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertNoSecrets } from './helpers/secrets.ts';
import { backends, startHarness, type ApiResponse } from './helpers/store-harness.ts';

const LOC = 'store-001';
const PAN = '4111111111111111';
const AMEX = '378282246310005';
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJtYW5hZ2VyIn0.dGhpc2lzYXNpZ25hdHVyZXZhbHVl';
const PASSWORD = 'Hunter2-Sekrit-Pw';
const DB_PASSWORD = 'PgPass-9f8e7d';

for (const backend of backends()) {
  test(`hostile input never reaches a table, a log or a response on ${backend}`, async (t) => {
    const h = await startHarness(t, backend, { features: ['experiments'] });
    if (!h) return;
    const cashier = await h.token('cashier');
    const manager = await h.token('manager');
    const order = (terminal = 'till-1', extra: Record<string, unknown> = {}) =>
      h.api('POST', '/orders', { token: cashier, body: { location: LOC, terminal, channel: 'in_store', items: [{ sku: 'SNACK-PRETZEL', quantity: 1 }], ...extra } });

    await t.test('NUL or an unpaired surrogate in a text field answers 400 STORE_INVALID_TEXT, never 500', async () => {
      const completed = (await order()).body;
      await h.api('POST', `/orders/${completed.id}/pay`, { token: cashier, body: { method: 'cash' } });
      await h.api('POST', `/orders/${completed.id}/complete`, { token: cashier });
      const cases: [string, string, unknown, string][] = [
        ['POST', '/customers', { name: 'Ann\u0000Lee', email: 'ann@example.com' }, 'name'],
        ['POST', '/customers', { name: 'Ann', email: 'ann\u0000@example.com' }, 'email'],
        ['POST', `/orders/${completed.id}/refund`, { reason: 'broken\u0000bottle', amount: 1 }, 'reason'],
        ['POST', '/orders', { location: LOC, terminal: 'till-1', channel: 'in_store', customer_id: 'cus_\u0000', items: [{ sku: 'SNACK-PRETZEL', quantity: 1 }] }, 'customer_id'],
        ['POST', '/orders', { location: LOC, terminal: 'till-1', channel: 'in_store', items: [{ sku: 'SNACK-PRETZEL\u0000', quantity: 1 }] }, 'items[0].sku'],
        ['POST', '/customers', { name: 'Ann\ud800Lee' }, 'name'],
        ['POST', '/experiments/conversions', { experiment: 'receipt_prompt', terminal: 'till\u0000' }, 'terminal'],
        ['GET', '/orders/ord_%00', undefined, 'id'],
        ['GET', '/customers/cus%00x', undefined, 'id'],
        ['GET', '/customers?email=a%00b@example.com', undefined, 'email'],
        ['GET', '/experiments/evaluate?terminal=till%00', undefined, 'terminal'],
      ];
      for (const [method, path, body, field] of cases) {
        const r: ApiResponse = await h.api(method, path, { token: manager, body });
        assert.equal(r.status, 400, `${method} ${path}: ${JSON.stringify(r.body)}`);
        assert.equal(r.body.error.code, 'STORE_INVALID_TEXT');
        assert.equal(r.body.error.details.field, field);
      }
    });

    await t.test('free text is scrubbed before it is stored; ids that could hold a card number or a token are refused', async () => {
      const completed = (await order()).body;
      await h.api('POST', `/orders/${completed.id}/pay`, { token: cashier, body: { method: 'cash' } });
      await h.api('POST', `/orders/${completed.id}/complete`, { token: cashier });
      const reason = `card ${PAN} cvv=123 password=${PASSWORD} ${JWT} postgres://app:${DB_PASSWORD}@db:5432/pos`;
      const refund = await h.api('POST', `/orders/${completed.id}/refund`, { token: manager, body: { reason, amount: 1 } });
      assert.equal(refund.status, 200, JSON.stringify(refund.body));
      const stored = await h.store.deps.db.query<{ reason: string }>('SELECT reason FROM refunds WHERE id = $1', [refund.body.refund.id]);
      assert.equal(stored[0]?.reason, `card 411111******1111 cvv=[REDACTED] password=[REDACTED] [REDACTED] postgres://[REDACTED]@db:5432/pos`);

      const customer = await h.api('POST', '/customers', { token: cashier, body: { name: `Card ${AMEX}` } });
      assert.equal(customer.status, 201, JSON.stringify(customer.body));
      assert.equal(customer.body.name, 'Card 378282*****0005');

      for (const terminal of [PAN, '4111-1111-1111-1111', '4111.1111.1111.1111', `till:${PAN}`]) {
        const r = await order(terminal);
        assert.equal(r.status, 400, terminal);
        assert.equal(r.body.error.details.field, 'terminal');
      }
      assert.equal((await order('till-1', { customer_id: PAN })).status, 400);
      assert.equal((await h.api('POST', '/customers', { token: cashier, body: { name: 'x', email: `${PAN}@example.com` } })).status, 400);
      for (const unit of [PAN, JWT]) {
        const ev: ApiResponse = await h.api('GET', `/experiments/evaluate?terminal=${encodeURIComponent(unit)}`, { token: cashier });
        assert.equal(ev.status, 400, unit);
        const conv: ApiResponse = await h.api('POST', '/experiments/conversions', { token: cashier, body: { experiment: 'receipt_prompt', terminal: 'till-1', customer: unit } });
        assert.equal(conv.status, 400, unit);
      }
      await assertNoSecrets(h, { strings: [PAN, AMEX, PASSWORD, JWT, DB_PASSWORD, JWT.split('.')[1]!] });
    });

    await t.test('error messages never echo the submitted value', async () => {
      const notFound = await h.api('GET', `/no/such/${PAN}/${PASSWORD}`, { token: cashier });
      assert.equal(notFound.status, 404);
      const unknownSku = await order('till-1', { items: [{ sku: 'SNACK-PRETZEL', quantity: 1 }, { sku: `X-${PASSWORD}`, quantity: 1 }] });
      assert.equal(unknownSku.status, 422);
      assert.deepEqual(unknownSku.body.error.details, { lines: [1] });
      const unknownLocation = await order('till-1', { location: PASSWORD });
      assert.equal(unknownLocation.status, 422);
      const experiment = await h.api('POST', '/experiments/conversions', { token: cashier, body: { experiment: PASSWORD, terminal: 'till-1' } });
      assert.equal(experiment.status, 404);
      for (const r of [notFound, unknownSku, unknownLocation, experiment]) {
        const text = JSON.stringify(r.body);
        assert.ok(!text.includes(PASSWORD) && !text.includes(PAN), text);
      }
    });

    await t.test('a failed statement logs its statement and SQLSTATE, never its bound values', async () => {
      const secretEmail = `leak-${PASSWORD}@example.com`.toLowerCase();
      await h.api('POST', '/customers', { token: cashier, body: { name: 'Dup', email: secretEmail } });
      let caught: unknown;
      try {
        await h.store.deps.db.tx((q) => q.query('INSERT INTO customers (id, name, email) VALUES ($1, $2, $3)', ['cus_dup', `name ${PASSWORD}`, secretEmail]));
      } catch (err) {
        caught = err;
      }
      assert.ok(caught, 'the duplicate insert failed');
      try {
        await h.store.deps.db.query('SELECT $1::int AS n', [`int ${PASSWORD}`]);
      } catch (err) {
        h.store.deps.logger.error({ err }, 'statement failed');
      }
      h.store.deps.logger.error({ err: caught }, 'statement failed');
      const lines = h.sink.lines.filter((l) => l.msg === 'statement failed');
      assert.equal(lines.length, 2);
      const [cast, dup] = lines.map((l) => l.err as Record<string, unknown>);
      assert.equal(dup!.sqlstate, '23505');
      assert.match(String(dup!.statement), /^INSERT INTO customers/);
      assert.equal(cast!.sqlstate, '22P02');
      assert.equal(cast!.statement, 'SELECT $1::int AS n');
      const text = JSON.stringify(lines).toLowerCase();
      assert.ok(!text.includes(PASSWORD.toLowerCase()), text);
      assert.ok(!('params' in dup!) && !('detail' in dup!));
    });
  });
}

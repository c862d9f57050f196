/**
 * Receipt notifications end to end: the real store, the simulated SMS/WhatsApp provider with injected
 * outages, real orders. A failure is recorded on the message (reason, retryable) and logged; a phone
 * number never appears in clear in a log line, the process output or the messages table.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startSmsProvider } from '../src/sim/sms-provider.ts';
import { backends, startHarness, type Harness, eventually } from './helpers/store-harness.ts';

const LOC = 'store-001';
const CUSTOMER_PHONE = '+14155557321';
const TILL_PHONE_TYPED = '+44 20 7946 0958';
const TILL_PHONE = '+442079460958';

async function sell(h: Harness, token: string, customerId?: string): Promise<string> {
  const body: Record<string, unknown> = { location: LOC, terminal: 'till-2', channel: 'in_store', items: [{ sku: 'MIXER-TONIC-4PK', quantity: 1 }] };
  if (customerId) body.customer_id = customerId;
  const order = await h.api('POST', '/orders', { token, body });
  assert.equal(order.status, 201, JSON.stringify(order.body));
  const pay = await h.api('POST', `/orders/${order.body.id}/pay`, { token, body: { method: 'cash', amount: order.body.total, cash_tendered: order.body.total } });
  assert.equal(pay.status, 200, JSON.stringify(pay.body));
  const done = await h.api('POST', `/orders/${order.body.id}/complete`, { token });
  assert.equal(done.status, 200, JSON.stringify(done.body));
  return order.body.id as string;
}

for (const backend of backends()) {
  test(`receipt notifications by SMS and WhatsApp on ${backend}`, async (t) => {
    const sms = await startSmsProvider();
    t.after(() => sms.close());
    const h = await startHarness(t, backend, { features: ['notifications'], env: { SMS_PROVIDER_URL: sms.url, SMS_TIMEOUT_MS: '2000' } });
    if (!h) return;
    const cashier = await h.token('cashier');
    const manager = await h.token('manager');

    const messagesOf = async (orderId: string): Promise<Record<string, any>[]> =>
      (await h.api('GET', `/notifications/messages?order_id=${orderId}`, { token: manager })).body.messages;

    await t.test('a customer with a phone on file gets the receipt by SMS on completion', async () => {
      const customer = await h.api('POST', '/customers', { token: cashier, body: { name: 'Robin Receipt', phone: CUSTOMER_PHONE } });
      assert.equal(customer.status, 201, JSON.stringify(customer.body));
      const before = sms.stats().accepted;
      const orderId = await sell(h, cashier, customer.body.id);
      const [msg] = await eventually('the automatic receipt', async () => {
        const m = await messagesOf(orderId);
        return m.length === 1 && m[0]!.status !== 'sending' ? m : undefined;
      });
      assert.equal(msg!.status, 'sent');
      assert.equal(msg!.channel, 'sms');
      assert.equal(msg!.recipient, '+1••••••7321');
      assert.equal(sms.stats().accepted, before + 1);
    });

    await t.test('a number given at the till gets the receipt by WhatsApp, once', async () => {
      const orderId = await sell(h, cashier);
      const first = await h.api('POST', '/notifications/receipts', { token: cashier, body: { order_id: orderId, phone: TILL_PHONE_TYPED, channel: 'whatsapp' } });
      assert.equal(first.status, 201, JSON.stringify(first.body));
      assert.equal(first.body.status, 'sent');
      assert.equal(first.body.recipient, '+4•••••••0958');
      const again = await h.api('POST', '/notifications/receipts', { token: cashier, body: { order_id: orderId, phone: TILL_PHONE_TYPED, channel: 'whatsapp' } });
      assert.equal(again.status, 200);
      assert.equal(again.body.duplicate, true);
      assert.equal(again.body.id, first.body.id);
    });

    await t.test('a provider outage is recorded on the message and logged, masked', async () => {
      const orderId = await sell(h, cashier);
      sms.configure({ outage: true });
      const r = await h.api('POST', '/notifications/receipts', { token: cashier, body: { order_id: orderId, phone: TILL_PHONE } });
      sms.configure({ outage: false });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.equal(r.body.status, 'failed');
      assert.equal(r.body.failure_reason, 'provider_unavailable');
      assert.equal(r.body.retryable, true);
      assert.equal(r.body.attempts, 1);
      const failed = await h.api('GET', '/notifications/messages?status=failed', { token: manager });
      assert.ok((failed.body.messages as { id: string }[]).some((m) => m.id === r.body.id));
      const line = h.sink.lines.find((l) => l.event === 'notifications.failed' && l.message_id === r.body.id);
      assert.ok(line, 'one warn line for the failure');
      assert.equal(line.reason, 'provider_unavailable');
      assert.equal(line.recipient, '+4•••••••0958');
    });

    await t.test('bad requests get stable codes and send nothing', async () => {
      const before = sms.stats();
      const orderId = await sell(h, cashier);
      const badPhone = await h.api('POST', '/notifications/receipts', { token: cashier, body: { order_id: orderId, phone: '555-0100' } });
      assert.equal(badPhone.status, 422);
      assert.equal(badPhone.body.error.code, 'STORE_NOTIFY_INVALID_PHONE');
      const open = await h.api('POST', '/orders', { token: cashier, body: { location: LOC, terminal: 'till-2', channel: 'in_store', items: [{ sku: 'SNACK-PRETZEL', quantity: 1 }] } });
      const notDone = await h.api('POST', '/notifications/receipts', { token: cashier, body: { order_id: open.body.id, phone: TILL_PHONE } });
      assert.equal(notDone.status, 409);
      assert.equal(notDone.body.error.code, 'STORE_NOTIFY_ORDER_NOT_COMPLETED');
      const missing = await h.api('POST', '/notifications/receipts', { token: cashier, body: { order_id: 'ord_nope', phone: TILL_PHONE } });
      assert.equal(missing.status, 404);
      const listing = await h.api('GET', '/notifications/messages', { token: cashier });
      assert.equal(listing.status, 403, 'the message list is for managers');
      assert.deepEqual(sms.stats(), before);
    });

    await t.test('no phone number appears in clear in logs, output or the messages table', async () => {
      const logs = h.sink.text();
      const out = h.output();
      const rows = JSON.stringify(await h.store.deps.db.query('SELECT * FROM notification_messages'));
      for (const phone of [CUSTOMER_PHONE, TILL_PHONE, TILL_PHONE_TYPED, CUSTOMER_PHONE.slice(1), TILL_PHONE.slice(1)]) {
        assert.ok(!logs.includes(phone), `a phone number appears in the log lines`);
        assert.ok(!out.includes(phone), `a phone number appears in stdout/stderr`);
        assert.ok(!rows.includes(phone), `a phone number appears in notification_messages`);
      }
    });
  });
}

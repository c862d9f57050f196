/**
 * Receipt notifications end to end: the real store, the simulated SMS/WhatsApp provider with injected
 * outages and refusals, real orders, the durable queue with short retry settings. A failed attempt is
 * recorded on the message (reason, retryable) and retried; a refusal or an outage longer than the retries
 * ends in the dead-letter queue, from where the admin API replays it; a phone number never appears in clear
 * in a log line, the process output, the messages table or the queue.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startSmsProvider } from '../src/sim/sms-provider.ts';
import { backends, startHarness, type Harness, eventually, series } from './helpers/store-harness.ts';

const LOC = 'store-001';
const CUSTOMER_PHONE = '+14155557321';
const TILL_PHONE_TYPED = '+44 20 7946 0958';
const TILL_PHONE = '+442079460958';

interface AuditRecord {
  actor: string;
  role: string;
  action: string;
  target: string;
  before: { ids: string[] };
  after: { count: number; note?: string };
}

/** The newest record of the store's audit trail for `action` (GET /admin/audit, newest first). */
async function auditRecord(h: Harness, admin: string, action: string): Promise<AuditRecord | undefined> {
  const list = await h.api('GET', '/admin/audit?limit=50', { token: admin });
  assert.equal(list.status, 200, JSON.stringify(list.body));
  return (list.body.records as AuditRecord[]).find((r) => r.action === action);
}

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
  test(`receipt notifications by SMS and WhatsApp on ${backend}`, { timeout: 180_000 }, async (t) => {
    const sms = await startSmsProvider();
    t.after(() => sms.close());
    const h = await startHarness(t, backend, {
      features: ['notifications'],
      env: {
        SMS_PROVIDER_URL: sms.url,
        SMS_TIMEOUT_MS: '2000',
        // Generous: on a loaded machine the worker may take a while to pick the message up, and these tests
        // read the first attempt's outcome from the till's answer.
        RECEIPT_WAIT_MS: '60000',
        DELIVERY_MAX_ATTEMPTS: '3',
        DELIVERY_BASE_DELAY_MS: '100',
        DELIVERY_MAX_DELAY_MS: '200',
        DELIVERY_POLL_INTERVAL_MS: '500',
        DELIVERY_STATS_INTERVAL_MS: '500',
      },
    });
    if (!h) return;
    const cashier = await h.token('cashier');
    const manager = await h.token('manager');
    const admin = await h.token('admin');
    const messageById = async (id: string): Promise<Record<string, any> | undefined> =>
      ((await h.api('GET', '/notifications/messages?limit=500', { token: manager })).body.messages as Record<string, any>[]).find((m) => m.id === id);
    const settledMessage = (id: string, status: string) =>
      eventually(`message ${id} to be ${status}`, async () => {
        const m = await messageById(id);
        return m?.status === status ? m : undefined;
      }, 30_000);

    const messagesOf = async (orderId: string): Promise<Record<string, any>[]> =>
      (await h.api('GET', `/notifications/messages?order_id=${orderId}`, { token: manager })).body.messages;

    await t.test('a customer with a phone on file gets the receipt by SMS on completion', async () => {
      const customer = await h.api('POST', '/customers', { token: cashier, body: { name: 'Robin Receipt', phone: CUSTOMER_PHONE } });
      assert.equal(customer.status, 201, JSON.stringify(customer.body));
      const before = sms.stats().accepted;
      const orderId = await sell(h, cashier, customer.body.id);
      const [msg] = await eventually('the automatic receipt', async () => {
        const m = await messagesOf(orderId);
        return m.length === 1 && m[0]!.status === 'sent' ? m : undefined;
      }, 30_000);
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

    await t.test('a provider outage is recorded on the message, logged masked, and retried until the receipt goes out once', async () => {
      const orderId = await sell(h, cashier);
      sms.configure({ outage: true });
      const r = await h.api('POST', '/notifications/receipts', { token: cashier, body: { order_id: orderId, phone: TILL_PHONE } });
      sms.configure({ outage: false });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.equal(r.body.status, 'retrying');
      assert.equal(r.body.failure_reason, 'provider_unavailable');
      assert.equal(r.body.retryable, true);
      assert.equal(r.body.attempts, 1);
      const line = h.sink.lines.find((l) => l.event === 'notifications.failed' && l.message_id === r.body.id);
      assert.ok(line, 'one warn line for the failure');
      assert.equal(line.reason, 'provider_unavailable');
      assert.equal(line.recipient, '+4•••••••0958');
      const sent = await settledMessage(r.body.id, 'sent');
      assert.equal(sent.attempts, 2, 'the retry delivered it');
      assert.ok(sms.keys().has(r.body.id), 'the provider got the message id as its idempotency key');
      assert.equal(sms.keys().get(r.body.id)!.repeats, 0, 'and only once');
      // The row is resolved when the queue settles the job, a moment after the message is marked sent.
      const row = await eventually('the event failure to be resolved', async () => {
        const failures = await h.api('GET', '/admin/event-failures?event=receipt.send', { token: manager });
        const f = (failures.body.failures as Record<string, any>[]).find((x) => x.key === r.body.id);
        return f?.state === 'resolved' ? f : undefined;
      }, 30_000);
      assert.equal(row.lastError.reason, 'unavailable');
    });

    await t.test('a refusal is permanent: the receipt fails at once into the dead-letter queue', async () => {
      const orderId = await sell(h, cashier);
      sms.configure({ reject: true });
      const r = await h.api('POST', '/notifications/receipts', { token: cashier, body: { order_id: orderId, phone: TILL_PHONE } });
      sms.configure({ reject: false });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      const failed = await settledMessage(r.body.id, 'failed');
      assert.equal(failed.failure_reason, 'invalid_recipient');
      assert.equal(failed.attempts, 1, 'no retry for a refusal');
      // The message is marked failed just before the queue moves it to the dead-letter queue.
      const letter = await eventually('the dead letter', async () => {
        const dlq = await h.api('GET', '/admin/dlq?queue=receipt_notifications', { token: manager });
        return (dlq.body.items as Record<string, any>[]).find((d) => d.key === r.body.id);
      }, 30_000);
      assert.equal(letter.reason, 'non_retryable');
      assert.equal(letter?.error.reason, 'invalid_request');
      const m = await h.metrics();
      assert.equal(m.get(series('outbound_messages_total', { channel: 'sms', outcome: 'failed' })), 1);
      assert.equal(m.get(series('dlq_dead_lettered_total', { queue: 'receipt_notifications', reason: 'non_retryable' })), 1);
      const purge = await h.api('POST', '/admin/dlq/purge', { token: admin, body: { ids: [letter.id], note: 'customer gave a landline' } });
      assert.deepEqual(purge.body, { count: 1, ids: [letter.id] });
      const audit = await auditRecord(h, admin, 'dlq.purge');
      assert.ok(audit, 'the purge is in the audit trail');
      assert.deepEqual(audit.before.ids, [letter.id]);
      assert.equal(audit.after.note, 'customer gave a landline');
    });

    await t.test('an outage longer than the retries dead-letters the receipt; a replay after recovery sends it once, with its key', async () => {
      const orderId = await sell(h, cashier);
      sms.configure({ outage: true });
      const r = await h.api('POST', '/notifications/receipts', { token: cashier, body: { order_id: orderId, phone: TILL_PHONE } });
      const dead = await settledMessage(r.body.id, 'dead_lettered');
      assert.equal(dead.attempts, 3);
      sms.configure({ outage: false });
      const m = await h.metrics();
      assert.equal(m.get(series('dlq_dead_lettered_total', { queue: 'receipt_notifications', reason: 'max_retries' })), 1);
      // (The dead letter of the refusal above was purged, so this one is alone in the queue.)
      assert.equal(m.get(series('outbound_messages_total', { channel: 'sms', outcome: 'dead_lettered' })), 1);
      await eventually('the dead-letter gauge', async () => ((await h.metrics()).get(series('dlq_depth', { queue: 'receipt_notifications' })) === 1 ? true : undefined), 30_000);
      const letter = await eventually('the dead letter', async () =>
        ((await h.api('GET', '/admin/dlq?queue=receipt_notifications', { token: manager })).body.items as Record<string, any>[]).find((d) => d.key === r.body.id),
      );
      assert.equal(letter.reason, 'max_retries');
      const shown = await h.api('GET', `/admin/dlq/${letter.id}`, { token: manager });
      assert.equal(shown.status, 200);
      assert.equal(shown.body.payload.message_id, r.body.id);
      assert.equal((await h.api('POST', '/admin/dlq/replay', { token: cashier, body: { ids: [letter.id] } })).status, 403, 'replay is for admins');
      const replay = await h.api('POST', '/admin/dlq/replay', { token: admin, body: { ids: [letter.id] } });
      assert.deepEqual(replay.body, { count: 1, ids: [letter.id] });
      const again = await h.api('POST', '/admin/dlq/replay', { token: admin, body: { ids: [letter.id] } });
      assert.equal(again.status, 404);
      assert.equal(again.body.error.code, 'STORE_DLQ_NOT_FOUND');
      await settledMessage(r.body.id, 'sent');
      assert.equal(sms.keys().get(r.body.id)?.repeats, 0, 'sent once, under the message id');
      const audit = await auditRecord(h, admin, 'dlq.replay');
      assert.deepEqual([audit?.actor, audit?.role, audit?.target], ['admin', 'admin', 'queue:receipt_notifications']);
      assert.deepEqual(audit?.before.ids, [letter.id]);
      await eventually('the dead-letter gauge back to zero', async () => ((await h.metrics()).get(series('dlq_depth', { queue: 'receipt_notifications' })) === 0 ? true : undefined), 30_000);
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
      // Every table but the customer record itself (where the number is the customer's own data, on purpose).
      const rows = (await h.dbText()).split(/^(?=-- )/m).filter((section) => !section.startsWith('-- public.customers\n')).join('');
      assert.match(rows, /receipt_notifications/, 'the queue tables are part of what is searched');
      for (const phone of [CUSTOMER_PHONE, TILL_PHONE, TILL_PHONE_TYPED, CUSTOMER_PHONE.slice(1), TILL_PHONE.slice(1)]) {
        assert.ok(!logs.includes(phone), `a phone number appears in the log lines`);
        assert.ok(!out.includes(phone), `a phone number appears in stdout/stderr`);
        assert.ok(!rows.includes(phone), `a phone number appears in a table (messages, queue, dead letters or event failures)`);
      }
    });
  });
}

/**
 * Dead letters end to end: an SMS provider and warehouse outage longer than the retry budget fills the
 * dead-letter queues of the real store; a real `prometheus` scraping it every second evaluates the rules
 * `tillwatch generate` wrote from the store's own deploy config and fires DeadLettersGrowing, DeadLettersPresent
 * and EventFailuresHigh, and, while every delivery attempt fails, DeliveryFailureRateHigh; a real `prometheus-alertmanager` routes them by severity to local Slack (warning) and
 * SMTP (info) receivers. After the providers recover, a replay through the admin API delivers every receipt and
 * sale exactly once (the provider's idempotency-key ledger and the warehouse's sale ids), the dead-letter gauge
 * returns to zero and DeadLettersPresent stops firing.
 *
 * Test-only settings, through the store's environment and the deploy config only: a retry budget of 4 s, so the
 * outage outlasts it within seconds; stats read every 500 ms; scrape and evaluation every second;
 * DeadLettersPresent `for: 5s` (30 minutes in the pack); DeliveryFailureRateHigh `for: 5s` (10 minutes in the pack:
 * here every attempt fails for the few seconds of the retry budget, then the messages are dead letters); group_wait 1 s, group_interval 5 s.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasCommand, requireReal } from '../../../packages/tillwatch/test/helpers/real-parts.ts';
import { startSmsProvider } from '../src/sim/sms-provider.ts';
import { startWarehouse } from '../src/sim/warehouse.ts';
import { startAlertingStack, startLocalReceivers, waitForScrape } from './helpers/alerting/e2e-stack.ts';
import { getJson, waitFor, type ChildService } from './helpers/alerting/processes.ts';
import { startHarness, type Harness } from './helpers/store-harness.ts';

const ORDERS = 6;

interface PromAlert {
  labels: Record<string, string>;
  state: string;
}

async function query(prom: ChildService, expr: string): Promise<number | undefined> {
  const r = await getJson<{ data: { result: { value: [number, string] }[] } }>(`${prom.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const v = r.data.result[0]?.value[1];
  return v === undefined ? undefined : Number(v);
}

async function firing(prom: ChildService): Promise<PromAlert[]> {
  return (await getJson<{ data: { alerts: PromAlert[] } }>(`${prom.url}/api/v1/alerts`)).data.alerts.filter((a) => a.state === 'firing');
}

async function sell(h: Harness, cashier: string, n: number): Promise<string> {
  const customer = await h.api('POST', '/customers', { token: cashier, body: { name: `Outage Customer ${n}`, phone: `+1415555${String(7000 + n)}` } });
  assert.equal(customer.status, 201, JSON.stringify(customer.body));
  const order = await h.api('POST', '/orders', { token: cashier, body: { location: 'store-001', terminal: 'till-4', channel: 'in_store', customer_id: customer.body.id, items: [{ sku: 'MIXER-TONIC-4PK', quantity: 1 }] } });
  assert.equal(order.status, 201, JSON.stringify(order.body));
  assert.equal((await h.api('POST', `/orders/${order.body.id}/pay`, { token: cashier, body: { method: 'cash', amount: order.body.total, cash_tendered: order.body.total } })).status, 200);
  assert.equal((await h.api('POST', `/orders/${order.body.id}/complete`, { token: cashier })).status, 200);
  return order.body.id as string;
}

test('an outage longer than the retry budget fills the dead-letter queues, fires the dead-letter and event-failure alerts end to end, and a replay delivers everything once', { timeout: 330_000 }, async (t) => {
  if (!requireReal(t, 'prometheus', hasCommand('prometheus'), 'apt-get install prometheus')) return;
  if (!requireReal(t, 'prometheus-alertmanager', hasCommand('prometheus-alertmanager'), 'apt-get install prometheus-alertmanager')) return;
  const t0 = Date.now();
  const since = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;

  const receivers = await startLocalReceivers(t);
  const { pd, slack, smtp } = receivers;
  const sms = await startSmsProvider();
  t.after(() => sms.close());
  const warehouse = await startWarehouse();
  t.after(() => warehouse.close());
  const h = await startHarness(t, 'pglite', {
    features: ['notifications', 'sales-sync'],
    env: {
      SMS_PROVIDER_URL: sms.url,
      WAREHOUSE_URL: warehouse.url,
      RECEIPT_AUTO_SEND: 'true',
      SALES_SYNC_INTERVAL_MS: '500',
      SALES_SYNC_TIMEOUT_MS: '1000',
      DELIVERY_MAX_ATTEMPTS: '50',
      DELIVERY_BASE_DELAY_MS: '200',
      DELIVERY_MAX_DELAY_MS: '1000',
      DELIVERY_RETRY_BUDGET_MS: '4000',
      DELIVERY_POLL_INTERVAL_MS: '500',
      DELIVERY_STATS_INTERVAL_MS: '500',
    },
  });
  if (!h) return;

  const { prom, am } = await startAlertingStack(t, { storeUrl: h.url, receivers, alerts: { thresholds: { rateWindow: '30s' }, overrides: { DeadLettersPresent: { for: '5s' }, DeliveryFailureRateHigh: { for: '5s' } } } });
  const diag = async (): Promise<string> => {
    const parts = await Promise.all([
      firing(prom).then((a) => `firing: ${a.map((x) => `${x.labels.alertname}${JSON.stringify(x.labels.queue ?? '')}`).join(', ')}`).catch((e: Error) => e.message),
      query(prom, 'sum by (queue, reason) (dlq_dead_lettered_total)').then((v) => `dlq_dead_lettered_total ${v}`).catch((e: Error) => e.message),
    ]);
    return [...parts, `slack: ${slack.messages.map((m) => `${m.status}:${m.alertname}`).join(', ')}`, `mail: ${smtp.mails.map((m) => m.subject).join(' | ')}`, `prometheus: ${prom.output().slice(-2000)}`, `alertmanager: ${am.output().slice(-2000)}`].join('\n');
  };

  try {
    await waitForScrape(prom);
    // The dead-letter series exist at zero before anything fails, so the first dead letter is an increase.
    await waitFor('dlq_dead_lettered_total at zero in Prometheus', 60_000, async () => ((await query(prom, 'sum(dlq_dead_lettered_total)')) === 0 ? true : undefined));
    assert.deepEqual((await firing(prom)).filter((a) => /^DeadLetters|^EventFailures/.test(a.labels.alertname ?? '')), [], 'quiet before the outage');

    // --- the outage, longer than the 4 s retry budget ------------------------------------------------------
    sms.configure({ outage: true });
    warehouse.configure({ failureRate: 1 });
    const cashier = await h.token('cashier');
    const orders: string[] = [];
    for (let i = 0; i < ORDERS; i++) orders.push(await sell(h, cashier, i));
    t.diagnostic(`${since()}: ${ORDERS} orders completed during the outage`);

    const want = ['DeadLettersGrowing', 'DeadLettersPresent', 'EventFailuresHigh'];
    const fired = await waitFor('DeadLettersGrowing, DeadLettersPresent and EventFailuresHigh to fire in Prometheus', 120_000, async () => {
      const names = new Set((await firing(prom)).map((a) => a.labels.alertname));
      return want.every((n) => names.has(n)) ? names : undefined;
    });
    t.diagnostic(`${since()}: firing ${[...fired].filter((n) => want.includes(n!)).join(', ')}`);
    const queues = new Set((await firing(prom)).filter((a) => a.labels.alertname === 'DeadLettersGrowing').map((a) => a.labels.queue));
    // Every attempt of the outage failed: DeliveryFailureRateHigh fired for both queues while they were retrying
    // (ALERTS keeps each evaluation, so a firing that has already ended since still counts).
    const failingQueues = await waitFor('DeliveryFailureRateHigh firing for both queues in Prometheus', 90_000, async () => {
      const r = await getJson<{ data: { result: { metric: Record<string, string> }[] } }>(`${prom.url}/api/v1/query?query=${encodeURIComponent('max by (queue) (max_over_time(ALERTS{alertname="DeliveryFailureRateHigh",alertstate="firing"}[5m]))')}`);
      const q = new Set(r.data.result.map((x) => x.metric.queue));
      return q.has('receipt_notifications') && q.has('sales_sync') ? q : undefined;
    });
    t.diagnostic(`${since()}: DeliveryFailureRateHigh has fired for ${[...failingQueues].join(', ')}`);
    assert.ok(queues.has('receipt_notifications') && queues.has('sales_sync'), `both queues are dead-lettering: ${[...queues].join(', ')}`);
    // Every receipt and every sale expires after the retry budget (the last ones a few seconds after the first).
    await waitFor(`${ORDERS * 2} dead letters, all expired, in Prometheus`, 60_000, async () =>
      (await query(prom, 'sum(dlq_dead_lettered_total{reason="expired"})')) === ORDERS * 2 && (await query(prom, 'sum(dlq_depth)')) === ORDERS * 2 ? true : undefined,
    );
    assert.equal(await query(prom, 'sum(dlq_dead_lettered_total)'), ORDERS * 2, 'no other reason: the outage outlasted the budget, not the attempts');

    await waitFor('DeadLettersGrowing and EventFailuresHigh at the Slack receiver', 90_000, () =>
      ['DeadLettersGrowing', 'EventFailuresHigh'].every((n) => slack.messages.some((m) => m.alertname === n && m.status === 'firing')) ? true : undefined,
    );
    await waitFor('DeadLettersPresent at the SMTP receiver', 90_000, () => (smtp.mails.some((m) => m.alertname === 'DeadLettersPresent') ? true : undefined));
    t.diagnostic(`${since()}: Slack and e-mail received the alerts`);
    assert.ok(!pd.events.some((e) => want.includes(e.alertname)), 'none of them pages');

    // --- recovery and replay --------------------------------------------------------------------------
    sms.configure({ outage: false });
    warehouse.configure({ failureRate: 0 });
    const admin = await h.token('admin');
    const replay = await h.api('POST', '/admin/dlq/replay', { token: admin, body: { all: true } });
    assert.equal(replay.status, 200, JSON.stringify(replay.body));
    assert.equal(replay.body.count, ORDERS * 2);
    const manager = await h.token('manager');
    await waitFor('every receipt to be sent and every sale synced', 60_000, async () => {
      const msgs = (await h.api('GET', '/notifications/messages?limit=500', { token: manager })).body.messages as { status: string }[];
      return msgs.length === ORDERS && msgs.every((m) => m.status === 'sent') && orders.every((id) => warehouse.has(id)) ? true : undefined;
    }, 250);
    const msgs = (await h.api('GET', '/notifications/messages?limit=500', { token: manager })).body.messages as { id: string }[];
    const keys = sms.keys();
    assert.equal(keys.size, ORDERS, 'the provider accepted one key per receipt');
    for (const m of msgs) assert.equal(keys.get(m.id)?.repeats, 0, `receipt ${m.id} was sent once`);
    assert.equal(warehouse.stats().uniqueSales, ORDERS);
    await waitFor('dlq_depth back to zero in Prometheus', 60_000, async () => ((await query(prom, 'sum(dlq_depth)')) === 0 ? true : undefined));
    await waitFor('DeadLettersPresent to stop firing', 60_000, async () => (!(await firing(prom)).some((a) => a.labels.alertname === 'DeadLettersPresent') ? true : undefined));
    t.diagnostic(`${since()}: replayed ${replay.body.count} dead letters; all delivered once; DeadLettersPresent resolved`);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${await diag()}`, { cause: err });
  }
});

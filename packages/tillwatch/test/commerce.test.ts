import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { resolveOptions } from '../src/config/options.ts';
import { Metrics } from '../src/metrics/metrics.ts';
import { createCommerceMetrics, type CommerceMetrics } from '../src/commerce/commerce-metrics.ts';
import { minorToMajor } from '../src/commerce/money.ts';
import { listMetrics } from '@tillwatch/spec';

interface Setup {
  readonly metrics: Metrics;
  readonly commerce: CommerceMetrics;
  /** Advances the fake monotonic clock. */
  tick(ms: number): void;
  /** The value of one sample (`name{labels}` exactly as exposed), or undefined when absent. */
  sample(series: string): Promise<number | undefined>;
  body(): Promise<string>;
}

function setup(maxSeriesPerMetric?: number): Setup {
  const { options } = resolveOptions({ metrics: { runtime: false, ...(maxSeriesPerMetric ? { maxSeriesPerMetric } : {}) } }, {});
  const metrics = new Metrics({ options, logger: pino({ level: 'silent' }) });
  let now = 1000;
  const commerce = createCommerceMetrics(metrics, { currency: 'USD', clock: { monotonicMs: () => now, epochMs: () => 1_700_000_000_000 } });
  const body = async () => (await metrics.render(undefined)).body;
  return {
    metrics,
    commerce,
    tick: (ms) => {
      now += ms;
    },
    body,
    sample: async (series) => {
      const line = (await body()).split('\n').find((l) => l.startsWith(`${series} `));
      return line === undefined ? undefined : Number(line.slice(series.length + 1));
    },
  };
}

test('a completed order counts the order, observes its value and size, and adds revenue in major units', async () => {
  const s = setup();
  s.commerce.orders.completed({ location: 'store-12', channel: 'in_store', valueMinor: 2599, items: 3 });
  s.commerce.orders.completed({ location: 'store-12', channel: 'in_store', valueMinor: 1001, items: 1 });
  assert.equal(await s.sample('orders_completed_total{location="store-12",channel="in_store"}'), 2);
  assert.equal(await s.sample('revenue_total{location="store-12",channel="in_store",currency="USD"}'), 36);
  assert.equal(await s.sample('orders_value_sum{channel="in_store",currency="USD"}'), 36);
  assert.equal(await s.sample('orders_value_count{channel="in_store",currency="USD"}'), 2);
  assert.equal(await s.sample('orders_value_bucket{le="20",channel="in_store",currency="USD"}'), 1);
  assert.equal(await s.sample('orders_items_sum{channel="in_store"}'), 4);
});

test('money converts with the currency exponent: yen have no decimals, dinars three', async () => {
  assert.equal(minorToMajor(1299, 'USD'), 12.99);
  assert.equal(minorToMajor(1299, 'JPY'), 1299);
  assert.equal(minorToMajor(1299, 'KWD'), 1.299);
  const s = setup();
  s.commerce.orders.completed({ location: 'tokyo', channel: 'online', valueMinor: 4500, currency: 'jpy', items: 2 });
  s.commerce.revenue.refunded({ location: 'tokyo', amountMinor: 500, currency: 'JPY' });
  assert.equal(await s.sample('revenue_total{location="tokyo",channel="online",currency="JPY"}'), 4500);
  assert.equal(await s.sample('revenue_refunded_total{location="tokyo",currency="JPY"}'), 500);
});

test('unknown values of closed-set labels record as other, and near misses are folded onto the set', async () => {
  const s = setup();
  s.commerce.orders.failed({ location: 'store-1', channel: 'carrier-pigeon', reason: 'cosmic rays' });
  s.commerce.payments.failed({ method: 'Mobile Wallet', operation: 'Authorize', reason: 'INSUFFICIENT-FUNDS', durationSeconds: 0.2 });
  s.commerce.compliance.ageVerification({ location: 'store-1', result: 'maybe', method: 'id_scan' });
  s.commerce.orders.completed({ location: 'store-1', channel: 'kiosk', valueMinor: 100, currency: 'dollars', items: 1 });
  assert.equal(await s.sample('orders_failed_total{location="store-1",channel="other",reason="other"}'), 1);
  assert.equal(await s.sample('payments_failures_total{method="mobile_wallet",operation="authorize",reason="insufficient_funds"}'), 1);
  assert.equal(await s.sample('age_verifications_total{location="store-1",result="other",method="id_scan"}'), 1);
  assert.equal(await s.sample('revenue_total{location="store-1",channel="kiosk",currency="other"}'), 1);
});

test('payments whose outcome is unknown, and their reconciliation, are counted by resolution', async () => {
  const s = setup();
  s.commerce.payments.unknown(3);
  s.commerce.payments.reconciled('captured');
  s.commerce.payments.reconciled('Lookup-Failed');
  s.commerce.payments.reconciled('shrug');
  s.commerce.payments.reconciliationFinished(1_700_000_000_000);
  assert.equal(await s.sample('payments_unknown'), 3);
  assert.equal(await s.sample('payments_reconciliations_total{resolution="captured"}'), 1);
  assert.equal(await s.sample('payments_reconciliations_total{resolution="lookup_failed"}'), 1);
  assert.equal(await s.sample('payments_reconciliations_total{resolution="other"}'), 1);
  assert.equal(await s.sample('payments_reconciliation_last_success_timestamp_seconds'), 1_700_000_000);
  s.commerce.payments.unknown(0);
  assert.equal(await s.sample('payments_unknown'), 0);
});

test('NaN, negative and missing numbers never throw; the event is still counted and the bad value is reported', async () => {
  const s = setup();
  assert.doesNotThrow(() => {
    s.commerce.orders.completed({ location: 'store-1', channel: 'online', valueMinor: Number.NaN, items: -2 });
    s.commerce.inventory.reserved({ location: 'store-1', quantity: -5 });
    s.commerce.customers.pointsEarned({ location: 'store-1', points: Number.POSITIVE_INFINITY });
    s.commerce.sync.batchSucceeded({ pipeline: 'sales', records: Number.NaN, durationSeconds: -1 });
    s.commerce.offlineQueue.queueState({ location: 'store-1', depth: Number.NaN });
    s.commerce.orders.completed(null as never);
    s.commerce.payments.start(undefined as never).succeeded();
    s.commerce.printing.connectionQuality({ location: 'store-1', counts: null as never });
  });
  assert.equal(await s.sample('orders_completed_total{location="store-1",channel="online"}'), 1);
  assert.equal(await s.sample('revenue_total{location="store-1",channel="online",currency="USD"}'), undefined);
  assert.equal(await s.sample('tillwatch_metrics_invalid_observations_total{metric="revenue_total",reason="value"}'), 1);
  assert.equal(await s.sample('tillwatch_metrics_invalid_observations_total{metric="orders_items",reason="value"}'), 1);
  assert.equal(await s.sample('tillwatch_metrics_invalid_observations_total{metric="inventory_reserved_items_total",reason="value"}'), 1);
});

test('a payment attempt is counted when it starts and timed until its first outcome', async () => {
  const s = setup();
  const attempt = s.commerce.payments.start({ method: 'card' });
  assert.equal(await s.sample('payments_attempts_total{method="card",operation="sale"}'), 1);
  assert.equal(await s.sample('payments_successes_total{method="card",operation="sale"}'), undefined);
  s.tick(1500);
  attempt.succeeded();
  attempt.failed('declined');
  assert.equal(await s.sample('payments_successes_total{method="card",operation="sale"}'), 1);
  assert.equal(await s.sample('payments_failures_total{method="card",operation="sale",reason="declined"}'), undefined);
  assert.equal(await s.sample('payments_duration_seconds_sum{method="card",operation="sale",outcome="success"}'), 1.5);
  assert.equal(await s.sample('payments_duration_seconds_bucket{le="1",method="card",operation="sale",outcome="success"}'), 0);
  assert.equal(await s.sample('payments_duration_seconds_bucket{le="2",method="card",operation="sale",outcome="success"}'), 1);
});

test('one-shot payment outcomes count the attempt too, and separate authorisations from captures', async () => {
  const s = setup();
  s.commerce.payments.succeeded({ method: 'card', operation: 'authorize', durationSeconds: 0.3 });
  s.commerce.payments.succeeded({ method: 'card', operation: 'capture', durationSeconds: 0.2 });
  s.commerce.payments.failed({ method: 'card', operation: 'capture', reason: 'provider_unavailable' });
  assert.equal(await s.sample('payments_attempts_total{method="card",operation="authorize"}'), 1);
  assert.equal(await s.sample('payments_attempts_total{method="card",operation="capture"}'), 2);
  assert.equal(await s.sample('payments_failures_total{method="card",operation="capture",reason="provider_unavailable"}'), 1);
  assert.equal(await s.sample('payments_duration_seconds_count{method="card",operation="capture",outcome="failure"}'), undefined);
});

test('inventory, compliance, customers and the offline queue record per location', async () => {
  const s = setup();
  const c = s.commerce;
  c.inventory.reserved({ location: 'l1', quantity: 4 });
  c.inventory.released({ location: 'l1', quantity: 1, reason: 'order_voided' });
  c.inventory.stockLevels({ location: 'l1', lowStockProducts: 7, outOfStockProducts: 2 });
  c.orders.voided({ location: 'l1', channel: 'in_store', reason: 'cashier_error' });
  c.compliance.ageVerification({ location: 'l1', result: 'passed', method: 'id_scan' });
  c.customers.identified({ location: 'l1', channel: 'online', firstOrder: true });
  c.customers.identified({ location: 'l1', channel: 'online', firstOrder: false });
  c.customers.pointsEarned({ location: 'l1', points: 120 });
  c.customers.pointsRedeemed({ location: 'l1', points: 50 });
  c.offlineQueue.queueState({ location: 'l1', depth: 12, oldestAgeSeconds: 95 });
  c.offlineQueue.syncAttempt({ location: 'l1', outcome: 'partial', applied: 10, duplicates: 2, rejected: 1 });
  const expected: [string, number][] = [
    ['inventory_reserved_items_total{location="l1"}', 4],
    ['inventory_released_items_total{location="l1",reason="order_voided"}', 1],
    ['inventory_low_stock_products{location="l1"}', 7],
    ['inventory_out_of_stock_products{location="l1"}', 2],
    ['orders_voided_total{location="l1",channel="in_store",reason="cashier_error"}', 1],
    ['age_verifications_total{location="l1",result="passed",method="id_scan"}', 1],
    ['customers_new_total{location="l1",channel="online"}', 1],
    ['customers_returning_total{location="l1",channel="online"}', 1],
    ['loyalty_points_earned_total{location="l1"}', 120],
    ['loyalty_points_redeemed_total{location="l1"}', 50],
    ['offline_queue_depth{location="l1"}', 12],
    ['offline_queue_oldest_age_seconds{location="l1"}', 95],
    ['offline_sync_attempts_total{location="l1",outcome="partial"}', 1],
    ['offline_sync_operations_total{location="l1",result="applied"}', 10],
    ['offline_sync_operations_total{location="l1",result="duplicate"}', 2],
    ['offline_sync_operations_total{location="l1",result="rejected"}', 1],
  ];
  for (const [series, value] of expected) assert.equal(await s.sample(series), value, series);
});

test('printing tracks jobs, latency, connected agents, disconnects and connection quality', async () => {
  const s = setup();
  const p = s.commerce.printing;
  p.agentConnected({ location: 'branch-3', agentType: 'printer_agent' });
  p.agentConnected({ location: 'branch-3', agentType: 'printer_agent' });
  p.agentConnected({ location: 'branch-3', agentType: 'desktop_app' });
  p.agentDisconnected({ location: 'branch-3', agentType: 'printer_agent', reason: 'heartbeat_timeout' });
  p.job({ location: 'branch-3', jobType: 'receipt', outcome: 'success', durationSeconds: 0.3 });
  p.job({ location: 'branch-3', jobType: 'kitchen', outcome: 'no_agent' });
  p.connectionQuality({ location: 'branch-3', counts: { good: 1, poor: 1 } });
  assert.equal(await s.sample('print_agents_connected{location="branch-3",agent_type="printer_agent"}'), 1);
  assert.equal(await s.sample('print_agents_connected{location="branch-3",agent_type="desktop_app"}'), 1);
  assert.equal(await s.sample('print_agent_disconnects_total{location="branch-3",agent_type="printer_agent",reason="heartbeat_timeout"}'), 1);
  assert.equal(await s.sample('print_jobs_total{location="branch-3",outcome="success"}'), 1);
  assert.equal(await s.sample('print_jobs_total{location="branch-3",outcome="no_agent"}'), 1);
  assert.equal(await s.sample('print_job_duration_seconds_bucket{le="0.5",job_type="receipt"}'), 1);
  assert.equal(await s.sample('print_agents_connection_quality{location="branch-3",quality="excellent"}'), 0);
  assert.equal(await s.sample('print_agents_connection_quality{location="branch-3",quality="poor"}'), 1);
  p.connectedAgents({ location: 'branch-3', agentType: 'printer_agent', count: 4 });
  assert.equal(await s.sample('print_agents_connected{location="branch-3",agent_type="printer_agent"}'), 4);
});

test('the sync pipeline records delivered records, batch latency, errors and the last success time', async () => {
  const s = setup();
  s.commerce.sync.batchSucceeded({ pipeline: 'sales_to_warehouse', records: 250, durationSeconds: 3 });
  s.commerce.sync.batchFailed({ pipeline: 'sales_to_warehouse', errorType: 'timeout', durationSeconds: 30 });
  assert.equal(await s.sample('sync_records_total{pipeline="sales_to_warehouse"}'), 250);
  assert.equal(await s.sample('sync_batch_duration_seconds_count{pipeline="sales_to_warehouse",outcome="success"}'), 1);
  assert.equal(await s.sample('sync_batch_duration_seconds_count{pipeline="sales_to_warehouse",outcome="failure"}'), 1);
  assert.equal(await s.sample('sync_errors_total{pipeline="sales_to_warehouse",error_type="timeout"}'), 1);
  assert.equal(await s.sample('sync_last_success_timestamp_seconds{pipeline="sales_to_warehouse"}'), 1_700_000_000);
});

test('product analytics counts flags, experiments and API callers by bounded labels', async () => {
  const s = setup();
  const a = s.commerce.analytics;
  a.flagEvaluated({ flag: 'express_checkout', variant: true });
  a.experimentAssigned({ experiment: 'tip_prompt', variant: 'b' });
  a.experimentConverted({ experiment: 'tip_prompt', variant: 'b' });
  a.request({ apiVersion: 'v2', deviceClass: 'smart-fridge', region: 'eu-west' });
  a.request({ apiVersion: 'v2' });
  assert.equal(await s.sample('feature_flag_evaluations_total{flag="express_checkout",variant="on"}'), 1);
  assert.equal(await s.sample('experiment_assignments_total{experiment="tip_prompt",variant="b"}'), 1);
  assert.equal(await s.sample('experiment_conversions_total{experiment="tip_prompt",variant="b"}'), 1);
  assert.equal(await s.sample('api_version_requests_total{api_version="v2"}'), 2);
  assert.equal(await s.sample('client_device_requests_total{device_class="other"}'), 1);
  assert.equal(await s.sample('client_region_requests_total{region="eu-west"}'), 1);
});

test('an open label fed more values than its budget folds into __overflow__ and is counted as dropped', async () => {
  const s = setup(3);
  for (let i = 0; i < 6; i++) s.commerce.inventory.reserved({ location: `store-${i}`, quantity: 1 });
  assert.equal(await s.sample('inventory_reserved_items_total{location="__overflow__"}'), 3);
  assert.equal(await s.sample('tillwatch_metrics_series_dropped_total{metric="inventory_reserved_items_total"}'), 3);
  // A metric with its own budget in the catalogue keeps it whatever the instance default.
  for (let i = 0; i < 6; i++) s.commerce.orders.failed({ location: `store-${i}`, channel: 'online', reason: 'timeout' });
  assert.equal(await s.sample('orders_failed_total{location="store-5",channel="online",reason="timeout"}'), 1);
});

test('every exported commerce metric is registered with the name, type and help of its catalogue entry', async () => {
  const s = setup();
  const body = await s.body();
  for (const spec of listMetrics().filter((x) => x.owner === 'commerce' && x.status === 'exported')) {
    assert.ok(body.includes(`# TYPE ${spec.name} ${spec.type}\n`), `${spec.name} registered as ${spec.type}`);
    assert.ok(body.includes(`# HELP ${spec.name} ${spec.help}\n`), `${spec.name} has the catalogue help`);
  }
  for (const spec of listMetrics().filter((x) => x.status === 'planned')) {
    assert.ok(!body.includes(`# TYPE ${spec.name} `), `planned ${spec.name} is not registered yet`);
  }
});

test('creating the commerce metrics twice on one instance shares the same series', async () => {
  const s = setup();
  const again = createCommerceMetrics(s.metrics);
  again.orders.failed({ location: 'x', channel: 'online', reason: 'timeout' });
  s.commerce.orders.failed({ location: 'x', channel: 'online', reason: 'timeout' });
  assert.equal(await s.sample('orders_failed_total{location="x",channel="online",reason="timeout"}'), 2);
});

test('a missing open label value records as unknown rather than an empty label', async () => {
  const s = setup();
  s.commerce.inventory.reserved({ location: '  ', quantity: 1 });
  assert.equal(await s.sample('inventory_reserved_items_total{location="unknown"}'), 1);
});

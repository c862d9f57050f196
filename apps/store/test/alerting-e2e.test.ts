/**
 * Alerting end to end: the real store (its own process, built-in printer agents connected) under simulated
 * traffic, scraped every second by a real `prometheus` that evaluates the rules `tillwatch generate` wrote from
 * the store's own deploy config, alerting a real `prometheus-alertmanager` that routes by team and severity to
 * local receivers speaking the PagerDuty Events v2, Slack webhook and SMTP wire formats. All on 127.0.0.1.
 *
 * 1. One payment outage pages once per affected objective: the SLO burn page of the payment-success SLO
 *    reaches the payments team's PagerDuty service as one incident, and the threshold alert measuring the same
 *    objective (PaymentFailureRateHigh) fires in Prometheus but is inhibited in Alertmanager, so it never pages;
 *    so does OrderFailureRateHigh, inhibited by the order-success SLO's page.
 * 2. Steady traffic, and the minutes after the simulator stops, raise nothing on a fresh Prometheus: no alert
 *    is ever pending or firing, and no receiver hears anything. The store's production thresholds and `for`
 *    values are used; only the scrape and evaluation intervals are short.
 *
 * Every wait is derived from the stack's timings (STACK_TIMING) and the rules' own `for` values, or polls a
 * condition with a deadline, so a loaded machine makes the tests slower, not red.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { BURN_WINDOWS, DEFAULT_STORE_THRESHOLDS, durationSeconds, gaugeSeries, storeAlertPack } from '@tillwatch/spec';
import { hasCommand, requireReal } from '../../../packages/tillwatch/test/helpers/real-parts.ts';
import { STACK_TIMING } from './helpers/alerting/e2e-stack.ts';
import { getJson, waitFor } from './helpers/alerting/processes.ts';
import { startSimulator, type SimulatorRun } from './helpers/alerting/simulator.ts';
import { promAlerts, query, queryAll, routingCanary, startStoreUnderWatch, WATCH_SCRAPE_SECONDS, WATCH_SLO_MIN_EVENTS, type StoreUnderWatch } from './helpers/alerting/store-under-watch.ts';

const PAGE = 'PaymentSuccessErrorBudgetBurnPage';
const THRESHOLD = 'PaymentFailureRateHigh';
/** The threshold alert on the order-success objective: the same outage fails orders (reason payment_error). */
const ORDER_THRESHOLD = 'OrderFailureRateHigh';
const RATE_WINDOW = '60s';
/** The fastest burn page's `for`: the page fires this long after the outage starts (plus a few evaluations). */
const PAGE_FOR_S = durationSeconds(BURN_WINDOWS[0]!.for);
/**
 * The threshold alert's `for` in this test: longer than the page's, so the page is firing (and inhibiting)
 * when the threshold alert fires, as in production (5m for the threshold alert, 1m for the page).
 */
const THRESHOLD_FOR_S = PAGE_FOR_S + 45;
/** Alertmanager has sent whatever it was going to send about a change within this long. */
const NOTIFY_SETTLE_MS = (WATCH_SCRAPE_SECONDS + STACK_TIMING.groupWaitSeconds + 2 * STACK_TIMING.groupIntervalSeconds + 2 * STACK_TIMING.evaluationSeconds) * 1000;
/**
 * Alerts whose condition measures this machine rather than the store: a scrape that timed out, slow requests
 * and queries, transport errors between processes of an overloaded 2-core machine. The quiet test reports
 * them and does not fail on them; every other alert must stay silent.
 */
const MACHINE_BOUND = [
  'ServiceDown',
  'HttpLatencyP95High',
  'HttpLatencyP99High',
  'LatencyErrorBudgetBurnPage',
  'LatencyErrorBudgetBurnTicket',
  'SlowQueries',
  // Connections between the store and the simulated providers reset on an overloaded machine (`network`).
  'EventFailuresHigh',
];
/** Alerts of the pack that measure an SLO's objective: inhibited while that SLO pages. */
const OBJECTIVE_ALERTS = storeAlertPack({ service: 'store', thresholds: DEFAULT_STORE_THRESHOLDS, teams: { platform: 'store-ops', commerce: 'store-ops', security: 'security' } })
  .filter((a) => a.objective !== undefined)
  .map((a) => a.name);

const canaryTest = { firing: [gaugeSeries('up', { job: 'store' }, 1)], quiet: [gaugeSeries('up', { job: 'store' }, 0)], trueAfterMinutes: 0 };

interface AmAlert {
  labels: Record<string, string>;
  status: { state: string; inhibitedBy: string[] };
}

async function amAlerts(w: StoreUnderWatch): Promise<AmAlert[]> {
  return getJson<AmAlert[]>(`${w.am.url}/api/v2/alerts`);
}

/** Everything worth reading when a test fails. */
async function diagnostics(w: StoreUnderWatch, sim: SimulatorRun | undefined): Promise<string> {
  const section = async (title: string, f: () => Promise<unknown> | unknown): Promise<string> => {
    try {
      const v = await f();
      return `--- ${title} ---\n${typeof v === 'string' ? v : JSON.stringify(v, null, 1)}`;
    } catch (err) {
      return `--- ${title} --- (unavailable: ${(err as Error).message})`;
    }
  };
  const { prom, am, receivers } = w;
  const { pd, slack, smtp } = receivers;
  return [
    await section('Prometheus targets', async () => (await getJson<{ data: { activeTargets: unknown[] } }>(`${prom.url}/api/v1/targets`)).data.activeTargets),
    await section('Prometheus alerts', async () => (await promAlerts(prom)).map((a) => ({ alertname: a.labels.alertname, state: a.state, activeAt: a.activeAt, value: a.value, labels: a.labels }))),
    await section('Alertmanager alerts', async () => (await amAlerts(w)).map((a) => ({ alertname: a.labels.alertname, state: a.status.state, inhibitedBy: a.status.inhibitedBy }))),
    await section('PagerDuty receiver', () => ({ events: pd.events.map((e) => ({ at: new Date(e.at).toISOString(), alertname: e.alertname, action: e.event.event_action, dedup_key: e.event.dedup_key })), rejected: pd.rejected })),
    await section('Slack receiver', () => ({ messages: slack.messages.map((m) => ({ at: new Date(m.at).toISOString(), alertname: m.alertname, status: m.status })), rejected: slack.rejected })),
    await section('SMTP receiver', () => ({ mails: smtp.mails.map((m) => ({ at: new Date(m.at).toISOString(), subject: m.subject })), errors: smtp.errors })),
    await section('prometheus output (tail)', () => prom.output().slice(-3000)),
    await section('alertmanager output (tail)', () => am.output().slice(-3000)),
    await section('store stderr (tail)', () => w.store.stderr().slice(-3000)),
    await section('simulator stderr (tail)', () => sim?.stderr().slice(-3000) ?? ''),
  ].join('\n');
}

function requireStack(t: TestContext): boolean {
  return (
    requireReal(t, 'prometheus', hasCommand('prometheus'), 'apt-get install prometheus') &&
    requireReal(t, 'prometheus-alertmanager', hasCommand('prometheus-alertmanager'), 'apt-get install prometheus-alertmanager')
  );
}

test('a payment outage pages once per affected objective: the SLO page reaches the payments team, the threshold alert on the same objective is inhibited', { timeout: 420_000 }, async (t) => {
  if (!requireStack(t)) return;
  const t0 = Date.now();
  const since = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
  const w = await startStoreUnderWatch(t, {
    thresholds: { rateWindow: RATE_WINDOW, paymentFailureRatio: 0.25 },
    overrides: { [THRESHOLD]: { for: `${THRESHOLD_FOR_S}s` }, [ORDER_THRESHOLD]: { for: `${THRESHOLD_FOR_S}s` } },
    extra: [routingCanary('RoutingCanaryWarning', 'warning', canaryTest), routingCanary('RoutingCanaryInfo', 'info', canaryTest)],
  });
  const { prom, receivers } = w;
  const { pd, slack, smtp } = receivers;
  let sim: SimulatorRun | undefined;
  t.diagnostic(`${since()}: store ${w.store.url}, prometheus ${prom.url}, alertmanager ${w.am.url}`);
  try {
    sim = startSimulator(t, [...w.simulatorTarget, '--scenario', 'normal', '--minutes', '6', '--rate', '3', '--max-requests', '200000', '--seed', '20261124']);
    // The page's minimum-traffic guard must hold before the outage, or the page could not fire at all.
    await waitFor(`${WATCH_SLO_MIN_EVENTS} payment calls in the page's long window`, 240_000, async () => {
      if (!sim!.running()) throw new Error(`the simulator exited early: ${sim!.stderr().slice(-2000)}`);
      const n = await query(prom, `tillwatch:slo_events:rate1h{slo="payment-success"} * 3600`);
      return n !== undefined && n >= WATCH_SLO_MIN_EVENTS * 1.5 ? n : undefined;
    });
    t.diagnostic(`${since()}: steady traffic under way; pages so far: ${pd.events.length}`);
    assert.deepEqual(pd.events.map((e) => e.alertname), [], 'nothing paged during steady traffic');

    // --- the outage ------------------------------------------------------------------------------------
    await w.payment.configure({ outage: true });
    const outageOn = Date.now();
    t.diagnostic(`${since()}: payment provider outage on`);
    const trigger = await waitFor(`${PAGE} at the PagerDuty receiver`, (PAGE_FOR_S + 120) * 1000, () => pd.events.find((e) => e.alertname === PAGE && e.event.event_action === 'trigger'));
    t.diagnostic(`${since()}: ${PAGE} paged ${((trigger.at - outageOn) / 1000).toFixed(1)} s after the outage began`);
    assert.equal(trigger.event.routing_key, receivers.paymentsRoutingKey, 'the payment SLO (team payments) pages the payments team\'s PagerDuty service');

    // The threshold alert on the same objective fires in Prometheus once its `for` has passed...
    await waitFor(`${THRESHOLD} firing in Prometheus`, (THRESHOLD_FOR_S + 120) * 1000, async () => ((await promAlerts(prom)).some((a) => a.labels.alertname === THRESHOLD && a.state === 'firing') ? true : undefined));
    t.diagnostic(`${since()}: ${THRESHOLD} firing in Prometheus ${((Date.now() - outageOn) / 1000).toFixed(1)} s after the outage began`);
    // ...and Alertmanager holds it back: inhibited by the page.
    const inhibited = await waitFor(`${THRESHOLD} inhibited in Alertmanager`, 60_000, async () => (await amAlerts(w)).find((a) => a.labels.alertname === THRESHOLD && a.status.inhibitedBy.length > 0));
    assert.equal(inhibited.status.state, 'suppressed');
    // The order failures of the same outage (reason payment_error) fire OrderFailureRateHigh in Prometheus; the
    // order-success SLO's page, firing by then, inhibits it in Alertmanager, so it never pages either.
    await waitFor(`${ORDER_THRESHOLD} firing in Prometheus`, (THRESHOLD_FOR_S + 120) * 1000, async () => ((await promAlerts(prom)).some((a) => a.labels.alertname === ORDER_THRESHOLD && a.state === 'firing') ? true : undefined));
    t.diagnostic(`${since()}: ${ORDER_THRESHOLD} firing in Prometheus ${((Date.now() - outageOn) / 1000).toFixed(1)} s after the outage began`);
    const orderInhibited = await waitFor(`${ORDER_THRESHOLD} inhibited in Alertmanager`, 60_000, async () => (await amAlerts(w)).find((a) => a.labels.alertname === ORDER_THRESHOLD && a.status.inhibitedBy.length > 0));
    assert.equal(orderInhibited.status.state, 'suppressed');
    await sleep(NOTIFY_SETTLE_MS);
    const pagesDuringOutage = pd.events.length;
    await w.payment.configure({ outage: false });
    t.diagnostic(`${since()}: payment provider outage off`);
    await sleep(NOTIFY_SETTLE_MS);
    await sim.stop();

    // --- what paged ----------------------------------------------------------------------------------------
    assert.deepEqual(pd.rejected, [], 'every PagerDuty event was valid');
    const triggers = pd.events.filter((e) => e.event.event_action === 'trigger');
    for (const e of triggers) assert.match(e.alertname, /ErrorBudgetBurnPage$/, `only SLO burn pages reach PagerDuty, got ${e.alertname}`);
    for (const name of OBJECTIVE_ALERTS) assert.ok(!pd.events.some((e) => e.alertname === name), `${name} (measures an SLO objective) never pages`);
    // One incident (PagerDuty dedup key) per objective: a page window joining the group updates the same incident.
    const incidents = new Map<string, Set<string>>();
    for (const e of triggers) incidents.set(e.alertname, new Set([...(incidents.get(e.alertname) ?? []), e.event.dedup_key ?? '']));
    for (const [name, keys] of incidents) assert.equal(keys.size, 1, `${name}: one incident, got dedup keys ${[...keys].join(', ')}`);
    assert.ok(incidents.has(PAGE), `${PAGE} paged`);
    // Nothing of the outage went to Slack or e-mail as a threshold alert either.
    for (const m of slack.messages) assert.ok(!OBJECTIVE_ALERTS.includes(m.alertname), `Slack got ${m.alertname}`);
    assert.deepEqual(smtp.errors, [], 'the SMTP conversation had no errors');
    const perObjective = [...incidents].map(([n, k]) => `${n}: ${k.size} incident`).join(', ');
    t.diagnostic(`${since()}: PagerDuty ${triggers.length} trigger events (${pagesDuringOutage} events during the outage), ${perObjective}`);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${await diagnostics(w, sim)}`, { cause: err });
  }
});

/** Steady traffic, then the quiet minutes after the run; TILLWATCH_QUIET_MINUTES stretches both (10 = a 10-minute watch). */
const QUIET_MINUTES = Number(process.env.TILLWATCH_QUIET_MINUTES ?? '2.5');

test(`steady traffic and the minutes after the run raise nothing on a fresh Prometheus (${QUIET_MINUTES} min watched)`, { timeout: (QUIET_MINUTES * 60 + 240) * 1000 }, async (t) => {
  if (!requireStack(t)) return;
  const t0 = Date.now();
  // The store's own thresholds, `for` values and windows: only the intervals are short.
  const w = await startStoreUnderWatch(t, {});
  const { prom, receivers } = w;
  let sim: SimulatorRun | undefined;
  try {
    const watchStart = Date.now();
    const trafficMinutes = (QUIET_MINUTES * 3) / 5;
    sim = startSimulator(t, [...w.simulatorTarget, '--scenario', 'normal', '--minutes', String(trafficMinutes), '--rate', '3', '--max-requests', '200000', '--seed', '20261207']);
    const run = await sim.done;
    assert.equal(run.code, 0, `the simulator finished cleanly: ${run.stderr.slice(-2000)}`);
    t.diagnostic(`simulator done after ${((Date.now() - watchStart) / 1000).toFixed(0)} s: ${run.summary?.requests ?? '?'} requests`);
    // The minutes after the run: traffic stops, the store and its built-in printer agents stay.
    await sleep(Math.max(0, watchStart + QUIET_MINUTES * 60_000 - Date.now()));
    // One more evaluation and group interval, so an alert raised at the very end is seen.
    await sleep(NOTIFY_SETTLE_MS);
    const watched = Math.ceil((Date.now() - watchStart) / 1000);

    // Every alert Prometheus held pending or firing at any evaluation of the watch (ALERTS keeps both).
    const raised = (await queryAll(prom, `max by (alertname, alertstate) (max_over_time(ALERTS[${watched}s]))`)).map(([l]) => ({ alertname: l.alertname ?? '', state: l.alertstate ?? '' }));
    const eventFailures = await queryAll(prom, `sum by (event, reason) (increase(event_failures_total[${watched}s]))`);
    t.diagnostic(`event failures during the watch: ${JSON.stringify(eventFailures.map(([l, v]) => [l.event, l.reason, Math.round(v)]))}`);
    const cacheHits = await queryAll(prom, 'sum by (cache) (increase(cache_hits_total[10m])) / (sum by (cache) (increase(cache_hits_total[10m])) + sum by (cache) (increase(cache_misses_total[10m])))');
    t.diagnostic(`raised during the watch: ${raised.map((r) => `${r.alertname} (${r.state})`).join(', ') || 'nothing'}; cache hit ratios ${JSON.stringify(cacheHits.map(([l, v]) => [l.cache, Number(v.toFixed(3))]))}`);
    const fired = raised.filter((r) => r.state === 'firing').map((r) => r.alertname);
    // What the store's own objectives and devices say must stay silent: no SLO burn alert (page or ticket),
    // no threshold alert on an objective, no printer alert; none of them even pending.
    const aboutObjectives = (name: string) => /ErrorBudgetBurn(Page|Ticket)$/.test(name) || OBJECTIVE_ALERTS.includes(name) || name.startsWith('Print');
    assert.deepEqual(raised.filter((r) => aboutObjectives(r.alertname) && !MACHINE_BOUND.includes(r.alertname)).map((r) => `${r.alertname} (${r.state})`), [], `no alert about an objective or the printers was pending or firing during the ${watched} s watch`);
    assert.deepEqual(fired.filter((n) => !MACHINE_BOUND.includes(n)), [], `no alert fired during the ${watched} s watch (those measuring this machine are listed in MACHINE_BOUND)`);
    assert.deepEqual(receivers.pd.events.map((e) => e.alertname), [], 'PagerDuty heard nothing');
    assert.deepEqual(receivers.slack.messages.map((m) => m.alertname), [], 'Slack heard nothing');
    assert.deepEqual(receivers.smtp.mails.map((m) => m.subject), [], 'e-mail heard nothing');
    // The SLIs are there for a healthy service: the availability SLI is a number (0 without any 5xx), not absent.
    const availability = await query(prom, 'tillwatch:slo_errors:ratio_rate5m{slo="availability"}');
    assert.ok(availability !== undefined && Number.isFinite(availability), `the availability SLI is a number, not absent (got ${availability})`);
    // The built-in printer agents are still connected at every location.
    const agents = await queryAll(prom, 'sum by (location) (print_agents_connected{agent_type="printer_agent"})');
    assert.ok(agents.length > 0 && agents.every(([, v]) => v >= 1), `every location keeps a printer agent after the run: ${JSON.stringify(agents)}`);
    t.diagnostic(`watched ${watched} s (${trafficMinutes} min of traffic); total ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${await diagnostics(w, sim)}`, { cause: err });
  }
});

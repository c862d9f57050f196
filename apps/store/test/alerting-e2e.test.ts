/**
 * Alerting end to end: the real store under simulated traffic, scraped every second
 * by a real `prometheus` that evaluates the rules `tillwatch generate` wrote from the store's own deploy config,
 * alerting a real `prometheus-alertmanager` that routes by severity to local receivers speaking the PagerDuty
 * Events v2, Slack webhook and SMTP wire formats. Everything listens on 127.0.0.1.
 *
 * The outage is driven by the payment provider's outage switch (the one the simulator's payment-outage scenario
 * flips) while the simulator keeps ringing up sales: it stays on until the page arrives, a few group intervals
 * longer, then recovers. So the test waits for events instead of betting on fixed timings, which keeps it
 * stable on a loaded machine; every wait is bounded.
 *
 * Test-only settings, all through the deploy config (nothing is hand-edited in the generated files):
 * - scrape and evaluation every 1 s, `rateWindow: 30s`, so the ratio alerts react and resolve in seconds;
 * - PaymentFailureRateHigh at 25% for 10 s: the simulator declines about 7% of cards, which the payments
 *   catalogue counts as failures (reason `declined`), putting normal traffic at about 1% of payment calls, right
 *   at the pack's default threshold; an outage fails every provider call. `for: 10s` keeps the noisy first
 *   seconds of traffic (a handful of calls) from paging;
 * - group_wait 1 s, group_interval 5 s, repeat_interval 1 h (so a second trigger can only be a duplicate);
 * - store hours all day, so info mail is not held back by the time interval;
 * - two routing canaries (warning and info, always true while the store is up) prove that Slack and e-mail
 *   delivery work, so "nothing reached Slack or e-mail" cannot pass because those receivers are broken.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { gaugeSeries, type AlertSpec } from '@tillwatch/spec';
import { hasCommand, requireReal } from '../../../packages/tillwatch/test/helpers/real-parts.ts';
import { startSmsProvider } from '../src/sim/sms-provider.ts';
import { startWarehouse } from '../src/sim/warehouse.ts';
import { startAlertingStack, startLocalReceivers, waitForScrape } from './helpers/alerting/e2e-stack.ts';
import type { PagerDutyReceiver } from './helpers/alerting/pagerduty-receiver.ts';
import { getJson, waitFor, type ChildService } from './helpers/alerting/processes.ts';
import { startSimulator, type SimulatorRun } from './helpers/alerting/simulator.ts';
import type { SlackReceiver } from './helpers/alerting/slack-receiver.ts';
import type { SmtpReceiver } from './helpers/alerting/smtp-receiver.ts';
import { startHarness } from './helpers/store-harness.ts';

const ALERT = 'PaymentFailureRateHigh';
const WARNING_CANARY = 'RoutingCanaryWarning';
const INFO_CANARY = 'RoutingCanaryInfo';
/** The test's failure-ratio threshold (see the file comment). */
const PAYMENT_FAILURE_RATIO = 0.25;
const RATE_WINDOW = '30s';

function canary(name: string, severity: 'warning' | 'info'): AlertSpec {
  return {
    name,
    severity,
    for: '0s',
    group: 'routing-canary',
    team: 'store-ops',
    expr: 'up{job="store"} == 1',
    summary: `Routing canary (${severity}) of the end-to-end test`,
    description: 'Always true while the store is scraped: proves that this severity reaches its receiver.',
    runbook: '1. Nothing to do: it exists only in the end-to-end test config.',
    test: { firing: [gaugeSeries('up', { job: 'store' }, 1)], quiet: [gaugeSeries('up', { job: 'store' }, 0)], trueAfterMinutes: 0 },
  };
}

interface PromAlert {
  labels: Record<string, string>;
  state: string;
  activeAt: string;
  value: string;
}

interface PromRuleGroup {
  rules: { type: string; name: string; labels?: Record<string, string> }[];
}

/** Runs an instant query; the first sample's value, undefined when the result is empty. */
async function query(prom: ChildService, expr: string): Promise<number | undefined> {
  const r = await getJson<{ data: { result: { value: [number, string] }[] } }>(`${prom.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const v = r.data.result[0]?.value[1];
  return v === undefined ? undefined : Number(v);
}

async function promAlerts(prom: ChildService): Promise<PromAlert[]> {
  return (await getJson<{ data: { alerts: PromAlert[] } }>(`${prom.url}/api/v1/alerts`)).data.alerts;
}

/** Everything worth reading when the test fails: Prometheus' targets and alerts, Alertmanager's alerts, the receivers, the processes' logs. */
async function diagnostics(parts: { prom?: ChildService; am?: ChildService; pd: PagerDutyReceiver; slack: SlackReceiver; smtp: SmtpReceiver; sim?: SimulatorRun }): Promise<string> {
  const section = async (title: string, f: () => Promise<unknown> | unknown): Promise<string> => {
    try {
      const v = await f();
      return `--- ${title} ---\n${typeof v === 'string' ? v : JSON.stringify(v, null, 1)}`;
    } catch (err) {
      return `--- ${title} --- (unavailable: ${(err as Error).message})`;
    }
  };
  const { prom, am, pd, slack, smtp, sim } = parts;
  const out = [
    await section('Prometheus targets', async () => {
      const r = await getJson<{ data: { activeTargets: { scrapeUrl: string; health: string; lastError: string; lastScrape: string }[] } }>(`${prom!.url}/api/v1/targets`);
      return r.data.activeTargets.map((x) => ({ url: x.scrapeUrl, health: x.health, lastError: x.lastError, lastScrape: x.lastScrape }));
    }),
    await section('Prometheus alerts (pending and firing)', async () => (await promAlerts(prom!)).map((a) => ({ alertname: a.labels.alertname, state: a.state, activeAt: a.activeAt, value: a.value, labels: a.labels }))),
    await section('Prometheus: payment failure ratio', async () => query(prom!, `sum(rate(payments_failures_total[${RATE_WINDOW}])) / sum(rate(payments_attempts_total[${RATE_WINDOW}]))`)),
    await section('Prometheus: alertmanagers', async () => (await getJson<{ data: unknown }>(`${prom!.url}/api/v1/alertmanagers`)).data),
    await section('Alertmanager /api/v2/alerts', async () => getJson(`${am!.url}/api/v2/alerts`)),
    await section('PagerDuty receiver', () => ({ events: pd.events.map((e) => ({ at: new Date(e.at).toISOString(), alertname: e.alertname, action: e.event.event_action, dedup_key: e.event.dedup_key, summary: e.event.payload?.summary })), rejected: pd.rejected })),
    await section('Slack receiver', () => ({ messages: slack.messages.map((m) => ({ at: new Date(m.at).toISOString(), alertname: m.alertname, status: m.status, title: m.message.attachments?.[0]?.title })), rejected: slack.rejected })),
    await section('SMTP receiver', () => ({ mails: smtp.mails.map((m) => ({ at: new Date(m.at).toISOString(), to: m.to, subject: m.subject })), errors: smtp.errors })),
    await section('prometheus output (tail)', () => prom?.output().slice(-4000) ?? ''),
    await section('alertmanager output (tail)', () => am?.output().slice(-4000) ?? ''),
    await section('simulator stderr (tail)', () => sim?.stderr().slice(-3000) ?? ''),
  ];
  return out.join('\n');
}

test('a payment outage pages PagerDuty once per group, reaches no receiver it should not, and resolves after recovery', { timeout: 330_000 }, async (t: TestContext) => {
  if (!requireReal(t, 'prometheus', hasCommand('prometheus'), 'apt-get install prometheus')) return;
  if (!requireReal(t, 'prometheus-alertmanager', hasCommand('prometheus-alertmanager'), 'apt-get install prometheus-alertmanager')) return;
  const t0 = Date.now();
  const since = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;

  // --- local receivers, the store and its simulated providers ---------------------------------------
  const receivers = await startLocalReceivers(t);
  const { pd, slack, smtp, routingKey } = receivers;
  const sms = await startSmsProvider();
  t.after(() => sms.close());
  const warehouse = await startWarehouse();
  t.after(() => warehouse.close());
  const h = await startHarness(t, 'pglite', { features: 'all', env: { SMS_PROVIDER_URL: sms.url, WAREHOUSE_URL: warehouse.url, SALES_SYNC_INTERVAL_MS: '1000' } });
  if (!h) return;

  // --- the bundle, generated by the real CLI, and the real Prometheus and Alertmanager ---------------------
  const { prom, am } = await startAlertingStack(t, {
    storeUrl: h.url,
    receivers,
    alerts: {
      thresholds: { rateWindow: RATE_WINDOW, paymentFailureRatio: PAYMENT_FAILURE_RATIO },
      overrides: { [ALERT]: { for: '10s' } },
      extra: [canary(WARNING_CANARY, 'warning'), canary(INFO_CANARY, 'info')],
    },
  });
  let sim: SimulatorRun | undefined;
  t.diagnostic(`${since()}: store ${h.url}, prometheus ${prom.url} (pid ${prom.pid}), alertmanager ${am.url} (pid ${am.pid})`);

  try {
    // --- Prometheus scrapes the store, knows the rules and the Alertmanager ------------------------------
    await waitForScrape(prom);
    await waitFor('Prometheus to discover the Alertmanager', 60_000, async () => {
      const r = await getJson<{ data: { activeAlertmanagers: unknown[] } }>(`${prom.url}/api/v1/alertmanagers`);
      return r.data.activeAlertmanagers.length > 0 ? true : undefined;
    });
    const groups = (await getJson<{ data: { groups: PromRuleGroup[] } }>(`${prom.url}/api/v1/rules?type=alert`)).data.groups;
    /** alertname -> severities of the rules Prometheus loaded under that name. */
    const severities = new Map<string, Set<string>>();
    for (const r of groups.flatMap((g) => g.rules)) {
      const s = severities.get(r.name) ?? new Set<string>();
      s.add(r.labels?.severity ?? '');
      severities.set(r.name, s);
    }
    assert.deepEqual([...(severities.get(ALERT) ?? [])], ['critical'], `Prometheus loaded ${ALERT} as a critical alert`);
    const withSeverity = (sev: string) => [...severities].filter(([, s]) => s.has(sev)).map(([n]) => n);
    t.diagnostic(`${since()}: Prometheus scrapes the store and loaded ${severities.size} alerts`);

    // --- normal traffic -------------------------------------------------------------------------------------
    const simStarted = Date.now();
    sim = startSimulator(t, ['--url', h.url, '--payment-url', h.payment.url, '--warehouse-url', warehouse.url, '--scenario', 'normal', '--minutes', '5', '--rate', '4', '--seed', '20261124']);
    await waitFor('payments in Prometheus (30 provider calls within the rate window)', 120_000, async () => {
      if (!sim!.running()) throw new Error(`the simulator exited early: ${sim!.stderr().slice(-2000)}`);
      const n = await query(prom, `sum(increase(payments_attempts_total[${RATE_WINDOW}]))`);
      return n !== undefined && n >= 30 ? n : undefined;
    });
    // At least one full rate window of normal traffic before the outage, so "nothing paged" covers a whole window.
    await sleep(Math.max(0, simStarted + 35_000 - Date.now()));
    const normalRatio = await query(prom, '(sum(increase(payments_failures_total[5m])) or vector(0)) / sum(increase(payments_attempts_total[5m]))');
    t.diagnostic(`${since()}: normal traffic flowing; payment failure ratio so far ${normalRatio?.toFixed(3)} (card declines), test threshold ${PAYMENT_FAILURE_RATIO}`);
    assert.equal(pd.events.filter((e) => e.alertname === ALERT).length, 0, `${ALERT} did not page during normal traffic`);
    assert.ok(!(await promAlerts(prom)).some((a) => a.labels.alertname === ALERT && a.state === 'firing'), `${ALERT} is not firing during normal traffic`);

    // --- the outage ------------------------------------------------------------------------------------------
    h.payment.configure({ outage: true });
    const outageOn = Date.now();
    t.diagnostic(`${since()}: payment provider outage on`);
    const trigger = await waitFor(`a ${ALERT} trigger at the PagerDuty receiver`, 150_000, () => pd.events.find((e) => e.alertname === ALERT && e.event.event_action === 'trigger'));
    t.diagnostic(`${since()}: ${ALERT} trigger received ${((trigger.at - outageOn) / 1000).toFixed(1)} s after the outage began (dedup_key ${trigger.event.dedup_key})`);
    const firing = (await promAlerts(prom)).filter((a) => a.labels.alertname === ALERT);
    assert.ok(firing.some((a) => a.state === 'firing'), `Prometheus reports ${ALERT} firing: ${JSON.stringify(firing)}`);
    // Keep the outage on for three group intervals: a broken dedup would send the trigger again in that time.
    await sleep(15_000);
    h.payment.configure({ outage: false });
    const outageOff = Date.now();
    t.diagnostic(`${since()}: payment provider outage off`);

    // --- recovery --------------------------------------------------------------------------------------------
    const resolve = await waitFor(`a ${ALERT} resolve at the PagerDuty receiver`, 150_000, () =>
      pd.events.find((e) => e.alertname === ALERT && e.event.event_action === 'resolve' && e.event.dedup_key === trigger.event.dedup_key),
    );
    t.diagnostic(`${since()}: ${ALERT} resolve received ${((resolve.at - outageOff) / 1000).toFixed(1)} s after recovery`);
    // The canaries prove Slack and e-mail deliver (bounded; they fire from the first scrape on).
    await waitFor(`${WARNING_CANARY} at the Slack receiver`, 60_000, () => slack.messages.find((m) => m.alertname === WARNING_CANARY));
    await waitFor(`${INFO_CANARY} at the SMTP receiver`, 60_000, () => smtp.mails.find((m) => m.alertname === INFO_CANARY));
    // One more group interval, so a late duplicate would be seen.
    await sleep(6_000);
    await sim.stop();

    // --- what reached whom -------------------------------------------------------------------------------
    assert.deepEqual(pd.rejected, [], 'every PagerDuty event was valid');
    assert.deepEqual(slack.rejected, [], 'every Slack message was valid');
    assert.deepEqual(smtp.errors, [], 'the SMTP conversation had no errors');

    const pages = pd.events.filter((e) => e.alertname === ALERT);
    const byGroup = new Map<string, typeof pages>();
    for (const e of pages) byGroup.set(e.event.dedup_key ?? '', [...(byGroup.get(e.event.dedup_key ?? '') ?? []), e]);
    assert.equal(byGroup.size, 1, `${ALERT} has no per-location labels, so it is one Alertmanager group: ${[...byGroup.keys()].join(', ')}`);
    for (const [key, events] of byGroup) {
      assert.deepEqual(events.map((e) => e.event.event_action), ['trigger', 'resolve'], `group ${key}: one trigger while firing, then one resolve`);
    }
    for (const e of pages) {
      assert.equal(e.event.routing_key, routingKey, 'the routing key comes from the routing_key_file');
      if (e.event.event_action === 'trigger') assert.equal(e.event.payload?.severity, 'critical');
    }

    // Each receiver only sees its own severity (per alertname: the outage legitimately fires other alerts,
    // e.g. the payment-success SLO page on PagerDuty or an SLO ticket on Slack).
    const critical = withSeverity('critical');
    const warning = withSeverity('warning');
    const info = withSeverity('info');
    for (const e of pd.events) assert.ok(critical.includes(e.alertname), `PagerDuty got ${JSON.stringify(e.alertname)}, which is not a critical alert`);
    for (const m of slack.messages) assert.ok(warning.includes(m.alertname), `Slack got ${JSON.stringify(m.alertname)}, which is not a warning alert`);
    for (const m of smtp.mails) assert.ok(info.includes(m.alertname), `e-mail got ${JSON.stringify(m.alertname)} (${m.subject}), which is not an info alert`);
    assert.ok(!slack.messages.some((m) => JSON.stringify(m.message).includes(ALERT)), `no Slack message mentions ${ALERT}`);
    assert.ok(!smtp.mails.some((m) => m.subject.includes(ALERT) || m.text.includes(ALERT)), `no e-mail mentions ${ALERT}`);
    assert.ok(slack.messages.every((m) => m.message.channel === '#store-alerts-e2e'), 'Slack messages go to the configured channel');
    assert.ok(smtp.mails.every((m) => m.from === 'alertmanager@example.com' && m.to.join() === 'store-ops@example.com'), 'mail envelope from the config');

    const names = (xs: { alertname: string }[]) => [...new Set(xs.map((x) => x.alertname))].join(', ') || '-';
    t.diagnostic(`${since()}: PagerDuty ${pd.events.length} events (${names(pd.events)}); Slack ${slack.messages.length} (${names(slack.messages)}); e-mail ${smtp.mails.length} (${names(smtp.mails)})`);
  } catch (err) {
    const diag = await diagnostics({ prom, am, pd, slack, smtp, ...(sim ? { sim } : {}) });
    throw new Error(`${(err as Error).message}\n${diag}`, { cause: err });
  }
});

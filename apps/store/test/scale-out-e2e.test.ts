/**
 * Scale-out end to end, all real binaries on loopback, started from the `scale-out/` bundle `tillwatch generate`
 * writes for the store's deploy config: two Prometheus replicas (distinct `replica` external labels, the same
 * rules) scrape the store (its own process, under simulated traffic) and alert both nodes of a two-node
 * Alertmanager cluster gossiping on loopback, which notify local receivers speaking the PagerDuty Events v2,
 * Slack webhook and SMTP wire formats; both replicas remote-write to VictoriaMetrics, deduplicating.
 *
 * One payment outage: both replicas fire; every receiver hears each alert group once. The node that has been
 * sending is SIGKILLed (by PID) mid-incident, before the next group (the payment SLO's burn page) is due: the
 * survivor sends that group once and repeats nothing the killed node sent. VictoriaMetrics holds one series
 * per store series (not one per replica), one sample per scrape interval, and answers the dashboards' panel
 * queries for every panel the panel-data test requires.
 *
 * Waits derive from the scrape and evaluation intervals, the alert rules' `for`, the group timings and the
 * cluster's peer timeout (read from the generated topology); polls have deadlines. No timing is asserted.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { BURN_WINDOWS, durationSeconds, gaugeSeries } from '@tillwatch/spec';
import { hasCommand, requireReal } from '../../../packages/tillwatch/test/helpers/real-parts.ts';
import { dashboardPanelData } from './helpers/alerting/dashboard-panels.ts';
import { STACK_TIMING, startLocalReceivers } from './helpers/alerting/e2e-stack.ts';
import { freePort, getJson, tempDir, waitFor, type ChildService } from './helpers/alerting/processes.ts';
import { flagValue, notificationsSent, startScaleOutStack } from './helpers/alerting/scale-out-stack.ts';
import { startSimulator, type SimulatorRun } from './helpers/alerting/simulator.ts';
import { promAlerts, query, queryAll, routingCanary, startWatchedStore, WATCH_LATENCY_SLO_SECONDS, WATCH_SCRAPE_SECONDS, WATCH_SLO_MIN_EVENTS } from './helpers/alerting/store-under-watch.ts';

const SCRAPE_S = WATCH_SCRAPE_SECONDS;
/** Two replicas evaluate every rule: every 2 s instead of the single-Prometheus test's 1 s, to spare the machine. */
const EVAL_S = 2;
const THRESHOLD = 'PaymentFailureRateHigh';
const PAGE = 'PaymentSuccessErrorBudgetBurnPage';
/** The threshold alert's window and `for`: six and two scrapes, so it fires (and pages) well before the burn page. */
const RATE_WINDOW = `${6 * SCRAPE_S}s`;
const THRESHOLD_FOR_S = 2 * SCRAPE_S;
const PAGE_FOR_S = durationSeconds(BURN_WINDOWS[0]!.for);
const canaryTest = { firing: [gaugeSeries('up', { job: 'store' }, 1)], quiet: [gaugeSeries('up', { job: 'store' }, 0)], trueAfterMinutes: 0 };
/**
 * Always-on canaries proving Slack and e-mail deliver. They stay true through a missed scrape (a loaded machine
 * misses some): a canary that resolved and fired again would be a legitimate second notification of its group.
 */
const canaries = (['warning', 'info'] as const).map((severity) => ({
  ...routingCanary(`RoutingCanary${severity === 'warning' ? 'Warning' : 'Info'}`, severity, canaryTest),
  expr: 'max_over_time(up{job="store"}[1h]) == 1',
}));

/**
 * Notifications that repeat the one before them in their group: duplicates. Within the 1 h repeat interval a
 * group notifies again only when its alerts change (one joins, one resolves), so two in a row that say the
 * same thing are one notification sent twice.
 */
function repeats<T>(items: readonly T[], group: (x: T) => string, state: (x: T) => string): string[] {
  const last = new Map<string, string>();
  const out: string[] = [];
  for (const x of items) {
    const g = group(x);
    const st = state(x);
    if (last.get(g) === st) out.push(`${g}: ${st.slice(0, 300)}`);
    last.set(g, st);
  }
  return out;
}

async function firingOn(prom: ChildService, alertname: string): Promise<boolean> {
  return (await promAlerts(prom)).some((a) => a.labels.alertname === alertname && a.state === 'firing');
}

test('scale-out on loopback: two Prometheus replicas fire, a two-node Alertmanager cluster notifies once per group through a node kill, VictoriaMetrics deduplicates and serves the dashboards', { timeout: 360_000 }, async (t) => {
  if (!requireReal(t, 'prometheus', hasCommand('prometheus'), 'apt-get install prometheus')) return;
  if (!requireReal(t, 'prometheus-alertmanager', hasCommand('prometheus-alertmanager'), 'apt-get install prometheus-alertmanager')) return;
  if (!requireReal(t, 'victoria-metrics', hasCommand('victoria-metrics'), 'apt-get install victoria-metrics')) return;
  const t0 = Date.now();
  const since = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
  const receivers = await startLocalReceivers(t);
  const { pd, slack, smtp } = receivers;
  // The store starts while the bundle is generated for its port and the stack starts (it waits for the first scrape).
  const storePort = await freePort();
  // The synthetic journey, the database backup and the audit archival run, as in the panel-data test, so their panels have data.
  const dataDir = tempDir(t, 'store-scale-out-');
  const storeEnv = { SYNTHETIC_JOURNEYS: 'on', SYNTHETIC_INTERVAL_MS: '5000', BACKUP_DIR: join(dataDir, 'backups'), AUDIT_ARCHIVE: 'on', AUDIT_ARCHIVE_DIR: join(dataDir, 'audit-archive') };
  const [{ store, payment, simulatorTarget }, s] = await Promise.all([
    startWatchedStore(t, storePort, storeEnv),
    startScaleOutStack(t, {
      storeUrl: `http://127.0.0.1:${storePort}`,
      receivers,
      timing: { scrapeSeconds: SCRAPE_S, evaluationSeconds: EVAL_S },
      alerts: {
        thresholds: { rateWindow: RATE_WINDOW, paymentFailureRatio: 0.25 },
        overrides: { [THRESHOLD]: { for: `${THRESHOLD_FOR_S}s` } },
        extra: canaries,
      },
      latencySloSeconds: WATCH_LATENCY_SLO_SECONDS,
      sloMinEvents: WATCH_SLO_MIN_EVENTS,
    }),
  ]);
  const { proms, ams, vm, topology } = s;
  const peerTimeoutS = durationSeconds(flagValue(topology.alertmanager[0]!.args, '--cluster.peer-timeout') ?? '15s');
  /** After the kill, whatever the survivor would send (it waits a peer timeout for the node ahead of it) is sent within this long. */
  const afterKillMs = (STACK_TIMING.groupWaitSeconds + 2 * STACK_TIMING.groupIntervalSeconds + peerTimeoutS) * 1000;
  /** A change Prometheus sees is notified within this long (an evaluation, the alert resend, a group interval). */
  const changeMs = (SCRAPE_S + 2 * EVAL_S + 2 * STACK_TIMING.groupIntervalSeconds) * 1000;
  t.diagnostic(`${since()}: store ${store.url}; ${proms.map((p) => `${p.name} ${p.url}`).join(', ')}; ${ams.map((a) => `${a.name} ${a.url}`).join(', ')}; victoria-metrics ${vm.url}`);
  let sim: SimulatorRun | undefined;
  const diagnostics = async (): Promise<string> => {
    const part = async (title: string, f: () => unknown): Promise<string> => {
      try {
        const v = await f();
        return `--- ${title} ---\n${typeof v === 'string' ? v : JSON.stringify(v, null, 1)}`;
      } catch (err) {
        return `--- ${title} --- (unavailable: ${(err as Error).message})`;
      }
    };
    return [
      ...(await Promise.all(proms.map((p) => part(`${p.name} alerts`, async () => (await promAlerts(p)).map((a) => `${a.labels.alertname} ${a.state} ${a.activeAt}`))))),
      await part('PagerDuty', () => pd.events.map((e) => `${new Date(e.at).toISOString()} ${e.alertname} ${e.event.event_action} ${e.event.dedup_key} ${JSON.stringify(e.event.payload?.custom_details ?? {}).slice(0, 300)}`)),
      await part('Slack', () => slack.messages.map((m) => `${new Date(m.at).toISOString()} ${m.alertname} ${m.status}`)),
      await part('SMTP', () => smtp.mails.map((m) => `${new Date(m.at).toISOString()} ${m.subject}`)),
      ...ams.map((a) => `--- ${a.name} output (exited: ${a.exited()}) ---\n${a.output().slice(-3000)}`),
      ...proms.map((p) => `--- ${p.name} output ---\n${p.output().slice(-2000)}`),
      `--- victoria-metrics output ---\n${vm.output().slice(-2000)}`,
      `--- store stderr ---\n${store.stderr().slice(-2000)}`,
      `--- simulator stderr ---\n${sim?.stderr().slice(-2000) ?? ''}`,
    ].join('\n');
  };
  try {
    const trafficStart = Date.now();
    sim = startSimulator(t, [...simulatorTarget, '--scenario', 'normal', '--minutes', '5', '--rate', '3', '--max-requests', '200000', '--seed', '20261207']);
    // The page's minimum-traffic guard holds on both replicas, and the always-on canaries reached Slack and e-mail.
    await waitFor(`${WATCH_SLO_MIN_EVENTS} payment calls in the page's long window on both replicas`, 180_000, async () => {
      if (!sim!.running()) throw new Error(`the simulator exited early: ${sim!.stderr().slice(-2000)}`);
      const n = await Promise.all(proms.map((p) => query(p, 'tillwatch:slo_events:rate1h{slo="payment-success"} * 3600')));
      return n.every((x) => x !== undefined && x >= WATCH_SLO_MIN_EVENTS * 1.5) ? true : undefined;
    });
    await waitFor('the routing canaries at Slack and e-mail', 60_000, () => (slack.messages.some((m) => m.alertname === 'RoutingCanaryWarning') && smtp.mails.some((m) => m.subject.includes('RoutingCanaryInfo')) ? true : undefined));
    assert.deepEqual(pd.events.map((e) => e.alertname), [], 'nothing paged before the outage');
    t.diagnostic(`${since()}: steady traffic; canaries delivered`);

    // --- the outage: both replicas fire ----------------------------------------------------------------------
    await payment.configure({ outage: true });
    const outageOn = Date.now();
    const firedAt = new Map<string, number>();
    await waitFor(`${THRESHOLD} firing on both replicas`, (THRESHOLD_FOR_S + 120) * 1000, async () => {
      for (const p of proms) if (!firedAt.has(p.name) && (await firingOn(p, THRESHOLD))) firedAt.set(p.name, Date.now() - outageOn);
      return firedAt.size === proms.length ? true : undefined;
    });
    t.diagnostic(`${since()}: ${THRESHOLD} firing ${[...firedAt].map(([n, ms]) => `on ${n} ${(ms / 1000).toFixed(1)} s`).join(', ')} after the outage began`);
    const first = await waitFor(`${THRESHOLD} at the PagerDuty receiver`, 60_000, () => pd.events.find((e) => e.alertname === THRESHOLD && e.event.event_action === 'trigger'));
    t.diagnostic(`${since()}: ${THRESHOLD} paged ${((first.at - outageOn) / 1000).toFixed(1)} s after the outage began`);

    // --- kill the node that has been sending, mid-incident -------------------------------------------------------
    // The node that sent the page is the one ahead in the cluster's order: the survivor must take over from it.
    const sent = await Promise.all(ams.map((a) => notificationsSent(a)));
    const paged = await Promise.all(ams.map((a) => notificationsSent(a, 'pagerduty')));
    const victimIndex = paged[0]! >= paged[1]! ? 0 : 1;
    const victim = ams[victimIndex]!;
    const survivor = ams[1 - victimIndex]!;
    const survivorSentBefore = sent[1 - victimIndex]!;
    process.kill(victim.pid, 'SIGKILL');
    const killedAt = Date.now();
    await waitFor(`${victim.name} to exit`, 10_000, () => (victim.exited() ? true : undefined), 100);
    t.diagnostic(`${since()}: SIGKILL ${victim.name} (pid ${victim.pid}; it had sent ${sent[victimIndex]} notifications, ${paged[victimIndex]} to PagerDuty; ${survivor.name} ${survivorSentBefore}, ${paged[1 - victimIndex]} to PagerDuty)`);

    // The next group (the payment SLO's burn page, `for` ${PAGE_FOR_S}s) is due after the kill: the survivor sends it.
    const page = await waitFor(`${PAGE} at the PagerDuty receiver`, (PAGE_FOR_S + 150) * 1000, () => pd.events.find((e) => e.alertname === PAGE && e.event.event_action === 'trigger'));
    assert.ok(page.at > killedAt, `${PAGE} was sent after the kill, by ${survivor.name}`);
    const pageFired = new Map<string, number>();
    await waitFor(`${PAGE} firing on both replicas`, 60_000, async () => {
      for (const p of proms) if (!pageFired.has(p.name) && (await firingOn(p, PAGE))) pageFired.set(p.name, Date.now() - outageOn);
      return pageFired.size === proms.length ? true : undefined;
    });
    t.diagnostic(`${since()}: ${PAGE} paged ${((page.at - outageOn) / 1000).toFixed(1)} s after the outage began (${((page.at - killedAt) / 1000).toFixed(1)} s after the kill); firing on ${[...pageFired].map(([n, ms]) => `${n} by ${(ms / 1000).toFixed(1)} s`).join(', ')}`);
    // Anything the survivor would repeat of what the dead node sent, or of the page, has been sent by now.
    await sleep(Math.max(killedAt + afterKillMs - Date.now(), changeMs));
    assert.ok((await notificationsSent(survivor)) > survivorSentBefore, `${survivor.name} sent the notifications after the kill`);

    // --- once per group, at every receiver -------------------------------------------------------------------------
    assert.deepEqual(pd.rejected, [], 'every PagerDuty event was valid');
    assert.deepEqual(slack.rejected, [], 'every Slack message was valid');
    assert.deepEqual(smtp.errors, [], 'the SMTP conversations had no errors');
    assert.deepEqual(repeats(pd.events, (e) => e.event.dedup_key ?? '', (e) => `${e.event.event_action} ${JSON.stringify(e.event.payload?.custom_details ?? {})}`), [], 'no PagerDuty event repeats the one before it in its group');
    assert.deepEqual(repeats(slack.messages, (m) => `${m.alertname} ${m.message.channel ?? ''}`, (m) => JSON.stringify(m.message)), [], 'no Slack message repeats the one before it in its group');
    assert.deepEqual(repeats(smtp.mails, (m) => m.alertname, (m) => `${m.subject}\n${m.text}`), [], 'no e-mail repeats the one before it in its group');
    const triggers = pd.events.filter((e) => e.event.event_action === 'trigger');
    const byGroup = new Map<string, typeof triggers>();
    for (const e of triggers) byGroup.set(e.event.dedup_key ?? '', [...(byGroup.get(e.event.dedup_key ?? '') ?? []), e]);
    const groupsOf = (name: string) => [...byGroup.values()].filter((ev) => ev[0]!.alertname === name);
    assert.ok(groupsOf(THRESHOLD).length > 0, `${THRESHOLD} paged`);
    for (const ev of groupsOf(THRESHOLD)) assert.equal(ev.length, 1, `${THRESHOLD}: one notification per group, got ${ev.length}`);
    assert.deepEqual(groupsOf(PAGE).map((ev) => ev.length), [1], `${PAGE}: one group, notified once`);
    assert.equal(groupsOf(PAGE)[0]![0]!.event.routing_key, receivers.paymentsRoutingKey, 'the payment SLO pages the payments team\'s service');
    assert.equal(slack.messages.filter((m) => m.alertname === 'RoutingCanaryWarning' && m.status === 'firing').length, 1, 'Slack heard the warning canary\'s group once, before and after the kill');
    assert.equal(smtp.mails.filter((m) => m.alertname === 'RoutingCanaryInfo').length, 1, 'e-mail heard the info canary\'s group once, before and after the kill');
    t.diagnostic(`${since()}: PagerDuty ${triggers.length} triggers in ${byGroup.size} groups (${[...byGroup.values()].map((ev) => `${ev[0]!.alertname} x${ev.length}`).join(', ')}); Slack ${slack.messages.length} messages; e-mail ${smtp.mails.length}`);
    await payment.configure({ outage: false });

    // --- VictoriaMetrics: one series per store series, one sample per scrape interval, the dashboards' data ----
    const series = await getJson<{ data: Record<string, string>[] }>(`${vm.url}/api/v1/series?match[]=${encodeURIComponent('up{job="store"}')}`);
    assert.equal(series.data.length, 1, `VictoriaMetrics holds one up{job="store"} series, not one per replica: ${JSON.stringify(series.data)}`);
    const replicaValues = await getJson<{ data: string[] }>(`${vm.url}/api/v1/label/${topology.replicaLabel}/values`);
    assert.deepEqual(replicaValues.data, [], `no series in VictoriaMetrics carries the ${topology.replicaLabel} label`);
    const windowS = 12 * SCRAPE_S;
    const perReplica = await Promise.all(proms.map((p) => query(p, `count_over_time(up{job="store"}[${windowS}s])`)));
    const inVm = await query(vm, `count_over_time(up{job="store"}[${windowS}s])`);
    assert.ok(inVm !== undefined && inVm >= 1 && inVm <= windowS / SCRAPE_S + 1, `VictoriaMetrics keeps at most one sample per ${SCRAPE_S}s scrape interval: ${inVm} samples in ${windowS}s (each replica scraped ${perReplica.join(' and ')})`);
    const trafficS = Math.ceil((Date.now() - trafficStart) / 1000);
    const rateWindow = `${Math.max(trafficS, 12 * SCRAPE_S)}s`;
    const { panels, withData, emptyRare, missing } = await dashboardPanelData(s.bundleDir, rateWindow, (expr) => queryAll(vm, expr));
    await sim.stop();
    t.diagnostic(`${since()}: VictoriaMetrics: 1 up series, ${inVm} samples in ${windowS}s (replicas ${perReplica.join(', ')}); ${panels.size} panels over ${rateWindow}: ${withData} with data, ${emptyRare.length} rare-event panels empty`);
    assert.deepEqual(missing, [], 'VictoriaMetrics answers every panel the panel-data test requires');
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${await diagnostics()}`, { cause: err });
  }
});

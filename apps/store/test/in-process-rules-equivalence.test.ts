/**
 * The same rules, in process and in Prometheus: `tillwatch generate` writes the store's rules (its deploy config
 * with a 30 s rate window, PaymentFailureRateHigh at 25% for 10 s, scrape and evaluation every second); a real
 * `prometheus` scrapes a tillwatch registry driven by a recorded payment outage (normal, outage, recovered) and
 * evaluates them. Afterwards the raw samples Prometheus stored are replayed into tillwatch/windows, which
 * evaluates the very same rule files; every alert must fire in both, within one evaluation interval of each other,
 * and no alert may fire in one only. The replay follows Prometheus' schedule (each rule group at its own offset
 * within the interval, read from /api/v1/rules), because an alert reading another group's recording sees it up to
 * one interval late there; the live in-process engine evaluates the groups in order at one instant instead. Meanwhile a live in-process monitor on the same registry pages a local
 * PagerDuty receiver and resolves, as the generated Alertmanager routing would.
 *
 * The outage lasts until Prometheus fires the page, then a fixed number of evaluation intervals, and recovery lasts
 * until Prometheus resolves it: every wait is an event with a deadline, none is a bet on timing.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse } from 'yaml';
import { catalogue } from '@tillwatch/spec';
import { createTillwatch } from 'tillwatch';
import { pagerDutyNotifier, RuleEngine, SeriesWindows, severityRouter, WindowsMonitor, type RuleFileGroup } from 'tillwatch/windows';
import { hasCommand, requireReal } from '../../../packages/tillwatch/test/helpers/real-parts.ts';
import { startPagerDutyReceiver } from './helpers/alerting/pagerduty-receiver.ts';
import { freePort, getJson, startPrometheus, tempDir, waitFor } from './helpers/alerting/processes.ts';
import { generateTestBundle } from './helpers/alerting/test-bundle.ts';

const ALERT = 'PaymentFailureRateHigh';
const EVAL_MS = 1000;

interface RawMatrix {
  data: { result: { metric: Record<string, string>; values: [number, string][] }[] };
}

test('in-process evaluation fires the same alerts as Prometheus on the same traffic, within one evaluation interval', { timeout: 300_000 }, async (t) => {
  if (!requireReal(t, 'prometheus', hasCommand('prometheus'), 'apt-get install prometheus')) return;
  const dir = tempDir(t, 'tillwatch-equivalence-');

  // The service: a tillwatch registry with the payment metrics, served on /metrics.
  const tw = createTillwatch({ service: { name: 'store' }, log: { level: 'silent' } });
  t.after(() => tw.close());
  const attempts = tw.metrics.register(catalogue.metrics.payments.attempts);
  const failures = tw.metrics.register(catalogue.metrics.payments.failures);
  const server = http.createServer((req, res) => {
    if (!tw.handleManagement(req, res)) res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const target = `127.0.0.1:${(server.address() as AddressInfo).port}`;

  const promPort = await freePort();
  const bundle = await generateTestBundle(dir, {
    alerts: { thresholds: { rateWindow: '30s', paymentFailureRatio: 0.25 }, overrides: { [ALERT]: { for: '10s' } } },
    prometheus: { scrape: { targets: [target], intervalSeconds: 1 }, evaluationIntervalSeconds: 1, alertmanagers: [`127.0.0.1:${await freePort()}`] },
    alertmanager: {
      receivers: {
        pagerduty: { routingKey: { env: 'PD_KEY' } },
        slack: { apiUrl: { env: 'SLACK_URL' }, channel: '#x' },
        email: { to: 'ops@example.com', from: 'am@example.com', smarthost: '127.0.0.1:25', requireTls: false },
      },
    },
  });
  const rulesDir = join(dir, 'bundle/prometheus/rules');
  const groups: RuleFileGroup[] = readdirSync(rulesDir).flatMap((f) => (parse(readFileSync(join(rulesDir, f), 'utf8')) as { groups: RuleFileGroup[] }).groups);

  // The live in-process monitor, paging a local PagerDuty receiver.
  const routingKey = randomBytes(16).toString('hex');
  const pd = await startPagerDutyReceiver(routingKey);
  t.after(() => pd.close());
  const live = new WindowsMonitor({
    source: tw.metrics.registry,
    groups,
    service: 'store',
    sampleIntervalMs: EVAL_MS,
    windows: { tiers: [{ stepMs: 1000, slots: 900 }, { stepMs: 60_000, slots: 190 }, { stepMs: 300_000, slots: 300 }] },
    notifier: severityRouter({ critical: pagerDutyNotifier({ routingKey, url: pd.enqueueUrl }) }),
    redact: (s) => tw.redactor.string(s),
  });
  t.after(() => live.stop());

  const prom = await startPrometheus(t, bundle.prometheusConfig, promPort);
  await live.start();

  // The recorded traffic: 2 card sales a second; during the outage every provider call fails.
  let outage = false;
  const traffic = setInterval(() => {
    attempts.inc({ method: 'card', operation: 'sale' });
    if (outage) failures.inc({ method: 'card', operation: 'sale', reason: 'provider_unavailable' });
  }, 500);
  t.after(() => clearInterval(traffic));

  const promFiring = async () => (await getJson<{ data: { alerts: { labels: Record<string, string>; state: string }[] } }>(`${prom.url}/api/v1/alerts`)).data.alerts.some((a) => a.labels.alertname === ALERT && a.state === 'firing');
  await waitFor('Prometheus to scrape the registry', 90_000, async () => ((await getJson<{ data: { result: unknown[] } }>(`${prom.url}/api/v1/query?query=${encodeURIComponent('up == 1')}`)).data.result.length > 0 ? true : undefined));
  await sleep(20 * EVAL_MS); // normal traffic first
  const startMs = Date.now() - 25 * EVAL_MS;
  outage = true;
  await waitFor(`Prometheus to fire ${ALERT}`, 120_000, async () => ((await promFiring()) ? true : undefined));
  await sleep(10 * EVAL_MS);
  outage = false;
  await waitFor(`Prometheus to resolve ${ALERT}`, 120_000, async () => (!(await promFiring()) ? true : undefined));
  await waitFor('the live in-process page and its resolve', 60_000, () =>
    pd.events.some((e) => e.event.event_action === 'trigger' && e.alertname.includes(ALERT)) && pd.events.some((e) => e.event.event_action === 'resolve') ? true : undefined,
  );
  await sleep(3 * EVAL_MS);
  const endMs = Date.now();

  // What Prometheus stored: every raw sample of the scrape job, and its ALERTS series.
  const rangeS = Math.ceil((endMs - startMs) / 1000) + 60;
  const samples = await getJson<RawMatrix>(`${prom.url}/api/v1/query?query=${encodeURIComponent(`{job="store"}[${rangeS}s]`)}&time=${endMs / 1000}`);
  const alerts = await getJson<RawMatrix>(`${prom.url}/api/v1/query?query=${encodeURIComponent(`ALERTS{alertstate="firing"}[${rangeS}s]`)}&time=${endMs / 1000}`);
  const promGroups = await getJson<{ data: { groups: { name: string; lastEvaluation: string }[] } }>(`${prom.url}/api/v1/rules`);
  const promFirst = new Map<string, number>();
  for (const s of alerts.data.result) {
    const { alertstate: _s, __name__: _n, ...labels } = s.metric;
    const key = identity(labels);
    promFirst.set(key, Math.min(promFirst.get(key) ?? Infinity, Math.round(s.values[0]![0] * 1000)));
  }
  assert.ok([...promFirst.keys()].some((k) => k.includes(`alertname=${ALERT}`)), `Prometheus fired ${ALERT}`);

  // Replay the same samples into the in-process windows and evaluate the same rules every evaluation interval.
  // The finest tier is 10 ms: scrapes and each group's evaluations happen at different instants of a second, and a
  // slot keeps one time for everything written into it.
  const windows = new SeriesWindows({ tiers: [{ stepMs: 10, slots: 30_000 }, { stepMs: 60_000, slots: 190 }, { stepMs: 300_000, slots: 300 }] });
  const engine = new RuleEngine({ groups, windows });
  const byTime = new Map<number, { labels: Record<string, string>; value: number; counter: boolean }[]>();
  for (const s of samples.data.result) {
    const name = s.metric.__name__ ?? '';
    const counter = /_(total|bucket|count|sum)$/.test(name);
    for (const [ts, v] of s.values) {
      const ms = Math.round(ts * 1000);
      const list = byTime.get(ms) ?? [];
      list.push({ labels: s.metric, value: Number(v), counter });
      byTime.set(ms, list);
    }
  }
  const times = [...byTime.keys()].sort((a, b) => a - b);
  // Each group on its own schedule, as Prometheus runs it: the offset of its last evaluation within the interval.
  const schedule: { at: number; group: string }[] = [];
  for (const g of promGroups.data.groups) {
    const offset = ((Date.parse(g.lastEvaluation) % EVAL_MS) + EVAL_MS) % EVAL_MS;
    for (let at = Math.floor(times[0]! / EVAL_MS) * EVAL_MS + offset; at <= endMs; at += EVAL_MS) schedule.push({ at, group: g.name });
  }
  schedule.sort((a, b) => a.at - b.at);
  const ours = new Map<string, number>();
  let i = 0;
  for (const { at, group } of schedule) {
    for (; i < times.length && times[i]! <= at; i += 1) windows.ingest(times[i]!, byTime.get(times[i]!)!);
    for (const tr of engine.evaluate(at, new Set([group]))) {
      const key = identity(tr.alert.labels);
      if (tr.kind === 'firing' && !ours.has(key)) ours.set(key, at);
    }
  }
  assert.deepEqual(engine.lastErrors, []);
  const report = [...new Set([...promFirst.keys(), ...ours.keys()])].map((k) => `${k}: prometheus ${fmt(promFirst.get(k), startMs)} in-process ${fmt(ours.get(k), startMs)}`);
  t.diagnostic(report.join('\n'));
  assert.deepEqual([...ours.keys()].sort(), [...promFirst.keys()].sort(), `the same alerts fire\n${report.join('\n')}`);
  for (const [k, at] of promFirst) assert.ok(Math.abs(ours.get(k)! - at) <= EVAL_MS, `${k} fired within one evaluation interval\n${report.join('\n')}`);

  const page = pd.events.find((e) => e.event.event_action === 'trigger' && e.alertname.includes(ALERT))!;
  assert.equal(page.event.payload?.severity, 'critical');
  assert.match(page.event.payload?.summary ?? '', /payments fail/);
});

function identity(labels: Record<string, string>): string {
  return Object.keys(labels)
    .filter((k) => k !== 'job' && k !== 'instance' && k !== 'environment')
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');
}

function fmt(ms: number | undefined, startMs: number): string {
  return ms === undefined ? 'never' : `+${((ms - startMs) / 1000).toFixed(3)}s`;
}

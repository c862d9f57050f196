/**
 * The live console's JSON over a real HTTP server on port 0: it reads the spec's dashboards (the row model the
 * Grafana generator renders), answers one dashboard at a time, draws the kinds it supports, answers a pie chart
 * with a placeholder (queries not evaluated), shows the evaluator's reason for a query it cannot run, and
 * answers the `service="..."` matchers of the panels from the labels the scrape would attach.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { catalogue, defineDashboard, storeDashboards, type DashboardSpec } from '@tillwatch/spec';
import { createTillwatch } from 'tillwatch';
import { CONSOLE_PANEL_KINDS, createConsoleHandler, parsePromql, WindowsMonitor } from 'tillwatch/windows';
import { answerTargetLabels } from '../src/windows/console/console-handler.ts';

const T0 = Date.UTC(2026, 0, 1);

interface PanelJson {
  title: string;
  kind: string;
  draw: string;
  error?: string;
  rareEvent: string;
  series: { name: string; values: (number | null)[] }[];
}
interface DashboardsJson {
  dashboards: { uid: string; title: string }[];
  dashboard: { uid: string; rows: { title: string; panels: PanelJson[] }[] } | null;
  timestamps: number[];
}

test('matchers on scrape-attached labels are answered from those labels', () => {
  const target = { service: 'pos' };
  assert.deepEqual(answerTargetLabels(parsePromql('x{service="pos",a="1"}'), target), { type: 'selector', name: 'x', matchers: [{ name: 'a', op: '=', value: '1' }] });
  const other = answerTargetLabels(parsePromql('sum(rate(x{service="till"}[1m]))'), target);
  assert.match(JSON.stringify(other), /"name":"__name__","op":"=","value":""/, 'another service selects nothing');
});

test('the console draws the spec dashboards: one at a time, supported kinds drawn, a pie chart as a placeholder, refused PromQL named', async (t) => {
  const tw = createTillwatch({ service: { name: 'pos' }, log: { level: 'silent' } });
  t.after(() => tw.close());
  const completed = tw.metrics.register(catalogue.metrics.orders.completed);
  const spray = tw.metrics.register(catalogue.metrics.security.passwordSpraySources);
  let clock = T0;
  const monitor = new WindowsMonitor({ source: tw.metrics.registry, service: 'pos', now: () => clock, sampleIntervalMs: 10_000 });
  for (let i = 1; i <= 12; i += 1) {
    clock += 10_000;
    completed.inc({ location: 'store-1', channel: 'in_store' }, 6);
    spray.set({}, i === 12 ? 2 : 0);
    await monitor.tick();
  }
  const own: DashboardSpec = defineDashboard({
    uid: 'pos-mixed',
    title: 'Mixed',
    rows: [
      {
        title: 'Kinds',
        panels: [
          { title: 'Orders per minute', kind: 'timeseries', unit: 'short', queries: [{ expr: 'sum by (location) (rate(orders_completed_total{service="pos"}[$__rate_interval])) * 60', legend: '{{location}}' }] },
          { title: 'Orders by location', kind: 'piechart', unit: 'short', queries: [{ expr: 'sum by (location) (orders_completed_total{service="pos"})' }] },
          { title: 'Orders by store', kind: 'bargauge', unit: 'short', queries: [{ expr: 'label_replace(orders_completed_total, "store", "$1", "location", "(.*)")' }] },
          { title: 'Other service', kind: 'stat', unit: 'short', queries: [{ expr: 'sum(orders_completed_total{service="till"})' }] },
        ],
      },
    ],
  });
  // The built-in security dashboard, exactly as `tillwatch generate` gets it.
  const security = storeDashboards({ service: 'pos', slos: [] }).find((d) => d.uid === 'pos-security')!;
  const handler = createConsoleHandler({ monitor, dashboards: [own, security], service: 'pos', rateWindow: '1m' });
  const server = createServer((req, res) => {
    if (!handler(req, res)) res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/console`;
  const get = async (q: string) => (await (await fetch(`${base}/api/dashboards?minutes=2${q}`)).json()) as DashboardsJson;

  const first = await get('');
  assert.deepEqual(first.dashboards.map((d) => d.uid), ['pos-mixed', 'pos-security']);
  assert.equal(first.dashboard?.uid, 'pos-mixed', 'the first dashboard by default');
  const panel = (d: DashboardsJson, title: string) => d.dashboard!.rows.flatMap((r) => r.panels).find((p) => p.title === title)!;

  const orders = panel(first, 'Orders per minute');
  assert.equal(orders.draw, 'chart');
  assert.deepEqual(orders.series.map((s) => s.name), ['store-1']);
  assert.equal(orders.series[0]!.values.at(-1), 36, '6 every 10 s is 36 a minute');
  assert.ok(orders.series[0]!.values.filter((v) => v !== null).length > 1, 'a chart has the range');

  const pie = panel(first, 'Orders by location');
  assert.equal(pie.draw, 'placeholder');
  assert.deepEqual(pie.series, [], 'a placeholder evaluates nothing');
  assert.equal(CONSOLE_PANEL_KINDS.piechart, 'placeholder');

  const top = panel(first, 'Orders by store');
  assert.match(top.error ?? '', /label_replace\(\) is not supported in process/, 'a query the evaluator does not implement says so');
  assert.deepEqual(panel(first, 'Other service').series, [], 'a panel of another service shows nothing');

  const sec = await get('&uid=pos-security');
  assert.equal(sec.dashboard?.uid, 'pos-security');
  assert.deepEqual(sec.dashboard!.rows.map((r) => r.title), ['Authentication', 'Attacks', 'Abuse']);
  const sprayPanel = panel(sec, 'Password-spray sources');
  assert.equal(sprayPanel.draw, 'latest');
  assert.deepEqual(sprayPanel.series[0]!.values.filter((v) => v !== null), [2], 'a stat carries only its latest value');
  assert.match(sprayPanel.rareEvent, /user names/);
  // Panels whose metrics this registry never registered show no data, and no error.
  assert.equal(panel(sec, 'CORS violations per minute').error, undefined);
  assert.deepEqual(panel(sec, 'CORS violations per minute').series, []);
});

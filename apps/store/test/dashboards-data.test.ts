/**
 * Every panel of every generated dashboard shows data: the store (its own process, built-in printer agents)
 * runs the simulator's normal traffic while a real Prometheus scrapes it and evaluates the generated rules
 * (the SLO panels read the recordings), then each panel's queries, read from the generated Grafana JSON, are
 * run against that Prometheus. A panel with no data in any of its queries fails the test, unless its spec
 * says it shows rare events (`rareEvent`), which are listed in the test output.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { PRINTING_PANEL_TITLES } from '@tillwatch/spec';
import store from '../../../deploy/tillwatch.config.ts';
import { hasCommand, requireReal } from '../../../packages/tillwatch/test/helpers/real-parts.ts';
import { dashboardPanelData } from './helpers/alerting/dashboard-panels.ts';
import { waitFor } from './helpers/alerting/processes.ts';
import { startSimulator } from './helpers/alerting/simulator.ts';
import { query, queryAll, startStoreUnderWatch, WATCH_SCRAPE_SECONDS } from './helpers/alerting/store-under-watch.ts';

/** The rate window panels are evaluated with: Grafana's $__rate_interval is at least four scrape intervals. */
const RATE_WINDOW_S = WATCH_SCRAPE_SECONDS * 4 * 3;
const RATE_WINDOW = `${RATE_WINDOW_S}s`;

test('every dashboard panel shows data from a store under simulated traffic (rare-event panels listed)', { timeout: 420_000 }, async (t) => {
  if (!requireReal(t, 'prometheus', hasCommand('prometheus'), 'apt-get install prometheus')) return;
  if (!requireReal(t, 'prometheus-alertmanager', hasCommand('prometheus-alertmanager'), 'apt-get install prometheus-alertmanager')) return;
  // The synthetic checkout journey, the database backup and the audit archival run as a deployment that turns them
  // on runs them, so their panels have data.
  const dataDir = mkdtempSync(join(tmpdir(), 'store-dashboards-data-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const w = await startStoreUnderWatch(t, {}, {
    SYNTHETIC_JOURNEYS: 'on',
    SYNTHETIC_INTERVAL_MS: '5000',
    BACKUP_DIR: join(dataDir, 'backups'),
    AUDIT_ARCHIVE: 'on',
    AUDIT_ARCHIVE_DIR: join(dataDir, 'audit-archive'),
  });
  const bundle = dirname(dirname(w.prometheusConfig));
  const sim = startSimulator(t, [...w.simulatorTarget, '--scenario', 'normal', '--minutes', '4', '--rate', '3', '--max-requests', '200000', '--seed', '20261207']);
  // A whole rate window of traffic, then traffic of every kind (checkouts, offline batches, prints) inside it
  // and the SLO recordings evaluated.
  await sleep((RATE_WINDOW_S + 2 * WATCH_SCRAPE_SECONDS) * 1000);
  await waitFor('a rate window of traffic in Prometheus', 240_000, async () => {
    if (!sim.running()) throw new Error(`the simulator exited early: ${sim.stderr().slice(-2000)}`);
    const seen = (m: string) => `sum(increase(${m}[${RATE_WINDOW}])) > 0`;
    const n = await query(w.prom, `${seen('orders_completed_total')} and on() ${seen('offline_sync_operations_total')} and on() ${seen('print_jobs_total')} and on() ${seen('probe_runs_total')} and on() count(tillwatch:slo_error_budget_remaining:ratio) > 0`);
    return n === undefined ? undefined : true;
  });

  const { panels, withData, emptyRare, missing } = await dashboardPanelData(bundle, RATE_WINDOW, (expr) => queryAll(w.prom, expr));
  await sim.stop();
  t.diagnostic(`${panels.size} panels: ${withData} with data, ${emptyRare.length} rare-event panels empty (${emptyRare.join('; ') || 'none'})`);
  assert.deepEqual(missing, [], 'every panel that is not about rare events shows data');

  // The printing dashboard carries the fourteen panels by name, in order.
  const printing = JSON.parse(readFileSync(join(bundle, 'grafana', 'dashboards', `${store.service}-printing.json`), 'utf8')) as { panels: { type: string; title: string }[] };
  assert.deepEqual(printing.panels.filter((p) => p.type !== 'row').map((p) => p.title), [...PRINTING_PANEL_TITLES]);
  // The backups panel shows the database backup and the audit trail's archival, each by its target.
  const targets = (await queryAll(w.prom, 'time() - max by (target) (backup_last_success_timestamp_seconds)')).map(([labels]) => labels.target).sort();
  assert.deepEqual(targets, ['audit_archive', 'database'], 'both jobs are on the backups panel');
  // The service's own catalogue has a dashboard, and its panels are among those checked.
  assert.ok([...panels.keys()].some((p) => p.startsWith(`${store.service}-own-metrics.json: store_request_rejections_total`)), 'the store\'s own metrics have panels');
});

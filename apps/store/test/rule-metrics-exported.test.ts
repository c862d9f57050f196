/**
 * Every metric a generated rule reads is exported by the running store. The catalogue
 * check at generate time proves each name is declared; this proves the store really exposes it: the store as
 * `npm start` runs it, with every feature and its simulated providers, a short simulator run (normal scenario;
 * a few more while a series has no sample yet), then its /metrics. The rules are the generator's own model of the store's deploy config (deploy/tillwatch.config.ts,
 * the bundle committed under deploy/), and the names are extracted with the spec's own PromQL metric-name
 * extraction (`promqlMetricNames`). Metrics whose catalogue status is `planned` (nothing records them yet)
 * are listed, not required. The same run also requires a sample of every catalogue metric not marked planned (a
 * recorder that nothing calls fails here), except the few listed in NOT_IN_NORMAL_TRAFFIC with the test proving each.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { catalogueSeries, listMetrics, PROMETHEUS_SERIES, promqlMetricNames, type AnyMetricHandle } from '@tillwatch/spec';
import { loadConfig } from '../../../packages/cli/src/load/load-config.ts';
import { modelOf } from '../../../packages/cli/src/generate.ts';
import { startPaymentProvider } from '../src/sim/payment-provider.ts';
import { startSmsProvider } from '../src/sim/sms-provider.ts';
import { startWarehouse } from '../src/sim/warehouse.ts';
import { startSimulator } from './helpers/alerting/simulator.ts';
import { startStoreProcess } from './helpers/alerting/store-process.ts';
import { STORE_DEPLOY_CONFIG } from './helpers/alerting/test-bundle.ts';

/**
 * Catalogue metrics the store records only on paths normal traffic does not take, each proven by its own test.
 * Everything else in the catalogue (not marked planned) must get a sample from the simulator's normal scenario.
 */
const NOT_IN_NORMAL_TRAFFIC: Readonly<Record<string, string>> = {
  // The runtime's own failure counters: nothing failed (packages/tillwatch/test/metrics.test.ts, packages/otel/test/trace.test.ts).
  tillwatch_metrics_invalid_observations_total: 'counts invalid observations; the store records valid ones',
  tillwatch_metrics_collect_errors_total: 'counts throwing collect callbacks',
  tillwatch_sink_errors_total: 'counts failed sink writes',
  tillwatch_trace_spans_dropped_total: 'counts spans dropped by a full export queue (tracing is off here)',
  // Failure paths of the store, driven by their own tests.
  payments_reconciliations_total: 'payments whose outcome is unknown (apps/store/test/payment-outcomes.test.ts)',
  sync_errors_total: 'a failing sales-sync target (apps/store/test/sales-sync.test.ts)',
  backup_failures_total: 'a failing backup (packages/tillwatch/test/job-reporter.test.ts)',
  db_query_failures_total: 'a failing query (packages/tillwatch/test/db-pg.test.ts)',
  db_connection_errors_total: 'a lost database connection (packages/tillwatch/test/postgres-faults.test.ts)',
  cache_errors_total: 'a failing cache backend (packages/tillwatch/test/redis.test.ts)',
  // The store as started here runs on embedded PGlite (no pool) and an in-memory cache (no Redis).
  db_pool_acquire_duration_seconds: 'a pg pool (packages/tillwatch/test/db-pg.test.ts)',
  redis_command_duration_seconds: 'Redis (packages/tillwatch/test/redis.test.ts)',
  redis_command_errors_total: 'Redis (packages/tillwatch/test/redis.test.ts)',
  redis_memory_used_bytes: 'Redis (packages/tillwatch/test/redis.test.ts)',
  redis_memory_max_bytes: 'Redis (packages/tillwatch/test/redis.test.ts)',
  redis_evicted_keys_total: 'Redis (packages/tillwatch/test/redis.test.ts)',
  redis_connected_clients: 'Redis (packages/tillwatch/test/redis.test.ts)',
};

/** The series that shows a metric was recorded: a histogram's `_count`, otherwise its name. */
function sampleName(m: AnyMetricHandle): string {
  return m.type === 'histogram' ? `${m.name}_count` : m.name;
}

const CLI = new URL('../../../packages/cli/src/main.ts', import.meta.url).pathname;

/** Metric names with at least one sample in a Prometheus text exposition. */
function sampledNames(text: string): Set<string> {
  const out = new Set<string>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
    if (m) out.add(m[1] as string);
  }
  return out;
}

test('every metric read by a generated rule is exported by the store after a simulator run (planned metrics excepted)', { timeout: 300_000 }, async (t) => {
  // The rules: what `tillwatch generate --config deploy/tillwatch.config.ts` renders into prometheus/rules/.
  const model = modelOf(await loadConfig(STORE_DEPLOY_CONFIG), STORE_DEPLOY_CONFIG);
  const recorded = new Set(model.groups.flatMap((g) => g.recordings.map((r) => r.record)));
  const exprs = model.groups.flatMap((g) => [...g.recordings.map((r) => r.expr), ...g.alerts.map((a) => a.expr)]);
  assert.ok(exprs.length > 0, 'the store config generates rules');
  const read = new Set(exprs.flatMap((e) => promqlMetricNames(e)).filter((n) => !recorded.has(n) && !PROMETHEUS_SERIES.includes(n)));
  const catalogue = catalogueSeries();
  const undeclared = [...read].filter((n) => !catalogue.has(n));
  assert.deepEqual(undeclared, [], 'every series a rule reads is a catalogue metric');

  // The store as deployed (`npm start`), so /metrics is what Prometheus would scrape in production,
  // runtime metrics included (the in-process test harness turns those off).
  const payment = await startPaymentProvider();
  t.after(() => payment.close());
  const sms = await startSmsProvider();
  t.after(() => sms.close());
  const warehouse = await startWarehouse();
  t.after(() => warehouse.close());
  const backupDir = mkdtempSync(join(tmpdir(), 'store-backup-'));
  t.after(() => rmSync(backupDir, { recursive: true, force: true }));
  const store = await startStoreProcess(t, { PAYMENT_PROVIDER_URL: payment.url, SMS_PROVIDER_URL: sms.url, WAREHOUSE_URL: warehouse.url, SALES_SYNC_INTERVAL_MS: '200', BACKUP_DIR: backupDir, DEPENDENCY_CHECK_INTERVAL_MS: '1000', SYNTHETIC_JOURNEYS: 'on', SYNTHETIC_INTERVAL_MS: '5000' });

  // Beyond the rules: every catalogue metric not marked planned must be recorded by the store's normal traffic, so a
  // recorder that nothing calls fails here (except the few listed in NOT_IN_NORMAL_TRAFFIC, with the reason).
  assert.deepEqual(Object.keys(NOT_IN_NORMAL_TRAFFIC).filter((n) => !listMetrics().some((m) => m.name === n)), [], 'the exemptions name catalogue metrics');
  const everyMetric = listMetrics().filter((m) => m.status !== 'planned' && !Object.hasOwn(NOT_IN_NORMAL_TRAFFIC, m.name));
  // What another short run could still bring; a failure-path counter (NOT_IN_NORMAL_TRAFFIC) never comes, so no run waits for it.
  const required = [...new Set([...[...read].filter((n) => catalogue.get(n)?.status !== 'planned' && !Object.hasOwn(NOT_IN_NORMAL_TRAFFIC, n)), ...everyMetric.map(sampleName)])];
  const scrape = async () => (await fetch(`${store.url}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();

  // Some series only get their first sample from a random event (a card decline is about 1 in 25 payments),
  // and a loaded machine rings up fewer sales in the same 15 s: run again (another seed) while something is
  // missing, at most MAX_RUNS short runs.
  const MAX_RUNS = 4;
  let text = '';
  let runs = 0;
  for (; runs < MAX_RUNS; runs++) {
    const sim = startSimulator(t, ['--url', store.url, '--payment-url', payment.url, '--warehouse-url', warehouse.url, '--scenario', 'normal', '--minutes', '0.25', '--rate', '4', '--seed', String(42 + runs)]);
    const run = await Promise.race([sim.done, sleep(120_000, undefined, { ref: false }).then(() => undefined)]);
    assert.ok(run, `the simulator finished within 2 minutes; stderr: ${sim.stderr().slice(-2000)}`);
    assert.equal(run.code, 0, `the simulator succeeded: ${run.stderr.slice(-2000)}`);
    assert.ok((run.summary?.counts.orders_completed ?? 0) > 0, `the run completed orders: ${JSON.stringify(run.summary?.counts)}`);
    // The sales-sync worker ships the run's sales in the background (every 200 ms here): give it a bounded moment.
    const deadline = Date.now() + 15_000;
    text = await scrape();
    while (required.some((n) => !sampledNames(text).has(n)) && Date.now() < deadline) {
      await sleep(250);
      text = await scrape();
    }
    const unsampled = required.filter((n) => !sampledNames(text).has(n));
    if (unsampled.length === 0) break;
    t.diagnostic(`after run ${runs + 1}, no sample yet of: ${unsampled.join(', ')}`);
  }
  const exported = sampledNames(text);
  const total = (name: string) => text.split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `)).reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
  t.diagnostic(`${Math.min(runs + 1, MAX_RUNS)} simulator run(s); payment failure ratio (payments_failures_total / payments_attempts_total): ${(total('payments_failures_total') / total('payments_attempts_total')).toFixed(3)}`);

  // A counter the store registered but never had to increment (no query failed during normal traffic) is
  // exported with no sample yet: a legitimate zero, listed rather than required.
  const registeredCounters = new Set([...text.matchAll(/^# TYPE (\S+) counter$/gm)].map((x) => x[1]!));
  const zeroCounters: string[] = [];
  const planned: string[] = [];
  const plannedButExported: string[] = [];
  const missing: string[] = [];
  for (const name of [...read].sort()) {
    const handle = catalogue.get(name);
    if (handle === undefined) continue;
    if (handle.status === 'planned') {
      planned.push(name);
      if (exported.has(name)) plannedButExported.push(name);
    } else if (!exported.has(name)) {
      if (handle.type === 'counter' && registeredCounters.has(name)) zeroCounters.push(name);
      else missing.push(`${name} (catalogue group ${handle.group}, registered by ${handle.owner})`);
    }
  }
  t.diagnostic(`rules read ${read.size} catalogue series; ${read.size - planned.length} exported-status series checked against /metrics`);
  t.diagnostic(`planned (not required until something records them): ${planned.join(', ') || '-'}`);
  t.diagnostic(`registered counters with nothing counted yet: ${zeroCounters.join(', ') || '-'}`);
  if (plannedButExported.length > 0) t.diagnostic(`planned but already exported (their catalogue status can become 'exported'): ${plannedButExported.join(', ')}`);

  const neverRecorded = everyMetric.filter((m) => !exported.has(sampleName(m))).map((m) => `${m.name} (catalogue group ${m.group}, registered by ${m.owner})`);
  t.diagnostic(`catalogue metrics not expected in normal traffic: ${Object.keys(NOT_IN_NORMAL_TRAFFIC).join(', ')}`);
  t.diagnostic(`never recorded: ${neverRecorded.join(', ') || '-'}`);
  assert.deepEqual(missing, [], 'every exported-status metric a rule reads has samples in /metrics after the run');
  assert.deepEqual(neverRecorded, [], 'every catalogue metric not marked planned is recorded during the simulated traffic');

  // No dead selectors: `tillwatch check --live`, the real CLI, against the same store: every label value a rule
  // or SLO selects is one the store exports (or, for a closed label, one it declares).
  const cli = spawnSync(process.execPath, [CLI, 'check', '--live', `${store.url}/metrics`, '--config', STORE_DEPLOY_CONFIG], { encoding: 'utf8', timeout: 60_000 });
  t.diagnostic(`tillwatch check --live: ${cli.stdout.trim().split('\n').filter((l) => !l.startsWith('skip')).join(' | ')}`);
  assert.equal(cli.status, 0, `tillwatch check --live found dead selectors:\n${cli.stdout}${cli.stderr}`);
  assert.match(cli.stdout, /^ok {2}\d+ selectors/m);
});

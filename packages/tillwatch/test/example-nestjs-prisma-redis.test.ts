/**
 * examples/nestjs-prisma-redis, the seed's liquor POS (NestJS + Prisma 7 + Redis), run as its README says against
 * the real Postgres and Redis, each behind a TCP fault proxy (the shared services are never stopped), with its
 * age-verification stand-in on a free port.
 *
 * 1. Its Prisma queries (by model and action, inside the sale's transaction too), the pg pool under the adapter,
 *    the Redis cache (commands, INFO, hits and misses of keyspace `products`) and the outbound age check are on
 *    /metrics, /health/external reports its three dependencies, and `tillwatch check --live` finds every rule of
 *    its deploy config selecting something it exports.
 * 2. A real `prometheus` evaluates the rules `tillwatch generate` writes from its deploy config (scrape and
 *    evaluation every 1 s, `rateWindow: 30s`, the alerts below `for: 5s`) while requests go on:
 *    - Redis reset at the proxy: lookups fail and go to the database, so CacheHitRateLow (reading the pack's
 *      hit-ratio recording) fires for keyspace `products`, and DependencyDown for `redis`; products still answer 200;
 *    - Postgres black-holed at the proxy: statements fail at the pool's timeouts, so DbQueryFailureRateHigh,
 *      HttpErrorRateHigh (sales answer 503) and DependencyDown for `postgres` fire;
 *    - Postgres slowed at the proxy (1.5 s each way) while nine cashiers sell at once: statements hold their
 *      connections, DbPoolNearlyExhausted fires;
 *    - the service stopped: ServiceDown fires.
 * Every wait polls a condition with a deadline; the diagnostics say how long each alert took from its fault.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startAgeCheckStandIn } from '../../../examples/nestjs-prisma-redis/age-check-stand-in.ts';
import { freePort, getJson, startPrometheus, tempDir, waitFor, type ChildService } from '../../../apps/store/test/helpers/alerting/processes.ts';
import { generateTestBundle } from '../../../apps/store/test/helpers/alerting/test-bundle.ts';
import { waitForScrape } from '../../../apps/store/test/helpers/alerting/e2e-stack.ts';
import { runCli } from '../../cli/test/helpers.ts';
import { startFaultProxy } from './helpers/fault-proxy.ts';
import { startListening } from './helpers/listening-child.ts';
import { dropTestDatabase, hasCommand, POSTGRES_URL, REDIS_URL, requireReal, tcpReachable } from './helpers/real-parts.ts';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const EXAMPLE = join(REPO, 'examples/nestjs-prisma-redis');

async function firingAlerts(prom: ChildService, name: string): Promise<Record<string, string>[]> {
  const r = await getJson<{ data: { alerts: { labels: Record<string, string>; state: string }[] } }>(`${prom.url}/api/v1/alerts`);
  return r.data.alerts.filter((a) => a.labels.alertname === name && a.state === 'firing').map((a) => a.labels);
}

/** The value of one exact sample line (`name{labels}`), NaN when absent. */
function sample(body: string, series: string): number {
  return Number(body.split('\n').find((l) => l.startsWith(`${series} `))?.split(' ')[1]);
}

test('the NestJS + Prisma + Redis example records its queries, pool, cache and age check, and its data-layer alerts fire in Prometheus under real faults', { timeout: 600_000 }, async (t: TestContext) => {
  if (!requireReal(t, 'Postgres', await tcpReachable(5432), 'a Postgres on 127.0.0.1:5432')) return;
  if (!requireReal(t, 'Redis', await tcpReachable(6379), 'a Redis on 127.0.0.1:6379')) return;
  if (!requireReal(t, 'prometheus', hasCommand('prometheus'), 'apt-get install prometheus')) return;
  const t0 = Date.now();
  const since = (from = t0) => `${((Date.now() - from) / 1000).toFixed(1)} s`;

  // The client the example loads, generated as its README says.
  const gen = spawnSync(join(REPO, 'node_modules/.bin/prisma'), ['generate', '--schema', join(EXAMPLE, 'prisma/schema.prisma')], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: '/bin/true', PRISMA_HIDE_UPDATE_MESSAGE: '1' },
  });
  assert.equal(gen.status, 0, `prisma generate: ${gen.stdout}${gen.stderr}`);

  // Its own database on the shared Postgres, dropped afterwards.
  const dbName = `tw_example_pos_${process.pid}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  t.after(async () => {
    await dropTestDatabase(admin, dbName);
    await admin.end();
  });
  const pgProxy = await startFaultProxy({ host: '127.0.0.1', port: 5432 });
  const redisTarget = new URL(REDIS_URL);
  const redisProxy = await startFaultProxy({ host: redisTarget.hostname, port: Number(redisTarget.port || 6379) });
  t.after(() => Promise.all([pgProxy.close(), redisProxy.close()]));
  const ageCheck = await startAgeCheckStandIn();
  t.after(() => ageCheck.close());

  const dbUrl = new URL(POSTGRES_URL);
  dbUrl.port = String(pgProxy.port);
  dbUrl.hostname = pgProxy.host;
  dbUrl.pathname = `/${dbName}`;
  const service = await startListening(process.execPath, ['examples/nestjs-prisma-redis/server.ts'], {
    cwd: REPO,
    env: {
      ...process.env,
      PORT: '0',
      DATABASE_URL: dbUrl.href,
      REDIS_URL: `redis://${redisProxy.host}:${redisProxy.port}`,
      AGE_CHECK_URL: ageCheck.url,
      DEPENDENCY_CHECK_INTERVAL_MS: '500',
      REDIS_INFO_INTERVAL_MS: '1000',
    },
  }, 120_000);
  t.after(() => service.stop());
  t.diagnostic(`${since()}: the example listens at ${service.url}`);
  const api = (path: string, init?: RequestInit) => fetch(`${service.url}/api${path}`, { ...init, signal: AbortSignal.timeout(15_000) });
  const sell = (sku: string, quantity = 1) => api('/sales', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ lines: [{ sku, quantity }] }) });

  // --- 1. what it records ------------------------------------------------------------------------------------
  const first = await api('/products');
  assert.equal(first.status, 200, service.output().slice(-4000));
  const products = (await first.json()) as { sku: string; stock: number }[];
  assert.deepEqual(products.map((p) => p.sku), ['gin-70cl', 'ipa-6', 'tonic-1l']);
  assert.equal((await api('/products')).status, 200);
  const sale = await sell('gin-70cl', 2);
  assert.equal(sale.status, 201, await sale.clone().text());
  const saleBody = (await sale.json()) as { totalCents: number; verifiedBy: string | null; lines: unknown[] };
  assert.equal(saleBody.totalCents, 2 * 2499);
  assert.equal(saleBody.lines.length, 1);
  assert.equal(typeof saleBody.verifiedBy, 'string', 'the gin sale was age-checked at the provider');
  assert.equal(ageCheck.verifications, 1);
  const after = (await (await api('/products')).json()) as { sku: string; stock: number }[];
  assert.equal(after.find((p) => p.sku === 'gin-70cl')?.stock, 38, 'the sale took two bottles, and the cache was invalidated');

  const external = await fetch(`${service.url}/health/external`);
  const externalBody = JSON.stringify(await external.json());
  assert.equal(external.status, 200, externalBody);
  for (const name of ['postgres', 'redis', 'age_verification']) assert.ok(externalBody.includes(name), `${name} in /health/external: ${externalBody}`);

  // INFO is sampled every second: wait for one sample rather than betting on timing.
  const metrics = await waitFor('a Redis INFO sample on /metrics', 30_000, async () => {
    const body = await (await fetch(`${service.url}/metrics`)).text();
    return sample(body, 'redis_memory_used_bytes{connection="cache"}') > 0 ? body : undefined;
  });
  const expect = (series: string, check: (v: number) => boolean, what: string) => assert.ok(check(sample(metrics, series)), `${series} ${what}, got ${sample(metrics, series)}\n${metrics.split('\n').filter((l) => /^(db_|cache_|redis_|dependency_)/.test(l)).join('\n')}`);
  expect('db_query_duration_seconds_count{operation="select",table="product"}', (v) => v >= 3, 'counts the product lookups (cache misses and the sale)');
  expect('db_query_duration_seconds_count{operation="update",table="product"}', (v) => v === 1, 'counts the stock update inside the transaction');
  expect('db_query_duration_seconds_count{operation="insert",table="sale"}', (v) => v === 1, 'counts the sale insert inside the transaction');
  expect('db_pool_max_connections{pool="prisma"}', (v) => v === 5, 'is the pool size');
  expect('db_pool_acquire_duration_seconds_count{pool="prisma"}', (v) => v >= 1, 'counts checkouts by the adapter');
  expect('cache_misses_total{cache="products"}', (v) => v === 2, 'counts the cold and the invalidated lookup');
  expect('cache_hits_total{cache="products"}', (v) => v === 1, 'counts the warm lookup');
  expect('redis_command_duration_seconds_count{connection="cache",family="string"}', (v) => v >= 4, 'counts GET and SET');
  expect('redis_command_duration_seconds_count{connection="cache",family="key"}', (v) => v === 1, 'counts the DEL of the invalidation');
  expect('dependency_request_duration_seconds_count{dependency="age_verification",outcome="ok"}', (v) => v === 1, 'counts the age check');
  for (const d of ['postgres', 'redis', 'age_verification']) expect(`dependency_up{dependency="${d}"}`, (v) => v === 1, 'is up');

  const live = runCli(['check', '--live', `${service.url}/metrics`, '--config', 'examples/nestjs-prisma-redis/tillwatch.config.ts']);
  assert.equal(live.status, 0, `tillwatch check --live:\n${live.stdout}${live.stderr}`);

  // --- 2. alerts in a real Prometheus under real faults --------------------------------------------------------
  const dir = tempDir(t, 'tillwatch-example-bundle-');
  writeFileSync(join(dir, 'pagerduty_routing_key'), 'unused');
  writeFileSync(join(dir, 'slack_webhook_url'), 'http://127.0.0.1:9/unused');
  const promPort = await freePort();
  const bundle = await generateTestBundle(dir, {
    baseConfig: join(EXAMPLE, 'tillwatch.config.ts'),
    alerts: {
      thresholds: { rateWindow: '30s' },
      overrides: Object.fromEntries(['CacheHitRateLow', 'DbQueryFailureRateHigh', 'DbPoolNearlyExhausted', 'DependencyDown', 'HttpErrorRateHigh', 'ServiceDown'].map((n) => [n, { for: '5s' }])),
    },
    prometheus: {
      scrape: { targets: [new URL(service.url).host], intervalSeconds: 1 },
      evaluationIntervalSeconds: 1,
      // No Alertmanager in this test: what fires is read from Prometheus' own API.
      alertmanagers: [`127.0.0.1:${await freePort()}`],
    },
    alertmanager: {
      receivers: {
        pagerduty: { routingKey: { file: join(dir, 'pagerduty_routing_key') } },
        slack: { apiUrl: { file: join(dir, 'slack_webhook_url') }, channel: '#pos-e2e' },
        email: { to: 'pos@example.com', from: 'alertmanager@example.com', smarthost: '127.0.0.1:9', requireTls: false },
      },
    },
  });
  const prom = await startPrometheus(t, bundle.prometheusConfig, promPort);
  await waitForScrape(prom);
  t.diagnostic(`${since()}: Prometheus scrapes the example`);

  // Cashiers at work: the catalogue is looked up a few times a second; while `selling`, tonic (no age check) is
  // sold as well (each sale invalidates the cached catalogue, so the Redis phase browses only).
  const direct = new URL(POSTGRES_URL);
  direct.pathname = `/${dbName}`;
  const shop = new pg.Client({ connectionString: direct.href });
  await shop.connect();
  await shop.query(`UPDATE example_products SET stock = 1000000 WHERE sku = 'tonic-1l'`);
  await shop.end();
  let busy = true;
  let selling = false;
  const statuses = { products: new Map<number, number>(), sales: new Map<number, number>() };
  const count = (m: Map<number, number>, s: number) => m.set(s, (m.get(s) ?? 0) + 1);
  const traffic = (async () => {
    while (busy) {
      await api('/products').then((r) => (count(statuses.products, r.status), r.arrayBuffer())).catch(() => count(statuses.products, 0));
      if (selling) await sell('tonic-1l').then((r) => (count(statuses.sales, r.status), r.arrayBuffer())).catch(() => count(statuses.sales, 0));
      await sleep(100);
    }
  })();
  t.after(async () => {
    busy = false;
    await traffic;
  });
  // A warm cache first: the hit ratio is high, nothing fires.
  await waitFor('the hit-ratio recording to read above 0.8', 60_000, async () => {
    const r = await getJson<{ data: { result: { value: [number, string] }[] } }>(`${prom.url}/api/v1/query?query=${encodeURIComponent('tillwatch:cache_hit:ratio_rate30s{cache="products"}')}`);
    return Number(r.data.result[0]?.value[1]) > 0.8 ? true : undefined;
  });
  for (const name of ['CacheHitRateLow', 'DbQueryFailureRateHigh', 'DbPoolNearlyExhausted', 'DependencyDown', 'HttpErrorRateHigh', 'ServiceDown']) assert.deepEqual(await firingAlerts(prom, name), [], `${name} is quiet before any fault`);

  // --- Redis reset ---
  statuses.products.clear();
  redisProxy.set('reset');
  const redisDown = Date.now();
  const cacheAlert = await waitFor('CacheHitRateLow firing for products', 120_000, async () => (await firingAlerts(prom, 'CacheHitRateLow')).find((l) => l.cache === 'products'));
  const cacheAfter = since(redisDown);
  await waitFor('DependencyDown firing for redis', 120_000, async () => (await firingAlerts(prom, 'DependencyDown')).find((l) => l.dependency === 'redis'));
  t.diagnostic(`Redis reset: CacheHitRateLow (${cacheAlert.severity}) firing ${cacheAfter} after, DependencyDown{dependency="redis"} ${since(redisDown)} after`);
  assert.ok((statuses.products.get(200) ?? 0) > 0 && [...statuses.products.keys()].every((s) => s === 200), `products are served from the database while Redis is down: ${JSON.stringify([...statuses.products])}`);
  assert.equal((await fetch(`${service.url}/health/ready`)).status, 200, 'an optional cache down degrades readiness, it does not fail it');
  redisProxy.set('pass');
  await waitFor('dependency_up{dependency="redis"} back to 1', 60_000, async () => (sample(await (await fetch(`${service.url}/metrics`)).text(), 'dependency_up{dependency="redis"}') === 1 ? true : undefined));

  // --- Postgres black-holed: every byte to it is dropped, so statements fail at the pool's connection and query
  // timeouts ---
  selling = true;
  await waitFor('a sale while the database is up', 60_000, () => ((statuses.sales.get(201) ?? 0) > 0 ? true : undefined));
  statuses.sales.clear();
  pgProxy.set('blackhole');
  const pgDown = Date.now();
  const fired = new Map<string, string>();
  await waitFor('DbQueryFailureRateHigh, HttpErrorRateHigh and DependencyDown (postgres) firing', 120_000, async () => {
    for (const name of ['DbQueryFailureRateHigh', 'HttpErrorRateHigh']) if (!fired.has(name) && (await firingAlerts(prom, name)).length > 0) fired.set(name, since(pgDown));
    if (!fired.has('DependencyDown') && (await firingAlerts(prom, 'DependencyDown')).some((l) => l.dependency === 'postgres')) fired.set('DependencyDown', since(pgDown));
    return fired.size === 3 ? true : undefined;
  }).catch(async (err: Error) => {
    const body = await (await fetch(`${service.url}/metrics`)).text();
    throw new Error(`${err.message}; fired: ${[...fired.keys()].join(', ') || 'none'}; sales ${JSON.stringify([...statuses.sales])}\n${body.split('\n').filter((l) => /^(db_pool|db_query_failures|dependency_up|http_requests_total)/.test(l)).join('\n')}`);
  });
  t.diagnostic(`Postgres black-holed: ${[...fired].map(([n, s]) => `${n} firing ${s} after`).join(', ')}`);
  await waitFor('a sale answered 503 while the database is unreachable', 60_000, () => ((statuses.sales.get(503) ?? 0) > 0 ? true : undefined));
  assert.ok(!statuses.sales.has(500), 'never a 500');
  // Reset, then pass: the connections that lost bytes are closed rather than left out of step.
  pgProxy.set('reset');
  pgProxy.set('pass');
  statuses.sales.clear();
  await waitFor('a sale once the database is back', 60_000, () => ((statuses.sales.get(201) ?? 0) > 0 ? true : undefined));

  // --- a slow database: 1.5 s each way at the proxy, so every statement holds its connection for over 3 s ---
  pgProxy.set('pass', { latencyMs: 1500 });
  const slowFrom = Date.now();
  // A rush at the tills: eight more cashiers selling at once, until the alert fires.
  let rush = true;
  const rushers = Array.from({ length: 8 }, async () => {
    while (rush) await sell('tonic-1l').then((r) => r.arrayBuffer()).catch(() => undefined);
  });
  try {
    await waitFor('DbPoolNearlyExhausted firing', 120_000, async () => ((await firingAlerts(prom, 'DbPoolNearlyExhausted')).length > 0 ? true : undefined));
  } finally {
    rush = false;
    pgProxy.set('pass');
    await Promise.all(rushers);
  }
  t.diagnostic(`Postgres slowed, nine cashiers selling: DbPoolNearlyExhausted firing ${since(slowFrom)} after`);
  busy = false;
  await traffic;
  const failures = await (await fetch(`${service.url}/metrics`)).text();
  assert.ok(failures.split('\n').some((l) => l.startsWith('db_query_failures_total{') && Number(l.split(' ')[1]) > 0), 'the failed queries are counted');

  // --- the service stopped ---
  assert.equal(await service.stop(), 0, service.output().slice(-4000));
  const stopped = Date.now();
  await waitFor('ServiceDown firing', 120_000, async () => ((await firingAlerts(prom, 'ServiceDown')).length > 0 ? true : undefined));
  t.diagnostic(`service stopped: ServiceDown firing ${since(stopped)} after`);
});

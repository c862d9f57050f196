/**
 * Data-layer alerts end to end: the real store, scraped every second by a real `prometheus` evaluating the rules
 * `tillwatch generate` wrote from the store's deploy config, alerting a real `prometheus-alertmanager` that routes
 * to local PagerDuty and Slack receivers. Two real faults, one after the other:
 *
 * - the slow-db fault (every statement waits 150 ms, over the store's 100 ms slow-query threshold) while product
 *   lookups go on: SlowQueries (warning) reaches Slack;
 * - Redis (the product cache, reached through a TCP fault proxy: the shared Redis is never stopped) resetting every
 *   connection: its periodic check flips `dependency_up{dependency="redis"}` to 0, DependencyDown (critical) pages
 *   PagerDuty for `redis`, and readiness only degrades (200) while products are served from the database;
 * - the payment provider stopped: its periodic check (every 500 ms here) flips `dependency_up` to 0,
 *   DependencyDown (critical) pages PagerDuty, and readiness fails.
 *
 * Test-only settings through the deploy config: scrape and evaluation every 1 s, `rateWindow: 30s`, SlowQueries at
 * 5 a minute and both alerts `for: 5s`. Every wait is bounded and polls a condition; the diagnostics say how long
 * each alert took from its fault.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { startFaultProxy } from '../../../packages/tillwatch/test/helpers/fault-proxy.ts';
import { hasCommand, REDIS_URL, requireReal, tcpReachable } from '../../../packages/tillwatch/test/helpers/real-parts.ts';
import { Redis } from 'ioredis';
import { startAlertingStack, startLocalReceivers, waitForScrape } from './helpers/alerting/e2e-stack.ts';
import { getJson, waitFor, type ChildService } from './helpers/alerting/processes.ts';
import { startHarness } from './helpers/store-harness.ts';

async function firing(prom: ChildService, name: string, dependency?: string): Promise<boolean> {
  const r = await getJson<{ data: { alerts: { labels: Record<string, string>; state: string }[] } }>(`${prom.url}/api/v1/alerts`);
  return r.data.alerts.some((a) => a.labels.alertname === name && a.state === 'firing' && (dependency === undefined || a.labels.dependency === dependency));
}

test('slow queries reach Slack, and Redis reset at a proxy or a stopped payment provider pages as DependencyDown', { timeout: 300_000 }, async (t: TestContext) => {
  if (!requireReal(t, 'prometheus', hasCommand('prometheus'), 'apt-get install prometheus')) return;
  if (!requireReal(t, 'Redis', await tcpReachable(6379), 'a Redis on 127.0.0.1:6379')) return;
  if (!requireReal(t, 'prometheus-alertmanager', hasCommand('prometheus-alertmanager'), 'apt-get install prometheus-alertmanager')) return;
  const t0 = Date.now();
  const since = (from = t0) => `${((Date.now() - from) / 1000).toFixed(1)} s`;

  const receivers = await startLocalReceivers(t);
  const { pd, slack } = receivers;
  const redisTarget = new URL(REDIS_URL);
  const redisProxy = await startFaultProxy({ host: redisTarget.hostname, port: Number(redisTarget.port || 6379) });
  t.after(() => redisProxy.close());
  const keyPrefix = `store-data-alerts:${process.pid}:`;
  t.after(async () => {
    const r = new Redis(REDIS_URL);
    const keys = await r.keys(`${keyPrefix}*`);
    if (keys.length > 0) await r.del(...keys);
    await r.quit();
  });
  const h = await startHarness(t, 'pglite', {
    features: 'none',
    env: { DEPENDENCY_CHECK_INTERVAL_MS: '500', SLOW_QUERY_MS: '100', REDIS_URL: `redis://${redisProxy.host}:${redisProxy.port}`, REDIS_KEY_PREFIX: keyPrefix },
  });
  if (!h) return;
  const { prom } = await startAlertingStack(t, {
    storeUrl: h.url,
    receivers,
    alerts: {
      thresholds: { rateWindow: '30s', slowQueriesPerMinute: 5 },
      overrides: { SlowQueries: { for: '5s' }, DependencyDown: { for: '5s' } },
    },
  });
  await waitForScrape(prom);
  t.diagnostic(`${since()}: Prometheus scrapes the store`);
  assert.equal(await firing(prom, 'DependencyDown'), false, 'DependencyDown is quiet while the provider is up');
  assert.equal(await firing(prom, 'SlowQueries'), false, 'SlowQueries is quiet before the fault');

  // --- slow database ------------------------------------------------------------------------------------
  const admin = await h.token('admin');
  const cashier = await h.token('cashier');
  assert.equal((await h.api('PUT', '/admin/faults', { token: admin, body: { db_latency_ms: 150 } })).status, 200);
  const slowOn = Date.now();
  let lookups = true;
  const traffic = (async () => {
    while (lookups) await h.api('GET', '/products', { token: cashier }).catch(() => undefined);
  })();
  try {
    await waitFor('SlowQueries firing in Prometheus', 120_000, async () => ((await firing(prom, 'SlowQueries')) ? true : undefined));
    const promAfter = since(slowOn);
    const msg = await waitFor('SlowQueries at the Slack receiver', 60_000, async () => slack.messages.find((m) => m.alertname === 'SlowQueries'));
    t.diagnostic(`SlowQueries: firing in Prometheus ${promAfter} after the slow-db fault, at Slack ${((msg.at - slowOn) / 1000).toFixed(1)} s after`);
  } finally {
    lookups = false;
    await traffic;
    await h.api('PUT', '/admin/faults', { token: admin, body: { db_latency_ms: 0 } });
  }

  // --- Redis reset at the proxy --------------------------------------------------------------------------
  const metric = async (series: string) => Number((await (await fetch(`${h.url}/metrics`)).text()).split('\n').find((l) => l.startsWith(`${series} `))?.split(' ')[1]);
  assert.equal(await metric('dependency_up{dependency="redis"}'), 1, 'Redis is up through the proxy');
  redisProxy.set('reset');
  const redisDown = Date.now();
  await waitFor('dependency_up{dependency="redis"} to flip to 0', 60_000, async () => ((await metric('dependency_up{dependency="redis"}')) === 0 ? true : undefined));
  const flipped = since(redisDown);
  await waitFor('DependencyDown firing for redis in Prometheus', 120_000, async () => ((await firing(prom, 'DependencyDown', 'redis')) ? true : undefined));
  const redisFired = since(redisDown);
  const redisPage = await waitFor('a DependencyDown trigger for redis at PagerDuty', 60_000, async () => pd.events.find((e) => e.alertname === 'DependencyDown' && e.event.event_action === 'trigger' && /redis/.test(String(e.event.payload?.summary ?? ''))));
  t.diagnostic(`Redis reset: dependency_up 0 after ${flipped}, DependencyDown{dependency="redis"} firing in Prometheus ${redisFired} after, paged ${((redisPage.at - redisDown) / 1000).toFixed(1)} s after`);
  assert.equal((await h.api('GET', '/products', { token: cashier })).status, 200, 'products are served from the database without the cache');
  assert.equal((await fetch(`${h.url}/health/ready`)).status, 200, 'the cache is optional: readiness degrades, it does not fail');
  redisProxy.set('pass');
  await waitFor('dependency_up{dependency="redis"} back to 1', 60_000, async () => ((await metric('dependency_up{dependency="redis"}')) === 1 ? true : undefined));
  await waitFor('DependencyDown for redis to stop firing', 60_000, async () => (!(await firing(prom, 'DependencyDown', 'redis')) ? true : undefined));

  // --- payment provider stopped --------------------------------------------------------------------------
  await h.payment.close();
  const stopped = Date.now();
  await waitFor('DependencyDown firing for payment_provider in Prometheus', 120_000, async () => ((await firing(prom, 'DependencyDown', 'payment_provider')) ? true : undefined));
  const promAfter = since(stopped);
  const page = await waitFor('a DependencyDown trigger for payment_provider at PagerDuty', 60_000, async () => pd.events.find((e) => e.alertname === 'DependencyDown' && e.event.event_action === 'trigger' && /payment_provider/.test(String(e.event.payload?.summary ?? ''))));
  t.diagnostic(`DependencyDown: firing in Prometheus ${promAfter} after the payment provider stopped, paged ${((page.at - stopped) / 1000).toFixed(1)} s after`);
  assert.match(String(page.event.payload?.summary ?? ''), /payment_provider/);
  assert.equal((await fetch(`${h.url}/health/ready`)).status, 503, 'readiness fails without the required payment provider');
});

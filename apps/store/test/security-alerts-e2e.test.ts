/**
 * Security alerts end to end: the real store under the simulator's brute-force and password-spray scenarios,
 * scraped every second by a real `prometheus` evaluating the rules `tillwatch generate` wrote, routed by a real
 * `prometheus-alertmanager` to local PagerDuty and Slack receivers:
 *
 * - brute force (one source, many guesses) -> BruteForceSuspected, warning -> Slack;
 * - password spray (one source, one guess per user name) -> PasswordSpraySuspected, critical -> PagerDuty;
 * - cross-origin calls from a foreign Origin -> CorsViolations (threshold 3 here), warning -> Slack;
 * - one client over the store's rate limit -> RateLimitedClientsHigh (threshold 0 and `for: 0s` here), warning -> Slack.
 *
 * The attackers send from loopback addresses of their own (127.0.0.2 to 127.0.0.5), so the store's per-source
 * throttles and rate limit refuse them, not the simulated cashiers. Every wait is bounded and polls a condition.
 */
import assert from 'node:assert/strict';
import { Agent, request as httpRequest } from 'node:http';
import { test, type TestContext } from 'node:test';
import { hasCommand, requireReal } from '../../../packages/tillwatch/test/helpers/real-parts.ts';
import { startAlertingStack, startLocalReceivers, waitForScrape } from './helpers/alerting/e2e-stack.ts';
import { getJson, waitFor } from './helpers/alerting/processes.ts';
import { startSimulator } from './helpers/alerting/simulator.ts';
import { startHarness } from './helpers/store-harness.ts';

/** GET `path` from the local address `from`; the status. */
function getFrom(base: string, path: string, from: string, agent: Agent, headers: Record<string, string> = {}): Promise<number> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: u.hostname, port: u.port, path, localAddress: from, agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

test('brute force, password spray, CORS violations and rate-limited clients fire their alerts and route by severity', { timeout: 300_000 }, async (t: TestContext) => {
  if (!requireReal(t, 'prometheus', hasCommand('prometheus'), 'apt-get install prometheus')) return;
  if (!requireReal(t, 'prometheus-alertmanager', hasCommand('prometheus-alertmanager'), 'apt-get install prometheus-alertmanager')) return;
  const t0 = Date.now();
  const since = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;

  const receivers = await startLocalReceivers(t);
  const { pd, slack } = receivers;
  const h = await startHarness(t, 'pglite', { env: { RATE_LIMIT_PER_MINUTE: '3000' } });
  if (!h) return;
  const { prom, am } = await startAlertingStack(t, {
    storeUrl: h.url,
    receivers,
    alerts: {
      thresholds: { rateWindow: '30s', corsViolationsPer15m: 3, rateLimitedClients: 0 },
      overrides: { RateLimitedClientsHigh: { for: '0s' } },
    },
  });
  await waitForScrape(prom);
  await waitFor('Prometheus to discover the Alertmanager', 60_000, async () => {
    const r = await getJson<{ data: { activeAlertmanagers: unknown[] } }>(`${prom.url}/api/v1/alertmanagers`);
    return r.data.activeAlertmanagers.length > 0 ? true : undefined;
  });
  t.diagnostic(`${since()}: store ${h.url}, prometheus ${prom.url} (pid ${prom.pid}), alertmanager ${am.url} (pid ${am.pid})`);
  const at = (name: string, events: { alertname: string; at: number }[]) => events.find((e) => e.alertname === name);
  const sim = (scenario: string) =>
    startSimulator(t, ['--url', h.url, '--payment-url', h.payment.url, '--scenario', scenario, '--minutes', '0.5', '--rate', '1', '--seed', '7', '--no-agents']);

  // --- brute force: warning, to Slack --------------------------------------------------------------------
  const bf = sim('brute-force');
  const bfStart = Date.now();
  const bfAlert = await waitFor('BruteForceSuspected at the Slack receiver', 120_000, () => at('BruteForceSuspected', slack.messages));
  t.diagnostic(`${since()}: BruteForceSuspected reached Slack ${((bfAlert.at - bfStart) / 1000).toFixed(1)} s after the brute-force run started (attack from its 10th second)`);
  await bf.stop();

  // --- password spray: critical, to PagerDuty ------------------------------------------------------------
  const spray = sim('password-spray');
  const sprayStart = Date.now();
  const sprayAlert = await waitFor('PasswordSpraySuspected at the PagerDuty receiver', 120_000, () => pd.events.find((e) => e.alertname === 'PasswordSpraySuspected' && e.event.event_action === 'trigger'));
  t.diagnostic(`${since()}: PasswordSpraySuspected paged ${((sprayAlert.at - sprayStart) / 1000).toFixed(1)} s after the spray run started (attack from its 10th second)`);
  await spray.stop();

  // --- CORS violations and a rate-limited client: warnings, to Slack ----------------------------------------
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  t.after(() => agent.destroy());
  const corsStart = Date.now();
  for (let i = 0; i < 6; i++) await getFrom(h.url, '/', '127.0.0.4', agent, { origin: 'https://phish.example' });
  let limited = 0;
  for (let i = 0; i < 3200 && limited < 20; i += 50) {
    const batch = await Promise.all(Array.from({ length: 50 }, () => getFrom(h.url, '/', '127.0.0.5', agent)));
    limited += batch.filter((s) => s === 429).length;
  }
  assert.ok(limited > 0, 'the rate limit refused the flooding client');
  const corsAlert = await waitFor('CorsViolations at the Slack receiver', 120_000, () => at('CorsViolations', slack.messages));
  const rlAlert = await waitFor('RateLimitedClientsHigh at the Slack receiver', 120_000, () => at('RateLimitedClientsHigh', slack.messages));
  t.diagnostic(`${since()}: CorsViolations reached Slack ${((corsAlert.at - corsStart) / 1000).toFixed(1)} s and RateLimitedClientsHigh ${((rlAlert.at - corsStart) / 1000).toFixed(1)} s after the requests began`);

  // --- routing by severity ---------------------------------------------------------------------------------
  const onPd = new Set(pd.events.map((e) => e.alertname));
  const onSlack = new Set(slack.messages.map((m) => m.alertname));
  for (const name of ['BruteForceSuspected', 'CorsViolations', 'RateLimitedClientsHigh']) assert.ok(!onPd.has(name), `${name} (warning) did not page`);
  assert.ok(!onSlack.has('PasswordSpraySuspected'), 'PasswordSpraySuspected (critical) went to PagerDuty, not Slack');
  assert.equal(pd.events.find((e) => e.alertname === 'PasswordSpraySuspected')?.event.payload?.severity, 'critical');
});

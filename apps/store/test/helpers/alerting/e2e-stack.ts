/**
 * The alerting stack of the end-to-end tests in one place: the local receivers (PagerDuty Events v2, Slack
 * webhook, SMTP), and a real Prometheus and Alertmanager started from the bundle the real CLI generates for a
 * store at `storeUrl`: scrape and evaluation every second, group_wait 1 s, group_interval 5 s, repeat 1 h (a
 * second trigger can only be a duplicate), store hours all day (info mail is never held back), and the payments
 * team paging its own PagerDuty service (a second routing key), as the store's config routes it.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { TillwatchDeployConfig } from '@tillwatch/spec';
import { startPagerDutyReceiver, type PagerDutyReceiver } from './pagerduty-receiver.ts';
import { freePort, getJson, startAlertmanager, startPrometheus, tempDir, waitFor, type ChildService } from './processes.ts';
import { startSlackReceiver, type SlackReceiver } from './slack-receiver.ts';
import { startSmtpReceiver, type SmtpReceiver } from './smtp-receiver.ts';
import { generateTestBundle, type DeployOverrides } from './test-bundle.ts';

/** The stack's timings, for tests to derive their waits from (never from wall-clock guesses). */
export const STACK_TIMING = Object.freeze({ scrapeSeconds: 1, evaluationSeconds: 1, groupWaitSeconds: 1, groupIntervalSeconds: 5 });

export interface LocalReceivers {
  readonly routingKey: string;
  /** The payments team's own PagerDuty service (the store routes `team="payments"` there). */
  readonly paymentsRoutingKey: string;
  readonly pd: PagerDutyReceiver;
  readonly slack: SlackReceiver;
  readonly smtp: SmtpReceiver;
}

/** Starts the three receivers, closed in `t.after`. */
export async function startLocalReceivers(t: TestContext): Promise<LocalReceivers> {
  const routingKey = randomBytes(16).toString('hex'); // Events v2 integration keys are 32 characters
  const paymentsRoutingKey = randomBytes(16).toString('hex');
  const pd = await startPagerDutyReceiver([routingKey, paymentsRoutingKey]);
  t.after(() => pd.close());
  const slack = await startSlackReceiver();
  t.after(() => slack.close());
  const smtp = await startSmtpReceiver();
  t.after(() => smtp.close());
  return { routingKey, paymentsRoutingKey, pd, slack, smtp };
}

export interface AlertingStack {
  readonly prom: ChildService;
  readonly am: ChildService;
  /** The generated prometheus.yml (the bundle is the directory above its directory). */
  readonly prometheusConfig: string;
}

/**
 * The test's Alertmanager settings: the local receivers (secrets in files under `dir`), short group timings
 * (STACK_TIMING), repeat 1 h, store hours all day, and the payments team paging its own PagerDuty service.
 */
export function testAlertmanagerConfig(dir: string, receivers: LocalReceivers): TillwatchDeployConfig['alertmanager'] {
  const { pd, slack, smtp, routingKey, paymentsRoutingKey } = receivers;
  const routingKeyFile = join(dir, 'pagerduty_routing_key');
  const paymentsKeyFile = join(dir, 'pagerduty_routing_key_payments');
  const slackUrlFile = join(dir, 'slack_webhook_url');
  writeFileSync(routingKeyFile, routingKey);
  writeFileSync(paymentsKeyFile, paymentsRoutingKey);
  writeFileSync(slackUrlFile, slack.webhookUrl);
  return {
    receivers: {
      pagerduty: { routingKey: { file: routingKeyFile }, url: pd.enqueueUrl },
      slack: { apiUrl: { file: slackUrlFile }, channel: '#store-alerts-e2e' },
      email: { to: 'store-ops@example.com', from: 'alertmanager@example.com', smarthost: smtp.smarthost, requireTls: false },
    },
    teams: { payments: { pagerduty: { routingKey: { file: paymentsKeyFile }, url: pd.enqueueUrl } } },
    groupWait: `${STACK_TIMING.groupWaitSeconds}s`,
    groupInterval: `${STACK_TIMING.groupIntervalSeconds}s`,
    repeatInterval: { critical: '1h', warning: '1h', info: '1h' },
    storeHours: { timeZone: 'UTC', weekdays: ['sunday:saturday'], start: '00:00', end: '24:00' },
  };
}

/**
 * Generates the bundle (the store's deploy config with `alerts` merged over it) and starts Alertmanager and
 * Prometheus on free ports, stopped in `t.after`.
 */
export async function startAlertingStack(
  t: TestContext,
  o: { readonly storeUrl: string; readonly receivers: LocalReceivers; readonly alerts: DeployOverrides['alerts']; readonly latencySloSeconds?: number; readonly sloMinEvents?: number; readonly scrapeSeconds?: number },
): Promise<AlertingStack> {
  const dir = tempDir(t, 'tillwatch-e2e-bundle-');
  const promPort = await freePort();
  const amPort = await freePort();
  const bundle = await generateTestBundle(dir, {
    ...(o.alerts ? { alerts: o.alerts } : {}),
    ...(o.latencySloSeconds !== undefined ? { latencySloSeconds: o.latencySloSeconds } : {}),
    ...(o.sloMinEvents !== undefined ? { sloMinEvents: o.sloMinEvents } : {}),
    prometheus: {
      scrape: { targets: [new URL(o.storeUrl).host], intervalSeconds: o.scrapeSeconds ?? STACK_TIMING.scrapeSeconds },
      evaluationIntervalSeconds: STACK_TIMING.evaluationSeconds,
      externalLabels: { environment: 'e2e' },
      alertmanagers: [`127.0.0.1:${amPort}`],
    },
    alertmanager: testAlertmanagerConfig(dir, o.receivers),
  });
  const am = await startAlertmanager(t, bundle.alertmanagerConfig, amPort);
  const prom = await startPrometheus(t, bundle.prometheusConfig, promPort);
  return { prom, am, prometheusConfig: bundle.prometheusConfig };
}

/** Waits (bounded) until every scrape target of `prom` is up. */
export function waitForScrape(prom: ChildService, timeoutMs = 90_000): Promise<true> {
  return waitFor('Prometheus to scrape the store successfully', timeoutMs, async () => {
    const r = await getJson<{ data: { activeTargets: { health: string }[] } }>(`${prom.url}/api/v1/targets`);
    return r.data.activeTargets.length > 0 && r.data.activeTargets.every((x) => x.health === 'up') ? true : undefined;
  });
}

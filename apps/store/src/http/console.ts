/**
 * In-process monitoring of the store: the rules `tillwatch generate` writes from the store's deploy config are
 * evaluated on tillwatch/windows (so alerts work without Prometheus), the windows are kept in the store's own
 * database across restarts, and the live console is served at /console, drawing the dashboards the same deploy
 * config generates for Grafana (the same panel definitions, evaluated on the windows).
 *
 * | variable | default | meaning |
 * | --- | --- | --- |
 * | TILLWATCH_CONSOLE | `on`, `off` when NODE_ENV=production | serve /console (and run the in-process monitor) |
 * | TILLWATCH_DEPLOY_CONFIG | deploy/tillwatch.config.ts | the deploy config whose rules are evaluated |
 * | WINDOWS_SAMPLE_INTERVAL_MS | 5000 | how often the registry is sampled and the rules evaluated |
 * | ALERT_WEBHOOK_URL | (unset) | in-process alerts as Alertmanager webhook payloads |
 * | SLACK_WEBHOOK_URL, SLACK_CHANNEL | (unset), #store-alerts | warning alerts to Slack |
 * | PAGERDUTY_ROUTING_KEY, PAGERDUTY_URL | (unset), PagerDuty's Events API v2 | critical alerts to PagerDuty |
 *
 * Without any receiver variable, in-process alerts are shown in the console only (a deployment with Prometheus
 * and Alertmanager routes them there).
 */
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { generateDashboards, generateRuleGroups } from '@tillwatch/cli';
import type { DashboardSpec } from '@tillwatch/spec';
import {
  createConsoleHandler,
  pagerDutyNotifier,
  severityRouter,
  slackNotifier,
  sqlWindowsPersistence,
  webhookNotifier,
  WindowsMonitor,
  type AlertNotifier,
} from 'tillwatch/windows';
import { StoreConfigError } from '../config.ts';
import type { StoreDeps } from '../deps.ts';

const DEFAULT_DEPLOY_CONFIG = fileURLToPath(new URL('../../../../deploy/tillwatch.config.ts', import.meta.url));
export const CONSOLE_PATH = '/console';

export interface InProcessMonitoring {
  readonly monitor: WindowsMonitor;
  /** The deploy config's dashboards, as `tillwatch generate` writes them for Grafana. */
  readonly dashboards: DashboardSpec[];
}

function notifierFrom(env: StoreDeps['config']['env']): AlertNotifier | undefined {
  const webhook = env.ALERT_WEBHOOK_URL?.trim();
  const slack = env.SLACK_WEBHOOK_URL?.trim();
  const pdKey = env.PAGERDUTY_ROUTING_KEY?.trim();
  const routes: Parameters<typeof severityRouter>[0] = {
    ...(pdKey ? { critical: pagerDutyNotifier({ routingKey: pdKey, ...(env.PAGERDUTY_URL ? { url: env.PAGERDUTY_URL } : {}) }) } : {}),
    ...(slack ? { warning: slackNotifier({ url: slack, channel: env.SLACK_CHANNEL?.trim() || '#store-alerts' }) } : {}),
    ...(webhook ? { default: webhookNotifier({ url: webhook }) } : {}),
  };
  return Object.keys(routes).length === 0 ? undefined : severityRouter(routes);
}

/** Whether /console and the in-process monitor are on (see the table above). @throws StoreConfigError on a bad value. */
export function consoleEnabled(env: StoreDeps['config']['env']): boolean {
  const v = env.TILLWATCH_CONSOLE?.trim().toLowerCase();
  if (v === undefined || v === '') return env.NODE_ENV !== 'production';
  if (v === 'on' || v === 'true' || v === '1') return true;
  if (v === 'off' || v === 'false' || v === '0') return false;
  throw new StoreConfigError([{ variable: 'TILLWATCH_CONSOLE', expected: 'on or off', got: JSON.stringify(v) }]);
}

/** Builds the monitor (not started) from the deploy config's rules. */
export async function createInProcessMonitoring(deps: StoreDeps): Promise<InProcessMonitoring> {
  const { env } = deps.config;
  const intervalRaw = env.WINDOWS_SAMPLE_INTERVAL_MS?.trim();
  const interval = intervalRaw ? Number(intervalRaw) : 5000;
  if (!Number.isInteger(interval) || interval < 250 || interval > 60_000) {
    throw new StoreConfigError([{ variable: 'WINDOWS_SAMPLE_INTERVAL_MS', expected: 'an integer from 250 to 60000', got: JSON.stringify(intervalRaw) }]);
  }
  const deployConfig = env.TILLWATCH_DEPLOY_CONFIG?.trim() || DEFAULT_DEPLOY_CONFIG;
  const groups = await generateRuleGroups(deployConfig);
  const log = deps.logger.child({ module: 'in-process-monitor' });
  const notifier = notifierFrom(env);
  const monitor = new WindowsMonitor({
    source: deps.tw.metrics.registry,
    groups,
    service: 'store',
    sampleIntervalMs: interval,
    persistence: sqlWindowsPersistence({ client: { query: async (text, params) => ({ rows: await deps.db.query(text, params) }) } }),
    ...(notifier ? { notifier } : {}),
    redact: (s) => deps.tw.redactor.string(s),
    onError: (what, err) => log.warn({ err, what }, 'in-process monitoring step failed'),
  });
  for (const s of monitor.engine.skipped) log.warn({ rule: s.name, group: s.group, reason: s.reason }, 'rule not evaluated in process');
  return { monitor, dashboards: await generateDashboards(deployConfig) };
}

/** Serves the console at /console (GET only; the page and its JSON), behind `tw.managementAuth` when set. */
export async function consoleRoutes(app: FastifyInstance, deps: StoreDeps, monitoring: InProcessMonitoring): Promise<void> {
  const handler = createConsoleHandler({
    monitor: monitoring.monitor,
    dashboards: monitoring.dashboards,
    service: 'store',
    basePath: CONSOLE_PATH,
    redact: (s) => deps.tw.redactor.string(s),
    health: async () => (await deps.tw.health.summary()).body,
    deadLetters: async () => {
      const { items } = await deps.delivery.deadLetters.list({ limit: 500 });
      const byQueue = new Map<string, { queue: string; count: number; oldest?: string }>();
      for (const d of items) {
        const e = byQueue.get(d.queue) ?? { queue: d.queue, count: 0 };
        e.count += 1;
        if (d.deadLetteredAt && (e.oldest === undefined || d.deadLetteredAt < e.oldest)) e.oldest = d.deadLetteredAt;
        byQueue.set(d.queue, e);
      }
      return [...byQueue.values()];
    },
  });
  // Behind the management endpoints' authentication (METRICS_TOKEN, MANAGEMENT_JWT_*) when it is configured.
  const auth = deps.tw.managementAuth;
  const serve = async (request: { raw: Parameters<typeof handler>[0] }, reply: { hijack(): void; raw: Parameters<typeof handler>[1] }) => {
    reply.hijack();
    if (auth !== undefined && !(await auth.guard(request.raw, reply.raw))) return;
    if (!handler(request.raw, reply.raw)) {
      reply.raw.statusCode = 404;
      reply.raw.end();
    }
  };
  app.get(CONSOLE_PATH, serve);
  app.get(`${CONSOLE_PATH}/*`, serve);
}

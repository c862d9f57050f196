/**
 * What a local stack (the compose file, and `npm run stack` from the Debian binaries) changes in the generated
 * Prometheus and Alertmanager configurations, in one place so both stacks run the same rules and the same routing:
 *
 * - Prometheus scrapes the service and alerts one Alertmanager at the stack's own addresses, with no bearer token
 *   file (the local service's /metrics is open), short scrape and evaluation intervals ({@link demoTimings}) and
 *   `environment: local`. The rule files are the generated ones, unchanged.
 * - Alertmanager keeps the generated route tree, grouping, inhibitions and time intervals; every receiver (PagerDuty,
 *   Slack, e-mail, per team) delivers to the local webhook receiver instead (`tillwatch receiver`), under its own
 *   name, so the receiver shows which real receiver a notification would have reached.
 */
import { BURN_WINDOWS, durationSeconds } from '@tillwatch/spec';

/** The path of `tillwatch receiver` that Alertmanager's webhooks post to. */
export const RECEIVER_WEBHOOK_PATH = '/alerts';

/**
 * Scrape and evaluation interval of a local stack, in seconds: a dozen evaluations inside the fastest page's `for`
 * (so a page fires about `for` after its condition holds, as in production), never longer than the production
 * interval, and never shorter than 5 s: on a loaded 2-core machine the store's /metrics took over 2 s for minutes,
 * and a scrape that times out fires `ServiceDown`, which silences everything else.
 */
export function demoTimings(productionScrapeSeconds: number, productionEvaluationSeconds: number): { scrapeSeconds: number; evaluationSeconds: number } {
  const fastestPageFor = Math.min(...BURN_WINDOWS.filter((w) => w.kind === 'page').map((w) => durationSeconds(w.for)));
  const demo = Math.max(5, Math.floor(fastestPageFor / 12));
  return { scrapeSeconds: Math.min(demo, productionScrapeSeconds), evaluationSeconds: Math.min(demo, productionEvaluationSeconds) };
}

interface PromConfig {
  global?: Record<string, unknown>;
  rule_files?: string[];
  alerting?: unknown;
  scrape_configs?: Record<string, unknown>[];
  [k: string]: unknown;
}

export interface LocalPrometheusOptions {
  /** host:port of the service. */
  readonly target: string;
  /** host:port of the Alertmanager. */
  readonly alertmanager: string;
  readonly scrapeSeconds: number;
  readonly evaluationSeconds: number;
  /** The rule file globs (where the generated rules are, as seen by this Prometheus). */
  readonly ruleFiles: readonly string[];
}

/** The generated prometheus.yml (parsed) as a local stack runs it. */
export function localPrometheusConfig(generated: PromConfig, o: LocalPrometheusOptions): PromConfig {
  const [job] = generated.scrape_configs ?? [];
  if (job === undefined) throw new Error('the generated prometheus.yml has no scrape config');
  const { authorization: _token, ...scrape } = job;
  const labels = ((scrape.static_configs as { labels?: Record<string, string> }[] | undefined)?.[0]?.labels) ?? {};
  return {
    global: {
      scrape_interval: `${o.scrapeSeconds}s`,
      // A scrape may take the whole interval on a loaded machine (Prometheus' default timeout is 10 s, capped at the interval).
      scrape_timeout: `${o.scrapeSeconds}s`,
      evaluation_interval: `${o.evaluationSeconds}s`,
      external_labels: { environment: 'local' },
    },
    rule_files: [...o.ruleFiles],
    alerting: { alertmanagers: [{ static_configs: [{ targets: [o.alertmanager] }] }] },
    scrape_configs: [{ ...scrape, scheme: 'http', static_configs: [{ targets: [o.target], labels }] }],
  };
}

interface AmConfig {
  receivers?: { name: string; [k: string]: unknown }[];
  [k: string]: unknown;
}

/** The generated alertmanager.yml (parsed) with every receiver delivering to the local webhook receiver at `receiverBaseUrl`. */
export function localAlertmanagerConfig(generated: AmConfig, receiverBaseUrl: string): AmConfig {
  const { global: _global, ...rest } = generated;
  return {
    ...rest,
    receivers: (generated.receivers ?? []).map((r) => ({
      name: r.name,
      webhook_configs: [{ url: `${receiverBaseUrl}${RECEIVER_WEBHOOK_PATH}`, send_resolved: true, max_alerts: 0 }],
    })),
  };
}

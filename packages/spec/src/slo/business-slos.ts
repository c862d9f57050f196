/**
 * The commerce SLOs a store needs: payments succeed, orders succeed, receipts print, sales reach the
 * warehouse in time. Failures the customer causes (a declined card, an under-age buyer) are not errors: the
 * SLOs count what the service and its providers get wrong.
 */
import { catalogue } from '../catalogue.ts';
import { counterSeries, stalledTimestampSeries, timestampSeries } from '../alerts/test-series.ts';
import { eventRatioSlo, timeSlo, WINDOW_PLACEHOLDER as w, type SloCommonOptions, type SloSpec } from './slo-spec.ts';

const m = catalogue.metrics;

/** Payment failures that are the provider's or ours, not the customer's. */
export const PAYMENT_SYSTEM_FAILURE_REASONS = ['timeout', 'provider_unavailable', 'network_error', 'internal_error'] as const;
/** Order failures that are ours, not the customer's. */
export const ORDER_SYSTEM_FAILURE_REASONS = ['payment_error', 'timeout', 'internal_error'] as const;

function pct(target: number): string {
  return `${Math.round(target * 100_000) / 1000}%`;
}

/** Payment provider calls that do not fail for a system reason (declines and cancellations are good events). */
export function paymentSuccessSlo(o: SloCommonOptions): SloSpec {
  return eventRatioSlo({
    ...o,
    kind: 'payment-success',
    title: o.title ?? `${pct(o.target)} of payment calls do not fail for a system reason`,
    runbook:
      o.runbook ??
      `1. Break failures down by reason and method: \`sum by (method, reason) (rate(payments_failures_total[5m]))\`.
2. \`provider_unavailable\`/\`timeout\`/\`network_error\`: check the provider's status page and our outbound network; consider switching terminals to offline/standalone mode.
3. \`internal_error\`: check the last deploy and the error logs for the payment module.`,
    bad: `(sum(rate(${m.payments.failures.select({ reason: { re: PAYMENT_SYSTEM_FAILURE_REASONS.join('|') } })}[${w}])) or vector(0))`,
    total: `sum(rate(${m.payments.attempts}[${w}]))`,
    counts: { total: [{ series: m.payments.attempts.name }], bad: [{ series: m.payments.failures.name, match: { reason: { re: PAYMENT_SYSTEM_FAILURE_REASONS.join('|') } } }] },
    fixture: (bad, good) => [
      counterSeries(m.payments.attempts, { method: 'card', operation: 'sale' }, bad + good),
      counterSeries(m.payments.failures, { method: 'card', operation: 'sale', reason: 'provider_unavailable' }, bad),
    ],
  });
}

/** Orders that do not fail for a system reason, out of all orders that completed or failed. */
export function orderSuccessSlo(o: SloCommonOptions): SloSpec {
  return eventRatioSlo({
    ...o,
    kind: 'order-success',
    title: o.title ?? `${pct(o.target)} of orders do not fail for a system reason`,
    runbook:
      o.runbook ??
      `1. Break failures down: \`sum by (location, channel, reason) (rate(orders_failed_total[5m]))\`.
2. \`payment_error\`: follow the payment runbook. \`timeout\`/\`internal_error\`: check the database and the last deploy.
3. One location only: check its network and terminals.`,
    bad: `(sum(rate(${m.orders.failed.select({ reason: { re: ORDER_SYSTEM_FAILURE_REASONS.join('|') } })}[${w}])) or vector(0))`,
    total: `(sum(rate(${m.orders.completed}[${w}])) + (sum(rate(${m.orders.failed}[${w}])) or vector(0)))`,
    counts: {
      total: [{ series: m.orders.completed.name }, { series: m.orders.failed.name }],
      bad: [{ series: m.orders.failed.name, match: { reason: { re: ORDER_SYSTEM_FAILURE_REASONS.join('|') } } }],
    },
    fixture: (bad, good) => [
      counterSeries(m.orders.completed, { location: 'store-1', channel: 'in_store' }, good),
      counterSeries(m.orders.failed, { location: 'store-1', channel: 'in_store', reason: 'internal_error' }, bad),
    ],
  });
}

/** Print jobs that print (cancelled jobs are not counted). */
export function printSuccessSlo(o: SloCommonOptions): SloSpec {
  return eventRatioSlo({
    ...o,
    kind: 'print-success',
    title: o.title ?? `${pct(o.target)} of print jobs print`,
    runbook:
      o.runbook ??
      `1. Which locations and outcomes: \`sum by (location, outcome) (rate(print_jobs_total[5m]))\`.
2. \`no_agent\`: the printer agent at that location is disconnected (see PrinterAgentsDisconnected).
3. \`failed\`/\`timeout\`: paper, printer power, or the agent's network at that location.`,
    bad: `(sum(rate(${m.printing.jobs.select({ outcome: { re: 'failed|timeout|no_agent' } })}[${w}])) or vector(0))`,
    total: `sum(rate(${m.printing.jobs.select({ outcome: { ne: 'cancelled' } })}[${w}]))`,
    counts: {
      total: [{ series: m.printing.jobs.name, match: { outcome: { ne: 'cancelled' } } }],
      bad: [{ series: m.printing.jobs.name, match: { outcome: { re: 'failed|timeout|no_agent' } } }],
    },
    fixture: (bad, good) => [
      counterSeries(m.printing.jobs, { location: 'store-1', outcome: 'success' }, good),
      counterSeries(m.printing.jobs, { location: 'store-1', outcome: 'failed' }, bad),
    ],
  });
}

export interface SyncFreshnessSloOptions extends SloCommonOptions {
  /** Pipeline label value, e.g. `sales_to_warehouse`. */
  readonly pipeline: string;
  /** The warehouse is fresh while its last successful batch is at most this old. */
  readonly maxAgeSeconds: number;
}

/** Share of minutes in which the pipeline's last successful batch was recent enough. */
export function syncFreshnessSlo(o: SyncFreshnessSloOptions): SloSpec {
  const last = m.sync.lastSuccess;
  return timeSlo({
    ...o,
    kind: 'sync-freshness',
    title: o.title ?? `the ${o.pipeline} pipeline is fresher than ${o.maxAgeSeconds} s ${pct(o.target)} of the time`,
    runbook:
      o.runbook ??
      `1. Why batches fail: \`sum by (pipeline, error_type) (rate(sync_errors_total[15m]))\`.
2. \`auth\`: rotate the warehouse credentials. \`network\`/\`timeout\`/\`server_error\`: check the warehouse's status.
3. Sales are not lost while the pipeline is stalled: it resumes from its cursor.`,
    badInstant: `((time() - max(${last.select({ pipeline: o.pipeline })})) > bool ${o.maxAgeSeconds})`,
    freshness: { series: last.name, match: { pipeline: o.pipeline }, maxAgeSeconds: o.maxAgeSeconds },
    fixture: (bad) => [
      bad
        ? stalledTimestampSeries(last, { pipeline: o.pipeline }, o.maxAgeSeconds + 60)
        : timestampSeries(last, { pipeline: o.pipeline }, Math.max(0, o.maxAgeSeconds - 60)),
    ],
  });
}

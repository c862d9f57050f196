/**
 * The default dashboards of a store, over the built-in catalogue: traffic and latency, payments, orders, printing,
 * synthetic journeys, and delivery with its dead letters. Rate windows are short (`window`, default 1m) so a person watching sees a
 * fault within a minute.
 */
import { catalogue } from '../catalogue.ts';
import { PAYMENT_SYSTEM_FAILURE_REASONS } from '../slo/business-slos.ts';
import { defineDashboard, type DashboardSpec } from './panel-spec.ts';

const m = catalogue.metrics;

export interface StoreDashboardOptions {
  /** Range of the rate() windows; default `1m`. */
  readonly window?: string;
}

export function storeDashboards(opts: StoreDashboardOptions = {}): DashboardSpec[] {
  const w = opts.window ?? '1m';
  const systemFailures = m.payments.failures.select({ reason: { re: PAYMENT_SYSTEM_FAILURE_REASONS.join('|') } });
  return [
    defineDashboard({
      uid: 'http',
      title: 'Traffic and latency',
      panels: [
        { title: 'Requests per second by status', unit: 'reqps', targets: [{ expr: `sum by (status_code) (rate(${m.http.requests}[${w}]))`, legend: '{{status_code}}' }] },
        {
          title: 'Request latency p50 / p95 / p99',
          unit: 's',
          targets: [0.5, 0.95, 0.99].map((q) => ({ expr: `histogram_quantile(${q}, sum by (le) (rate(${m.http.requestDuration.bucket}[${w}])))`, legend: `p${q * 100}` })),
        },
      ],
    }),
    defineDashboard({
      uid: 'payments',
      title: 'Payments',
      panels: [
        {
          title: 'Payment calls per second',
          unit: 'ops',
          targets: [
            { expr: `sum(rate(${m.payments.attempts}[${w}]))`, legend: 'attempts' },
            { expr: `sum by (reason) (rate(${m.payments.failures}[${w}]))`, legend: 'failed: {{reason}}' },
          ],
        },
        {
          title: 'Payment system-failure ratio',
          unit: 'percentunit',
          description: 'Provider, network and internal failures over attempts; declines are the customer\'s bank and do not count.',
          targets: [{ expr: `(sum(rate(${systemFailures}[${w}])) or vector(0)) / sum(rate(${m.payments.attempts}[${w}]))`, legend: 'system failures' }],
        },
        {
          title: 'Payment provider latency p95',
          unit: 's',
          targets: [{ expr: `histogram_quantile(0.95, sum by (le) (rate(${m.payments.duration.bucket}[${w}])))`, legend: 'p95' }],
        },
      ],
    }),
    defineDashboard({
      uid: 'orders',
      title: 'Orders and printing',
      panels: [
        {
          title: 'Orders per second',
          unit: 'ops',
          targets: [
            { expr: `sum(rate(${m.orders.completed}[${w}]))`, legend: 'completed' },
            { expr: `sum by (reason) (rate(${m.orders.failed}[${w}]))`, legend: 'failed: {{reason}}' },
          ],
        },
        { title: 'Print jobs per second by outcome', unit: 'ops', targets: [{ expr: `sum by (outcome) (rate(${m.printing.jobs}[${w}]))`, legend: '{{outcome}}' }] },
      ],
    }),
    defineDashboard({
      uid: 'synthetic',
      title: 'Synthetic journeys',
      panels: [
        { title: 'Journey success (last run)', kind: 'stat', unit: 'short', targets: [{ expr: `max by (journey) (${m.synthetic.success})`, legend: '{{journey}}' }] },
        { title: 'Journey step durations', unit: 's', targets: [{ expr: `max by (journey, step) (${m.synthetic.stepDuration})`, legend: '{{journey}} {{step}}' }] },
        {
          title: 'Journey failures by step',
          unit: 'short',
          description: 'Failed runs in the last 5 minutes, by the step that failed.',
          targets: [{ expr: `sum by (journey, step) (increase(${m.synthetic.stepFailures}[5m])) > 0`, legend: '{{journey}} {{step}}' }],
        },
      ],
    }),
    defineDashboard({
      uid: 'delivery',
      title: 'Delivery and dead letters',
      panels: [
        { title: 'Delivery attempts per second by result', unit: 'ops', targets: [{ expr: `sum by (queue, result) (rate(${m.delivery.attempts}[${w}]))`, legend: '{{queue}} {{result}}' }] },
        { title: 'Dead letters waiting', kind: 'stat', unit: 'short', targets: [{ expr: `max by (queue) (${m.deadLetter.depth})`, legend: '{{queue}}' }] },
      ],
    }),
  ];
}

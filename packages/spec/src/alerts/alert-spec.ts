/**
 * An alert as data: what fires (PromQL built from catalogue handles), how loud (severity), for how long,
 * what to tell the person paged, what to do about it, and the promtool test that proves it fires.
 *
 * Expressions interpolate catalogue handles (`${m.payments.failures}`), so renaming or removing a metric breaks
 * the build. Raw PromQL strings are allowed as an escape hatch and are checked when the spec is validated:
 * every metric name in them must be a catalogue metric (see {@link promqlMetricNames}).
 *
 * @example
 * import { catalogue } from '../catalogue.ts';
 * const m = catalogue.metrics;
 * const alert = defineAlert({
 *   name: 'PaymentFailureRateHigh', severity: 'critical', for: '5m', team: 'payments', group: 'business',
 *   expr: `sum(rate(${m.payments.failures}[5m])) / sum(rate(${m.payments.attempts}[5m])) > 0.01`,
 *   summary: 'Payment failure rate above 1%', description: 'Failure ratio is {{ $value | humanizePercentage }}.',
 *   runbook: '1. Check the provider status page.',
 *   test: { firing: [], quiet: [] },
 * });
 */
import type { SloKind } from '../slo/slo-spec.ts';
import type { Duration } from './duration.ts';
import type { SeriesFixture } from './test-series.ts';

/** critical pages (PagerDuty), warning goes to chat (Slack), info to e-mail. */
export type AlertSeverity = 'critical' | 'warning' | 'info';
export const ALERT_SEVERITIES: readonly AlertSeverity[] = ['critical', 'warning', 'info'];

/** The promtool unit test every alert carries. */
export interface AlertTestSpec {
  /** Input series holding the condition just above its threshold: the alert must fire once `for` has passed. */
  readonly firing: readonly SeriesFixture[];
  /** Input series holding it just under the threshold: the alert must stay silent. */
  readonly quiet: readonly SeriesFixture[];
  /** Minutes from the first sample until the expression is true (a rate needs two samples). Default 1. */
  readonly trueAfterMinutes?: number;
  /** Alerts expected to fire on `firing` (one per label set, e.g. per location). Default 1. */
  readonly firingAlerts?: number;
}

export interface AlertSpec {
  /** PascalCase alert name; becomes `alertname`. */
  readonly name: string;
  readonly severity: AlertSeverity;
  readonly for: Duration;
  /** PromQL; true (non-empty) while the alert condition holds. */
  readonly expr: string;
  /** One-line summary; may use `{{ $labels.x }}`. */
  readonly summary: string;
  /** Longer description; may use `{{ $labels.x }}` and `{{ $value }}`. */
  readonly description: string;
  /** Markdown: what to check and do, in order. Rendered into docs/alerts.md. */
  readonly runbook: string;
  /** Owning team (label `team`). */
  readonly team: string;
  /** Rule group and file the alert is written to, e.g. `http` or `business`. */
  readonly group: string;
  /** Extra static labels. */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * The kind of SLO that measures the same objective (a threshold alert on payment failures and the
   * payment-success SLO). While a burn page of an SLO of this kind fires for the service, the generated
   * Alertmanager config inhibits this alert, so one incident pages once.
   */
  readonly objective?: SloKind;
  readonly test: AlertTestSpec;
}

/**
 * Declares an alert and freezes it. Pure: validation is `validateAlerts()`, so a definition never throws.
 * @param spec the alert.
 * @returns the same alert, frozen.
 */
export function defineAlert<const A extends AlertSpec>(spec: A): A {
  return Object.freeze(spec);
}

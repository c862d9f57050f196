/**
 * Multiwindow, multi-burn-rate alert windows, as data.
 *
 * Source: Google SRE Workbook, chapter 5 "Alerting on SLOs", section "6: Multiwindow, Multi-Burn-Rate Alerts",
 * table 5-8 "Recommended parameters for an SLO-based alerting configuration"
 * (https://sre.google/workbook/alerting-on-slos/#recommended_parameters_for_an_slo_based_a). The same numbers
 * are sloth's internal/alert/windows/google-30d.yaml.
 *
 * The table states each alert as a share of the period's error budget spent within the long window; the burn
 * factor is derived from it: factor = budgetPercent / 100 x period / longWindow. For a 30-day period that gives
 * the workbook's 14.4x, 6x, 3x and 1x exactly; for 28 days it gives 13.44x, 5.6x, 2.8x and 0.93x (the same
 * budget share, as sloth does). The short window is 1/12 of the long one (workbook: "a good guideline is to
 * make the short window 1/12 the duration of the long window").
 */
import { durationSeconds, type Duration } from '../alerts/duration.ts';

/** SLO periods tillwatch supports (the workbook's rolling windows). */
export type SloPeriod = '28d' | '30d';
export const SLO_PERIODS: readonly SloPeriod[] = ['28d', '30d'];

/** `page` alerts are urgent (critical, PagerDuty); `ticket` alerts are not (warning, Slack). */
export type BurnAlertKind = 'page' | 'ticket';

export interface BurnWindow {
  readonly kind: BurnAlertKind;
  /** Share of the period's error budget that, once spent within `long`, raises the alert. */
  readonly budgetPercent: number;
  readonly long: Duration;
  readonly short: Duration;
  /**
   * How long the condition must hold before the alert fires. Page alerts wait one minute so that a single
   * bad evaluation does not wake anyone; the short window already makes the alert reset quickly. Tickets wait
   * an hour: a fresh Prometheus holds minutes, not days, and a "1d" ratio over ten minutes of traffic is as
   * noisy as a 10-minute one. An hour of data is the least a ticket (a problem for tomorrow, not tonight)
   * should rest on; a real slow burn still raises it on the first day.
   */
  readonly for: Duration;
}

/** Table 5-8, in the order the workbook lists it. */
export const BURN_WINDOWS: readonly BurnWindow[] = Object.freeze([
  { kind: 'page', budgetPercent: 2, long: '1h', short: '5m', for: '1m' },
  { kind: 'page', budgetPercent: 5, long: '6h', short: '30m', for: '1m' },
  { kind: 'ticket', budgetPercent: 10, long: '1d', short: '2h', for: '1h' },
  { kind: 'ticket', budgetPercent: 10, long: '3d', short: '6h', for: '1h' },
] as const);

/** Every window an SLI is recorded over: the short and long windows above. */
export const SLI_WINDOWS: readonly Duration[] = Object.freeze(['5m', '30m', '1h', '2h', '6h', '1d', '3d'] as const);

/**
 * The burn factor of a window for a period: how many times faster than "exactly on budget" errors must arrive.
 * @example burnFactor(BURN_WINDOWS[0], '30d') === 14.4
 */
export function burnFactor(window: BurnWindow, period: SloPeriod): number {
  const raw = (window.budgetPercent / 100) * (durationSeconds(period) / durationSeconds(window.long));
  return Math.round(raw * 10_000) / 10_000;
}

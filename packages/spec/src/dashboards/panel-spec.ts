/**
 * Dashboards as data: a panel is a title, a unit and the PromQL of its series, so the same definition can be
 * rendered by any front end (the in-process console draws them with uPlot; a Grafana generator can write them as
 * dashboard JSON). Expressions interpolate catalogue handles, like alerts, so a renamed metric breaks the build.
 *
 * @example
 * const m = catalogue.metrics;
 * defineDashboard({
 *   uid: 'payments', title: 'Payments',
 *   panels: [{ title: 'Payment attempts per second', unit: 'ops', targets: [{ expr: `sum(rate(${m.payments.attempts}[1m]))`, legend: 'attempts' }] }],
 * });
 */

/** Grafana unit ids, so a generator can pass them through. */
export type PanelUnit = 'percentunit' | 's' | 'ops' | 'reqps' | 'short' | 'bytes' | 'none';

export interface PanelTarget {
  /** PromQL; one series per result label set. */
  readonly expr: string;
  /** Legend; may use `{{label}}` (Grafana's legend format). Default: the series' labels. */
  readonly legend?: string;
}

export interface PanelSpec {
  readonly title: string;
  /** `timeseries` (default) draws the range; `stat` shows the latest value of each series. */
  readonly kind?: 'timeseries' | 'stat';
  readonly unit: PanelUnit;
  readonly targets: readonly PanelTarget[];
  /** What the panel answers, shown under its title. */
  readonly description?: string;
}

export interface DashboardSpec {
  /** Stable id (lower-case, dashes): Grafana uid, console anchor. */
  readonly uid: string;
  readonly title: string;
  readonly panels: readonly PanelSpec[];
}

/** Declares a dashboard and freezes it. Pure: validation is the renderer's. */
export function defineDashboard<const D extends DashboardSpec>(d: D): D {
  return Object.freeze(d);
}

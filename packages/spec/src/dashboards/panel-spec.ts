/**
 * Dashboards as data (tillwatch/v1), the one panel model of tillwatch. A panel is a title, one or more PromQL
 * queries, a unit and a kind; a dashboard is rows of panels. Pure data, no renderer. Two renderers read the same
 * definitions: `tillwatch generate` writes them as Grafana JSON (the CLI, through the Grafana Foundation SDK), and
 * the live console of `tillwatch/windows` draws them in the browser from the service's in-process windows (it
 * draws a subset of the kinds, see docs/console.md). Queries use `$__rate_interval` for rate windows (Grafana's
 * variable); a renderer that is not Grafana substitutes a window of its own ({@link withRateWindow}).
 *
 * @example
 * import { definePanel } from '@tillwatch/spec';
 * const panel = definePanel({
 *   title: 'Orders per minute',
 *   kind: 'timeseries',
 *   unit: 'short',
 *   queries: [{ expr: 'sum by (location) (rate(orders_completed_total[$__rate_interval])) * 60', legend: '{{location}}' }],
 * });
 */

/** Grafana's rate-window variable, the placeholder every panel query uses for its rate window. */
export const RATE_INTERVAL = '$__rate_interval';

/** How a panel draws its data. */
export type PanelKind = 'timeseries' | 'stat' | 'gauge' | 'piechart' | 'bargauge';
export const PANEL_KINDS: readonly PanelKind[] = ['timeseries', 'stat', 'gauge', 'piechart', 'bargauge'];

/** Units, as Grafana names them (also what a console formats by). */
export type PanelUnit = 'short' | 'percentunit' | 'percent' | 's' | 'ms' | 'bytes' | 'reqps' | 'ops' | 'currency' | 'dateTimeFromNow' | 'none';
export const PANEL_UNITS: readonly PanelUnit[] = ['short', 'percentunit', 'percent', 's', 'ms', 'bytes', 'reqps', 'ops', 'currency', 'dateTimeFromNow', 'none'];

export interface PanelQuery {
  /** PromQL; rate windows as `[$__rate_interval]`. */
  readonly expr: string;
  /** Legend template, e.g. `{{location}}`. */
  readonly legend?: string;
}

/** A threshold step: from `value` up (the first step has no value: the base colour). */
export interface PanelThreshold {
  readonly value?: number;
  readonly color: 'green' | 'yellow' | 'orange' | 'red' | 'blue';
}

export interface PanelSpec {
  /** Unique within its dashboard; names the panel in tests and consoles. */
  readonly title: string;
  readonly kind: PanelKind;
  readonly unit: PanelUnit;
  readonly queries: readonly PanelQuery[];
  /** What the panel answers, shown as its description. */
  readonly description?: string;
  readonly thresholds?: readonly PanelThreshold[];
  readonly min?: number;
  readonly max?: number;
  /**
   * Why an empty panel is normal: it shows rare events (dead letters, brute-force sources, CORS refusals) that a
   * healthy store under normal traffic does not produce. The panel-data test accepts no data only from these.
   */
  readonly rareEvent?: string;
}

export interface DashboardRow {
  readonly title: string;
  readonly panels: readonly PanelSpec[];
}

export interface DashboardSpec {
  /** Stable id (Grafana uid), lower-case letters, digits and -. */
  readonly uid: string;
  readonly title: string;
  readonly tags?: readonly string[];
  readonly rows: readonly DashboardRow[];
}

/** Declares a panel and freezes it. */
export function definePanel<const P extends PanelSpec>(spec: P): P {
  return Object.freeze(spec);
}

/** Declares a dashboard and freezes it. */
export function defineDashboard<const D extends DashboardSpec>(spec: D): D {
  return Object.freeze(spec);
}

/** Every panel of a dashboard, in order. */
export function dashboardPanels(d: DashboardSpec): PanelSpec[] {
  return d.rows.flatMap((r) => r.panels);
}

/** A query with its rate windows set to `window` (for evaluating it outside Grafana). */
export function withRateWindow(expr: string, window: string): string {
  return expr.replaceAll(RATE_INTERVAL, window);
}

/** @deprecated The row model's former name; use {@link PanelSpec}. */
export type OpsPanelSpec = PanelSpec;
/** @deprecated The row model's former name; use {@link DashboardSpec}. */
export type OpsDashboardSpec = DashboardSpec;
/** @deprecated The row model's former name; use {@link defineDashboard}. */
export const defineOpsDashboard = defineDashboard;

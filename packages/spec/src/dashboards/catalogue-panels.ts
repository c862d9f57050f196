/**
 * Panels for a service's own metrics (the extensible catalogue), derived from each metric's declaration:
 * a counter is drawn as its per-minute rate by its first label, a gauge as its value by its first label, a
 * histogram as p50/p95/p99. One row per catalogue group; the metric's question is the panel's description.
 */
import type { Catalogue } from '../catalogue.ts';
import type { AnyMetricHandle, MetricUnit } from '../metric-spec.ts';
import { defineDashboard, type DashboardSpec, type PanelSpec, type PanelUnit } from './panel-spec.ts';
import { perMinute, quantile, sel, type DashboardContext } from './pack/context.ts';

const UNITS: Record<MetricUnit, PanelUnit> = { seconds: 's', bytes: 'bytes', ratio: 'percentunit', score: 'short', currency: 'currency', items: 'short', points: 'short', count: 'short', info: 'none' };

function metricPanel(ctx: DashboardContext, h: AnyMetricHandle): PanelSpec | undefined {
  const by = Object.keys(h.labels ?? {})[0] ?? '';
  const legend = by === '' ? h.name : `{{${by}}}`;
  const description = h.question;
  switch (h.type) {
    case 'counter':
      return { title: `${h.name} per minute`, kind: 'timeseries', unit: UNITS[h.unit] === 'currency' ? 'currency' : 'short', description, queries: [{ expr: perMinute(ctx, h.name, by), legend }] };
    case 'gauge':
      if (h.unit === 'info') return undefined;
      return { title: h.name, kind: 'timeseries', unit: UNITS[h.unit], description, queries: [{ expr: by === '' ? `sum(${h.name}${sel(ctx)})` : `sum by (${by}) (${h.name}${sel(ctx)})`, legend }] };
    case 'histogram':
      return { title: `${h.name} p50 / p95 / p99`, kind: 'timeseries', unit: UNITS[h.unit], description, queries: [0.5, 0.95, 0.99].map((q) => ({ expr: quantile(ctx, q, h.name), legend: `p${Math.round(q * 100)}` })) };
    default:
      return undefined;
  }
}

/** A dashboard of the service's own catalogue; undefined when it declares no metric that can be drawn. */
export function catalogueDashboard(ctx: DashboardContext, cat: Catalogue): DashboardSpec | undefined {
  const rows = Object.entries(cat.metrics)
    .map(([group, metrics]) => ({
      title: cat.groups[group]?.title ?? group,
      panels: Object.values(metrics).flatMap((h) => metricPanel(ctx, h) ?? []),
    }))
    .filter((r) => r.panels.length > 0);
  if (rows.length === 0) return undefined;
  return defineDashboard({ uid: `${ctx.service}-own-metrics`, title: `${ctx.service} / Own metrics`, tags: ['tillwatch', 'service-catalogue'], rows });
}

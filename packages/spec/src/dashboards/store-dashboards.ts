/**
 * The built-in dashboards of a store service: service health (RED and runtime), SLOs and error budgets,
 * commerce, data layer, security, printing, sync and delivery, plus the service's own catalogue. A deploy
 * config adds dashboards (`dashboards.extra`), adds panels to a built-in one (`dashboards.panels`, by uid and
 * row title) or leaves built-in ones out (`dashboards.disable`, by uid suffix).
 */
import type { Catalogue } from '../catalogue.ts';
import type { SloSpec } from '../slo/slo-spec.ts';
import { catalogueDashboard } from './catalogue-panels.ts';
import { commerceDashboard } from './pack/commerce.ts';
import type { DashboardContext } from './pack/context.ts';
import { dataLayerDashboard } from './pack/data-layer.ts';
import { printingDashboard } from './pack/printing.ts';
import { securityDashboard } from './pack/security.ts';
import { serviceDashboard } from './pack/service.ts';
import { sloDashboard } from './pack/slo.ts';
import { syncDeliveryDashboard } from './pack/sync-delivery.ts';
import type { DashboardSpec, PanelSpec } from './panel-spec.ts';

/** Panels added to a row of a built-in dashboard (the row is created when it does not exist). */
export interface PanelAddition {
  /** The dashboard's uid suffix: `service`, `slos`, `commerce`, `data`, `security`, `printing`, `sync-delivery`, `own-metrics`. */
  readonly dashboard: string;
  readonly row: string;
  readonly panels: readonly PanelSpec[];
}

/** What a deploy config says about dashboards. */
export interface DashboardsConfig {
  readonly extra?: readonly DashboardSpec[];
  readonly panels?: readonly PanelAddition[];
  /** uid suffixes of built-in dashboards to leave out. */
  readonly disable?: readonly string[];
}

export interface StoreDashboardsContext extends DashboardContext {
  readonly slos: readonly SloSpec[];
  /** The service's own metrics (not the built-in catalogue). */
  readonly ownCatalogue?: Catalogue;
  readonly config?: DashboardsConfig;
}

/** The uid suffix of a built-in dashboard (`store-printing` -> `printing`). */
export function dashboardKey(service: string, uid: string): string {
  return uid.startsWith(`${service}-`) ? uid.slice(service.length + 1) : uid;
}

export function storeDashboards(ctx: StoreDashboardsContext): DashboardSpec[] {
  const own = ctx.ownCatalogue === undefined ? undefined : catalogueDashboard(ctx, ctx.ownCatalogue);
  const builtIn = [
    serviceDashboard(ctx),
    sloDashboard(ctx, ctx.slos),
    commerceDashboard(ctx),
    dataLayerDashboard(ctx),
    securityDashboard(ctx),
    printingDashboard(ctx),
    syncDeliveryDashboard(ctx),
    ...(own ? [own] : []),
  ];
  const disabled = new Set(ctx.config?.disable ?? []);
  const additions = ctx.config?.panels ?? [];
  const withAdditions = builtIn
    .filter((d) => !disabled.has(dashboardKey(ctx.service, d.uid)))
    .map((d) => {
      const mine = additions.filter((a) => a.dashboard === dashboardKey(ctx.service, d.uid));
      if (mine.length === 0) return d;
      const rows = d.rows.map((r) => ({ ...r, panels: [...r.panels, ...mine.filter((a) => a.row === r.title).flatMap((a) => a.panels)] }));
      const newRows = [...new Set(mine.map((a) => a.row))].filter((title) => !d.rows.some((r) => r.title === title)).map((title) => ({ title, panels: mine.filter((a) => a.row === title).flatMap((a) => a.panels) }));
      return Object.freeze({ ...d, rows: [...rows, ...newRows] });
    });
  return [...withAdditions, ...(ctx.config?.extra ?? [])];
}

/** @deprecated The former name of {@link storeDashboards}. */
export const storeOpsDashboards = storeDashboards;

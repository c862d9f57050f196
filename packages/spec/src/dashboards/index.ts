export { RATE_INTERVAL, PANEL_KINDS, PANEL_UNITS, definePanel, defineDashboard, defineOpsDashboard, dashboardPanels, withRateWindow } from './panel-spec.ts';
export type { PanelKind, PanelUnit, PanelQuery, PanelThreshold, PanelSpec, DashboardRow, DashboardSpec, OpsPanelSpec, OpsDashboardSpec } from './panel-spec.ts';
export { storeDashboards, storeOpsDashboards, dashboardKey } from './store-dashboards.ts';
export type { DashboardsConfig, PanelAddition, StoreDashboardsContext } from './store-dashboards.ts';
export { catalogueDashboard } from './catalogue-panels.ts';
export { PRINTING_PANEL_TITLES } from './pack/printing.ts';
export { validateDashboards } from './validate-dashboards.ts';

export { RATE_INTERVAL, PANEL_KINDS, OPS_PANEL_UNITS, definePanel, defineOpsDashboard, dashboardPanels, withRateWindow } from './panel-spec.ts';
export type { PanelKind, OpsPanelUnit, PanelQuery, PanelThreshold, OpsPanelSpec, DashboardRow, OpsDashboardSpec } from './panel-spec.ts';
export { storeOpsDashboards, dashboardKey } from './store-dashboards.ts';
export type { DashboardsConfig, PanelAddition, StoreDashboardsContext } from './store-dashboards.ts';
export { catalogueDashboard } from './catalogue-panels.ts';
export { PRINTING_PANEL_TITLES } from './pack/printing.ts';
export { validateDashboards } from './validate-dashboards.ts';

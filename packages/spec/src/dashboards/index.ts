export { defineDashboard } from './panel-spec.ts';
export type { DashboardSpec, PanelSpec, PanelTarget, PanelUnit } from './panel-spec.ts';
export { storeDashboards } from './store-dashboards.ts';
export type { StoreDashboardOptions } from './store-dashboards.ts';

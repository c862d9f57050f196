/**
 * Security: authentication failures, brute force, rate limiting, CORS, security events. Panels for more
 * security capabilities go into this dashboard's rows (see docs/dashboards.md).
 */
import { defineOpsDashboard, type OpsDashboardSpec, type OpsPanelSpec } from '../panel-spec.ts';
import { perMinute, sel, type DashboardContext } from './context.ts';

/** The security panels the printing dashboard also shows (Rate Limiting Activity, Security Events). */
export function rateLimitingPanel(ctx: DashboardContext, title = 'Rate limiting activity'): OpsPanelSpec {
  return {
    title,
    kind: 'timeseries',
    unit: 'short',
    queries: [
      { expr: perMinute(ctx, 'rate_limited_requests_total'), legend: 'refused per min' },
      { expr: `sum(rate_limited_clients${sel(ctx)})`, legend: 'clients limited' },
    ],
    rareEvent: 'normal traffic stays under the rate limits',
  };
}

export function securityEventsPanel(ctx: DashboardContext, title = 'Security events'): OpsPanelSpec {
  return {
    title,
    kind: 'timeseries',
    unit: 'short',
    queries: [
      { expr: perMinute(ctx, 'auth_failures_total', 'reason'), legend: 'auth failure: {{reason}}' },
      { expr: perMinute(ctx, 'cors_violations_total'), legend: 'CORS violations' },
      { expr: perMinute(ctx, 'security_events_total', 'type'), legend: 'event: {{type}}' },
    ],
    rareEvent: 'a store under normal traffic raises no security event',
  };
}

export function securityDashboard(ctx: DashboardContext): OpsDashboardSpec {
  return defineOpsDashboard({
    uid: `${ctx.service}-security`,
    title: `${ctx.service} / Security`,
    tags: ['tillwatch', 'security'],
    rows: [
      {
        title: 'Authentication',
        panels: [
          { title: 'Failed logins per minute by reason', kind: 'timeseries', unit: 'short', queries: [{ expr: perMinute(ctx, 'auth_failed_logins_total', 'reason'), legend: '{{reason}}' }], rareEvent: 'cashiers rarely mistype; only the brute-force scenario fails logins' },
          { title: 'Brute-force sources', kind: 'stat', unit: 'short', queries: [{ expr: `max(auth_brute_force_sources${sel(ctx)})` }], thresholds: [{ color: 'green' }, { value: 1, color: 'red' }], rareEvent: 'no address fails logins repeatedly under normal traffic' },
        ],
      },
      { title: 'Abuse', panels: [rateLimitingPanel(ctx), securityEventsPanel(ctx)] },
    ],
  });
}

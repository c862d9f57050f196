/**
 * Security: the events of `tillwatch/security` (docs/security.md), one panel per kind of event: authentication
 * and token failures, brute force and password spray, privilege escalation, rate limiting, CORS refusals and
 * refused scrapes of the management endpoints. Addresses, user names and origins are never labels: the panels
 * count events and offending clients; the clients themselves are in the (pseudonymised) log lines.
 *
 * Panels for more security capabilities go into this dashboard's rows (see docs/dashboards.md). The audit
 * trail (`@tillwatch/audit`) exports no metric yet, so it has no panel here.
 */
import { LABEL_VALUES } from '../../conventions.ts';
import { defineDashboard, type DashboardSpec, type PanelSpec } from '../panel-spec.ts';
import { perMinute, sel, type DashboardContext } from './context.ts';

/** The `auth_failures_total` reasons that are a bearer token refused (missing, expired, bad signature, malformed). */
export const TOKEN_FAILURE_REASONS = LABEL_VALUES.authFailureReason.filter((r) => r.endsWith('_token'));

/** The security panels the printing dashboard also shows (Rate Limiting Activity, Security Events). */
export function rateLimitingPanel(ctx: DashboardContext, title = 'Rate limiting activity'): PanelSpec {
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

export function securityEventsPanel(ctx: DashboardContext, title = 'Security events'): PanelSpec {
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

/** Per-minute rate of one `security_events_total` type. */
function eventPanel(ctx: DashboardContext, title: string, type: (typeof LABEL_VALUES.securityEventType)[number], description: string, rareEvent: string): PanelSpec {
  return { title, kind: 'timeseries', unit: 'short', description, queries: [{ expr: perMinute(ctx, 'security_events_total', '', `type="${type}"`), legend: type }], rareEvent };
}

/** A stat of a gauge counting offending clients: green at 0, red from 1. */
function sourcesPanel(ctx: DashboardContext, title: string, gauge: string, description: string, rareEvent: string): PanelSpec {
  return { title, kind: 'stat', unit: 'short', description, queries: [{ expr: `max(${gauge}${sel(ctx)})` }], thresholds: [{ color: 'green' }, { value: 1, color: 'red' }], rareEvent };
}

export function securityDashboard(ctx: DashboardContext): DashboardSpec {
  return defineDashboard({
    uid: `${ctx.service}-security`,
    title: `${ctx.service} / Security`,
    tags: ['tillwatch', 'security'],
    rows: [
      {
        title: 'Authentication',
        panels: [
          { title: 'Failed logins per minute by reason', kind: 'timeseries', unit: 'short', queries: [{ expr: perMinute(ctx, 'auth_failed_logins_total', 'reason'), legend: '{{reason}}' }], rareEvent: 'cashiers rarely mistype; only the brute-force scenario fails logins' },
          {
            title: 'Auth failures per minute by reason',
            kind: 'timeseries',
            unit: 'short',
            description: 'Every request refused by authentication or authorisation (logins, tokens, forbidden routes, management endpoints); AuthFailuresHigh alerts on it.',
            queries: [{ expr: perMinute(ctx, 'auth_failures_total', 'reason'), legend: '{{reason}}' }],
            rareEvent: 'a store under normal traffic refuses no request',
          },
          {
            title: 'Token failures per minute by reason',
            kind: 'timeseries',
            unit: 'short',
            description: 'Bearer tokens refused: missing, expired, bad signature (invalid) or malformed.',
            queries: [{ expr: perMinute(ctx, 'auth_failures_total', 'reason', `reason=~"${TOKEN_FAILURE_REASONS.join('|')}"`), legend: '{{reason}}' }],
            rareEvent: 'the store\'s own clients send valid tokens',
          },
          eventPanel(ctx, 'Metrics-endpoint auth failures per minute', 'management_auth_failure', 'Scrapes of /metrics and calls to the management endpoints refused for a missing, invalid or expired token: a misconfigured Prometheus, or someone probing.', 'Prometheus scrapes with the right token'),
        ],
      },
      {
        title: 'Attacks',
        panels: [
          sourcesPanel(ctx, 'Brute-force sources', 'auth_brute_force_sources', 'Client addresses with more than 5 failed logins in the last 15 minutes (the addresses are in the log lines); BruteForceSuspected alerts on it.', 'no address fails logins repeatedly under normal traffic'),
          sourcesPanel(ctx, 'Password-spray sources', 'auth_password_spray_sources', 'Client addresses whose failed logins named 10 or more user names in the last 15 minutes; PasswordSpraySuspected alerts on it.', 'no address tries many user names under normal traffic'),
          eventPanel(ctx, 'Privilege-escalation attempts per minute', 'privilege_escalation', 'A role calling a route above it (a cashier on a manager route), refused with 403.', 'the store\'s clients call only the routes of their role'),
        ],
      },
      {
        title: 'Abuse',
        panels: [
          rateLimitingPanel(ctx),
          sourcesPanel(ctx, 'Rate-limited clients', 'rate_limited_clients', 'Distinct clients refused by the rate limiter in the last window; RateLimitedClientsHigh alerts on it.', 'normal traffic stays under the rate limits'),
          { title: 'CORS violations per minute', kind: 'timeseries', unit: 'short', description: 'Browser requests from an origin the CORS policy refuses (the origin is in the log line).', queries: [{ expr: perMinute(ctx, 'cors_violations_total'), legend: 'refused' }], rareEvent: 'the store\'s own pages call it from allowed origins' },
          securityEventsPanel(ctx),
        ],
      },
    ],
  });
}

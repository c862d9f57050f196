/**
 * Printing: receipt and kitchen printing through WebSocket printer agents, as the fourteen panels operations
 * teams of printer fleets know by name (WebSocket Connections (Total) ... Print Jobs (Success vs Failed)),
 * each over the catalogue's printing metrics.
 */
import { defineDashboard, type DashboardSpec } from '../panel-spec.ts';
import { perMinute, quantile, sel, type DashboardContext } from './context.ts';
import { rateLimitingPanel, securityEventsPanel } from './security.ts';

/** The panel titles, in order. */
export const PRINTING_PANEL_TITLES = [
  'WebSocket Connections (Total)',
  'Correlation ID Success Rate',
  'Print Test Success Rate',
  'Desktop App Connections',
  'Print Test Latency (p50, p95, p99)',
  'Connection Quality Distribution',
  'WebSocket Connections per Branch',
  'Error Rate (Requests/min)',
  'Health Monitoring Quality Score',
  'Rate Limiting Activity',
  'Security Events',
  'HTTP Request Duration (p95)',
  'System Resources',
  'Print Jobs (Success vs Failed)',
] as const;

export function printingDashboard(ctx: DashboardContext): DashboardSpec {
  const s = (more = '') => sel(ctx, more);
  const jobs = (more: string) => `sum(rate(print_jobs_total${s(more)}[$__rate_interval]))`;
  const t = PRINTING_PANEL_TITLES;
  return defineDashboard({
    uid: `${ctx.service}-printing`,
    title: `${ctx.service} / Printing`,
    tags: ['tillwatch', 'printing'],
    rows: [
      {
        title: 'Connections',
        panels: [
          { title: t[0], kind: 'stat', unit: 'short', description: 'Agents, desktop apps and web clients connected now.', queries: [{ expr: `sum(print_agents_connected${s()})` }], thresholds: [{ color: 'red' }, { value: 1, color: 'green' }] },
          {
            title: t[1],
            kind: 'gauge',
            unit: 'percentunit',
            description: 'Share of dispatched jobs whose acknowledgement came back matched to its job id (not timed out).',
            queries: [{ expr: `1 - ((${jobs('outcome="timeout"')} or vector(0)) / ${jobs('outcome!="cancelled"')})` }],
            thresholds: [{ color: 'red' }, { value: 0.5, color: 'yellow' }, { value: 0.8, color: 'green' }],
            max: 1,
          },
          {
            title: t[2],
            kind: 'gauge',
            unit: 'percentunit',
            description: 'Share of print jobs that printed (the print-success SLO counts the same).',
            queries: [{ expr: `${jobs('outcome="success"')} / ${jobs('outcome!="cancelled"')}` }],
            thresholds: [{ color: 'red' }, { value: 0.8, color: 'yellow' }, { value: 0.95, color: 'green' }],
            max: 1,
          },
          { title: t[3], kind: 'stat', unit: 'short', queries: [{ expr: `sum(print_agents_connected${s('agent_type="desktop_app"')})` }], thresholds: [{ color: 'red' }, { value: 1, color: 'green' }] },
          {
            title: t[4],
            kind: 'timeseries',
            unit: 's',
            description: 'Dispatch to acknowledgement; p95 should stay under 500 ms.',
            queries: [0.5, 0.95, 0.99].map((q) => ({ expr: quantile(ctx, q, 'print_job_duration_seconds'), legend: `p${Math.round(q * 100)}` })),
          },
          { title: t[5], kind: 'piechart', unit: 'short', queries: [{ expr: `sum by (quality) (print_agents_connection_quality${s()})`, legend: '{{quality}}' }] },
          { title: t[6], kind: 'timeseries', unit: 'short', queries: [{ expr: `sum by (location, agent_type) (print_agents_connected${s()})`, legend: '{{location}} {{agent_type}}' }] },
        ],
      },
      {
        title: 'Errors and health',
        panels: [
          {
            title: t[7],
            kind: 'timeseries',
            unit: 'short',
            queries: [
              { expr: `${perMinute(ctx, 'http_requests_total', '', 'status_code=~"5.."')} or vector(0)`, legend: 'HTTP 5xx per min' },
              { expr: `${perMinute(ctx, 'print_jobs_total', '', 'outcome=~"failed|timeout|no_agent"')} or vector(0)`, legend: 'print failures per min' },
            ],
          },
          {
            title: t[8],
            kind: 'timeseries',
            unit: 'short',
            description: 'Connection quality of the agents as a 0-100 score by branch (excellent 100, good 75, fair 50, poor 25).',
            queries: [
              {
                expr: `(100 * sum by (location) (print_agents_connection_quality${s('quality="excellent"')}) + 75 * sum by (location) (print_agents_connection_quality${s('quality="good"')}) + 50 * sum by (location) (print_agents_connection_quality${s('quality="fair"')}) + 25 * sum by (location) (print_agents_connection_quality${s('quality="poor"')})) / sum by (location) (print_agents_connection_quality${s()})`,
                legend: '{{location}}',
              },
            ],
            min: 0,
            max: 100,
          },
          rateLimitingPanel(ctx, t[9]),
          securityEventsPanel(ctx, t[10]),
          { title: t[11], kind: 'timeseries', unit: 's', description: 'p95 by route; API routes should stay under 500 ms.', queries: [{ expr: quantile(ctx, 0.95, 'http_request_duration_seconds', 'route'), legend: '{{route}}' }] },
          {
            title: t[12],
            kind: 'timeseries',
            unit: 'short',
            queries: [
              { expr: `sum(rate(process_cpu_seconds_total${s()}[$__rate_interval]))`, legend: 'CPU (cores)' },
              { expr: `sum(process_resident_memory_bytes${s()}) / 1073741824`, legend: 'memory (GiB)' },
            ],
          },
          { title: t[13], kind: 'timeseries', unit: 'short', queries: [{ expr: perMinute(ctx, 'print_jobs_total', 'outcome'), legend: '{{outcome}} per min' }] },
        ],
      },
    ],
  });
}

/**
 * Service health: RED (rate, errors, duration) of the HTTP API, the Node.js runtime, its scheduled jobs (backups and
 * archives, through the job reporter), and the synthetic journeys run against it.
 */
import { defineDashboard, type DashboardSpec } from '../panel-spec.ts';
import { perMinute, quantile, sel, type DashboardContext } from './context.ts';

export function serviceDashboard(ctx: DashboardContext): DashboardSpec {
  const s = (more = '') => sel(ctx, more);
  return defineDashboard({
    uid: `${ctx.service}-service`,
    title: `${ctx.service} / Service health`,
    tags: ['tillwatch', 'service'],
    rows: [
      {
        title: 'Requests (RED)',
        panels: [
          { title: 'Requests per second', kind: 'timeseries', unit: 'reqps', queries: [{ expr: `sum by (route) (rate(http_requests_total${s()}[$__rate_interval]))`, legend: '{{route}}' }] },
          {
            title: '5xx error ratio',
            kind: 'timeseries',
            unit: 'percentunit',
            queries: [{ expr: `(sum(rate(http_requests_total${s('status_code=~"5.."')}[$__rate_interval])) or vector(0)) / sum(rate(http_requests_total${s()}[$__rate_interval]))`, legend: '5xx share' }],
            thresholds: [{ color: 'green' }, { value: 0.01, color: 'yellow' }, { value: 0.05, color: 'red' }],
          },
          {
            title: 'Latency p50 / p95 / p99',
            kind: 'timeseries',
            unit: 's',
            queries: [0.5, 0.95, 0.99].map((q) => ({ expr: quantile(ctx, q, 'http_request_duration_seconds'), legend: `p${Math.round(q * 100)}` })),
          },
          { title: 'Requests by status code', kind: 'timeseries', unit: 'short', queries: [{ expr: perMinute(ctx, 'http_requests_total', 'status_code'), legend: '{{status_code}} per min' }] },
          { title: 'Requests in flight', kind: 'stat', unit: 'short', queries: [{ expr: `sum(http_requests_in_flight${s()})` }] },
        ],
      },
      {
        title: 'Runtime',
        panels: [
          { title: 'CPU (cores)', kind: 'timeseries', unit: 'short', queries: [{ expr: `rate(process_cpu_seconds_total${s()}[$__rate_interval])`, legend: '{{instance}}' }] },
          {
            title: 'Memory',
            kind: 'timeseries',
            unit: 'bytes',
            queries: [
              { expr: `process_resident_memory_bytes${s()}`, legend: 'resident {{instance}}' },
              { expr: `nodejs_heap_size_used_bytes${s()}`, legend: 'heap used {{instance}}' },
            ],
          },
          { title: 'Event-loop lag p99', kind: 'timeseries', unit: 's', queries: [{ expr: `nodejs_eventloop_lag_p99_seconds${s()}`, legend: '{{instance}}' }] },
          { title: 'GC pauses per second', kind: 'timeseries', unit: 's', queries: [{ expr: `sum by (kind) (rate(nodejs_gc_duration_seconds_sum${s()}[$__rate_interval]))`, legend: '{{kind}}' }] },
          { title: 'Uptime', kind: 'stat', unit: 's', queries: [{ expr: `time() - max(process_start_time_seconds${s()})` }] },
          {
            title: 'Telemetry dropped',
            kind: 'timeseries',
            unit: 'short',
            queries: [
              { expr: `sum(increase(tillwatch_metrics_series_dropped_total${s()}[1h]))`, legend: 'series folded (cardinality guard)' },
              { expr: `sum(increase(tillwatch_sink_errors_total${s()}[1h]))`, legend: 'sink errors' },
            ],
            rareEvent: 'a healthy service drops no telemetry: these counters appear only once something was dropped',
          },
        ],
      },
      {
        title: 'Scheduled jobs: backups and archives',
        panels: [
          {
            title: 'Time since the last successful backup by target',
            kind: 'timeseries',
            unit: 's',
            description: 'Every job reported through the job reporter, by target: the database backup, and in the reference store the audit trail\'s archival (target audit_archive). BackupMissing fires when a target has no success in 25 hours.',
            queries: [{ expr: `time() - max by (target) (backup_last_success_timestamp_seconds${s()})`, legend: '{{target}}' }],
            thresholds: [{ color: 'green' }, { value: 90_000, color: 'red' }],
          },
          { title: 'Backup runs per hour by target and outcome', kind: 'timeseries', unit: 'short', queries: [{ expr: `sum by (target, outcome) (increase(backup_runs_total${s()}[1h]))`, legend: '{{target}} {{outcome}}' }] },
          { title: 'Last backup size by target', kind: 'bargauge', unit: 'bytes', queries: [{ expr: `max by (target) (backup_last_size_bytes${s()})`, legend: '{{target}}' }] },
        ],
      },
      {
        title: 'Synthetic journeys',
        panels: [
          {
            title: 'Journey success (last run)',
            kind: 'stat',
            unit: 'short',
            description: '1 when the last run of the journey passed every step, 0 when a step failed (docs/synthetic.md).',
            queries: [{ expr: `max by (journey) (probe_success${s()})`, legend: '{{journey}}' }],
            thresholds: [{ color: 'red' }, { value: 1, color: 'green' }],
          },
          { title: 'Journey step durations', kind: 'timeseries', unit: 's', queries: [{ expr: `max by (journey, step) (probe_step_duration_seconds${s()})`, legend: '{{journey}} {{step}}' }] },
          {
            title: 'Journey failures by step',
            kind: 'timeseries',
            unit: 'short',
            description: 'Failed runs in the last 5 minutes, by the step that failed.',
            queries: [{ expr: `sum by (journey, step) (increase(probe_step_failures_total${s()}[5m]))`, legend: '{{journey}} {{step}}' }],
            rareEvent: 'a journey fails only while the service or one of its providers does',
          },
        ],
      },
    ],
  });
}

/** Data layer: database queries and pool, cache, and the jobs that back data up or archive it (backups, the audit archive). */
import { defineDashboard, type DashboardSpec } from '../panel-spec.ts';
import { perMinute, quantile, sel, type DashboardContext } from './context.ts';

export function dataLayerDashboard(ctx: DashboardContext): DashboardSpec {
  const s = (more = '') => sel(ctx, more);
  return defineDashboard({
    uid: `${ctx.service}-data`,
    title: `${ctx.service} / Data layer`,
    tags: ['tillwatch', 'database', 'cache'],
    rows: [
      {
        title: 'Database',
        panels: [
          { title: 'Queries per second by operation', kind: 'timeseries', unit: 'ops', queries: [{ expr: `sum by (operation) (rate(db_query_duration_seconds_count${s()}[$__rate_interval]))`, legend: '{{operation}}' }] },
          { title: 'Query latency p95', kind: 'timeseries', unit: 's', queries: [{ expr: quantile(ctx, 0.95, 'db_query_duration_seconds', 'operation'), legend: '{{operation}}' }] },
          { title: 'Query failures per minute', kind: 'timeseries', unit: 'short', queries: [{ expr: perMinute(ctx, 'db_query_failures_total', 'error_type'), legend: '{{error_type}}' }], rareEvent: 'a healthy database fails no query' },
          { title: 'Slow queries per minute', kind: 'timeseries', unit: 'short', queries: [{ expr: perMinute(ctx, 'db_slow_queries_total', 'operation'), legend: '{{operation}}' }], rareEvent: 'a healthy database runs no query slower than the slow-query threshold' },
          {
            title: 'Pool utilisation',
            kind: 'gauge',
            unit: 'percentunit',
            queries: [{ expr: `sum(db_pool_connections${s('state="in_use"')}) / sum(db_pool_max_connections${s()})` }],
            thresholds: [{ color: 'green' }, { value: 0.7, color: 'yellow' }, { value: 0.9, color: 'red' }],
            max: 1,
          },
          { title: 'Callers waiting for a connection', kind: 'timeseries', unit: 'short', queries: [{ expr: `sum(db_pool_waiting_requests${s()})`, legend: 'waiting' }] },
        ],
      },
      {
        title: 'Cache',
        panels: [
          {
            title: 'Cache hit ratio',
            kind: 'timeseries',
            unit: 'percentunit',
            queries: [{ expr: `sum by (cache) (rate(cache_hits_total${s()}[$__rate_interval])) / (sum by (cache) (rate(cache_hits_total${s()}[$__rate_interval])) + sum by (cache) (rate(cache_misses_total${s()}[$__rate_interval])))`, legend: '{{cache}}' }],
            min: 0,
            max: 1,
          },
          { title: 'Cache lookups per second', kind: 'timeseries', unit: 'ops', queries: [{ expr: `sum by (cache) (rate(cache_hits_total${s()}[$__rate_interval]) + rate(cache_misses_total${s()}[$__rate_interval]))`, legend: '{{cache}}' }] },
          { title: 'Cache errors per minute', kind: 'timeseries', unit: 'short', queries: [{ expr: perMinute(ctx, 'cache_errors_total', 'cache, operation'), legend: '{{cache}} {{operation}}' }], rareEvent: 'a healthy cache returns no errors' },
        ],
      },
      {
        title: 'Backups and archives',
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
    ],
  });
}

/** Data layer: database queries and pool, cache. */
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
    ],
  });
}

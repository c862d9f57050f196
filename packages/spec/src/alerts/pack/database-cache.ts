/** Database, cache and external dependencies (tillwatch/pg, tillwatch/redis, tillwatch/dependencies). */
import { catalogue } from '../../catalogue.ts';
import { PACK_RECORD } from '../../conventions.ts';
import { defineAlert, type AlertSpec } from '../alert-spec.ts';
import { durationMinutes } from '../duration.ts';
import { counterSeries, gaugeSeries } from '../test-series.ts';
import { n, type PackContext } from './pack-context.ts';

const m = catalogue.metrics;

export function databaseCacheAlerts(ctx: PackContext): AlertSpec[] {
  const t = ctx.thresholds;
  const team = ctx.teams.platform;
  const queries = (perMinute: number) => counterSeries(m.database.queryDuration.count, { operation: 'select' }, perMinute);
  return [
    defineAlert({
      name: 'SlowQueries',
      severity: 'warning',
      for: '10m',
      group: 'database',
      team,
      expr: `sum(rate(${m.database.slowQueries}[${t.rateWindow}])) * 60 > ${n(t.slowQueriesPerMinute)}`,
      summary: `More than ${n(t.slowQueriesPerMinute)} slow database queries a minute`,
      description: '{{ $value | humanize }} queries a minute are slower than the slow-query threshold (1 s).',
      runbook: `1. Which kind of statement: \`sum by (operation) (rate(db_slow_queries_total[5m]))\`.
2. Find the statements in the slow-query log lines (statements are logged redacted, never labelled).
3. Check for a missing index after a migration, table growth, or lock contention (\`db_query_failures_total{error_type="deadlock"}\`).`,
      test: {
        firing: [counterSeries(m.database.slowQueries, { operation: 'select' }, t.slowQueriesPerMinute * 1.2)],
        quiet: [counterSeries(m.database.slowQueries, { operation: 'select' }, t.slowQueriesPerMinute * 0.9)],
        // rate() underestimates until its window is full of samples.
        trueAfterMinutes: durationMinutes(t.rateWindow),
      },
    }),
    defineAlert({
      name: 'DbPoolNearlyExhausted',
      severity: 'critical',
      for: '5m',
      group: 'database',
      team,
      expr: `sum(${m.database.poolConnections.select({ state: 'in_use' })}) / sum(${m.database.poolMax}) > ${n(t.dbPoolUtilisation)}`,
      summary: `Database pool more than ${n(t.dbPoolUtilisation * 100)}% in use`,
      description: '{{ $value | humanizePercentage }} of the pool connections are in use; new queries will queue (db_pool_waiting_requests).',
      runbook: `1. Are callers waiting (\`db_pool_waiting_requests\`)? Then checkout is about to slow down.
2. Look for long transactions or connection leaks (connections checked out and never released) since the last deploy.
3. Slow queries hold connections longer: see SlowQueries.
4. Raise the pool size only if the database has headroom (max_connections across all instances).`,
      test: {
        firing: [gaugeSeries(m.database.poolConnections, { state: 'in_use' }, Math.ceil(100 * t.dbPoolUtilisation) + 1), gaugeSeries(m.database.poolMax, {}, 100)],
        quiet: [gaugeSeries(m.database.poolConnections, { state: 'in_use' }, Math.floor(100 * t.dbPoolUtilisation)), gaugeSeries(m.database.poolMax, {}, 100)],
        trueAfterMinutes: 0,
      },
    }),
    defineAlert({
      name: 'DbQueryFailureRateHigh',
      severity: 'warning',
      for: '5m',
      group: 'database',
      team,
      expr: `sum(rate(${m.database.queryFailures}[${t.rateWindow}])) / sum(rate(${m.database.queryDuration.count}[${t.rateWindow}])) > ${n(t.dbQueryFailureRatio)}`,
      summary: `More than ${n(t.dbQueryFailureRatio * 100)}% of database queries fail`,
      description: `{{ $value | humanizePercentage }} of queries failed over the last ${t.rateWindow}.`,
      runbook: `1. Which error: \`sum by (error_type) (rate(db_query_failures_total[5m]))\`.
2. \`connection\`/\`timeout\`: database reachability, failover in progress, pool exhaustion.
3. \`deadlock\`/\`serialization\`: concurrent updates of the same rows (stock reservations); check the last deploy.
4. \`constraint\`/\`syntax\`/\`permission\`: a bug or a migration mismatch; roll back.`,
      test: {
        firing: [queries(100), counterSeries(m.database.queryFailures, { operation: 'select', error_type: 'timeout' }, 100 * t.dbQueryFailureRatio * 1.2)],
        quiet: [queries(100), counterSeries(m.database.queryFailures, { operation: 'select', error_type: 'timeout' }, 100 * t.dbQueryFailureRatio * 0.9)],
      },
    }),
    defineAlert({
      name: 'CacheHitRateLow',
      severity: 'info',
      for: '15m',
      group: 'cache',
      team,
      // The per-keyspace ratio is the pack's recording rule (pack-recordings.ts), written before this alert in its group.
      expr: `${PACK_RECORD.cacheHitRatio(t.rateWindow)} < ${n(t.cacheHitRatio)}`,
      summary: `Cache {{ $labels.cache }} hit rate under ${n(t.cacheHitRatio * 100)}%`,
      description: 'The hit rate of cache {{ $labels.cache }} is {{ $value | humanizePercentage }}; lookups fall through to the database.',
      runbook: `1. Just deployed or restarted? A cold cache warms up; wait one TTL.
2. Cache errors (\`cache_errors_total\`)? Redis may be unreachable or evicting (check its memory and eviction policy).
3. A changed key scheme or TTL in the last deploy lowers the hit rate permanently.`,
      test: {
        firing: [counterSeries(m.cache.hits, { cache: 'products' }, 100 * t.cacheHitRatio * 0.9), counterSeries(m.cache.misses, { cache: 'products' }, 100 - 100 * t.cacheHitRatio * 0.9)],
        quiet: [counterSeries(m.cache.hits, { cache: 'products' }, 100 * t.cacheHitRatio * 1.02), counterSeries(m.cache.misses, { cache: 'products' }, 100 - 100 * t.cacheHitRatio * 1.02)],
      },
    }),
    defineAlert({
      name: 'DependencyDown',
      severity: 'critical',
      for: '2m',
      group: 'dependencies',
      team,
      expr: `max by (dependency) (${m.dependencies.up}) == 0`,
      summary: 'External dependency {{ $labels.dependency }} is down',
      description: 'The periodic check of {{ $labels.dependency }} has failed for 2 minutes; calls to it fail or are refused by its circuit breaker.',
      runbook: `1. Which calls fail and how: \`sum by (outcome) (rate(dependency_request_duration_seconds_count{dependency="<dependency>"}[5m]))\`.
2. The provider's status page; \`/health/external\` shows the check's last error (refused, timed out, 5xx).
3. A required dependency (payment provider) down fails readiness: card sales stop; take cash. An optional one (SMS, warehouse) degrades: its work waits in its queue and resumes.`,
      test: {
        firing: [gaugeSeries(m.dependencies.up, { dependency: 'payment_provider' }, 0)],
        quiet: [gaugeSeries(m.dependencies.up, { dependency: 'payment_provider' }, 1)],
        trueAfterMinutes: 0,
      },
    }),
  ];
}

/**
 * Database: query duration, failures and slow queries by kind of statement and table, connection-pool gauges
 * and acquire waits, connection errors. Recorded by `tillwatch/pg` (node-postgres Pool and Client, PGlite) and
 * `tillwatch/prisma`. The default pack's thresholds: slow query over 1 s, pool utilisation over 90%, query
 * failure rate over 5%. Statements and bound values are never labels: a statement is logged, normalised, only
 * when it is slow.
 */
import { BUCKETS, LABEL_NAMES, LABEL_VALUES } from '../conventions.ts';
import { closedLabel, openLabel } from '../label-spec.ts';
import { SHARED_LABELS } from '../shared-labels.ts';
import { defineMetric } from '../metric-spec.ts';

const common = { group: 'database', owner: 'data' } as const;
const byOperation = { [LABEL_NAMES.operation]: SHARED_LABELS.dbOperation } as const;
const byTable = {
  [LABEL_NAMES.table]: openLabel(
    'Table the statement reads or writes (the first after FROM, INTO or UPDATE), the Prisma model, or `none`; past the instrumentation\'s table budget (default 50) new tables record as `other`.',
    'tables of one schema, capped by the instrumentation\'s table budget, at most 60',
    60,
  ),
} as const;
const byPool = { [LABEL_NAMES.pool]: SHARED_LABELS.dbPool } as const;

export const databaseMetrics = {
  queryDuration: defineMetric({
    ...common,
    name: 'db_query_duration_seconds',
    type: 'histogram',
    unit: 'seconds',
    help: 'Duration of database queries, by kind of statement and table.',
    question: 'Is the database the reason requests are slow, and which table?',
    labels: { ...byOperation, ...byTable },
    buckets: BUCKETS.dbQuerySeconds,
    maxSeries: 500,
  }),
  queryFailures: defineMetric({
    ...common,
    name: 'db_query_failures_total',
    type: 'counter',
    unit: 'count',
    help: 'Queries that failed, by kind of statement, error type and SQLSTATE class.',
    question: 'Are more than 5% of queries failing, and is it connections, timeouts or deadlocks?',
    labels: {
      ...byOperation,
      [LABEL_NAMES.errorType]: closedLabel('Kind of database error, from the SQLSTATE (or the driver error when there is none).', LABEL_VALUES.dbErrorType),
      [LABEL_NAMES.sqlstateClass]: openLabel(
        'The two-character SQLSTATE class (23 integrity, 40 transaction rollback, 08 connection...), or `none` for a driver error without one.',
        'PostgreSQL defines about 40 classes',
        45,
      ),
    },
    maxSeries: 500,
  }),
  slowQueries: defineMetric({
    ...common,
    name: 'db_slow_queries_total',
    type: 'counter',
    unit: 'count',
    help: 'Queries slower than the slow-query threshold (default 1 s), by kind of statement and table; each is also one log line with the normalised statement.',
    question: 'Are slow queries appearing after a deploy or data growth?',
    labels: { ...byOperation, ...byTable },
    maxSeries: 500,
  }),
  poolMax: defineMetric({
    ...common,
    name: 'db_pool_max_connections',
    type: 'gauge',
    unit: 'count',
    help: 'Configured maximum size of the connection pool.',
    question: 'What is pool utilisation measured against?',
    labels: byPool,
  }),
  poolConnections: defineMetric({
    ...common,
    name: 'db_pool_connections',
    type: 'gauge',
    unit: 'count',
    help: 'Open pool connections, by state (their sum is the pool total).',
    question: 'Is the pool over 90% in use (exhaustion imminent)?',
    labels: { ...byPool, [LABEL_NAMES.state]: closedLabel('Connection state.', LABEL_VALUES.dbPoolState) },
  }),
  poolWaiting: defineMetric({
    ...common,
    name: 'db_pool_waiting_requests',
    type: 'gauge',
    unit: 'count',
    help: 'Callers waiting for a pool connection.',
    question: 'Are requests queueing for a database connection?',
    labels: byPool,
  }),
  poolAcquireDuration: defineMetric({
    ...common,
    name: 'db_pool_acquire_duration_seconds',
    type: 'histogram',
    unit: 'seconds',
    help: 'Time callers waited for a connection from the pool (checkout), failed waits included.',
    question: 'Do requests wait for a database connection before their first query?',
    labels: byPool,
    buckets: BUCKETS.dbQuerySeconds,
  }),
  connectionErrors: defineMetric({
    ...common,
    name: 'db_connection_errors_total',
    type: 'counter',
    unit: 'count',
    help: 'Failed connection attempts and errors of idle connections (server restart, network), by pool.',
    question: 'Is the database unreachable or dropping connections?',
    labels: byPool,
  }),
} as const;

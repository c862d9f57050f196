/**
 * Database (planned: exported when database instrumentation lands). The default pack's thresholds: slow query
 * over 1 s, pool utilisation over 90%, query failure rate over 5%. Statements are never labels.
 */
import { BUCKETS, LABEL_NAMES, LABEL_VALUES } from '../conventions.ts';
import { closedLabel } from '../label-spec.ts';
import { SHARED_LABELS } from '../shared-labels.ts';
import { defineMetric } from '../metric-spec.ts';

const common = { group: 'database', owner: 'core', status: 'planned' } as const;
const byOperation = { [LABEL_NAMES.operation]: SHARED_LABELS.dbOperation } as const;

export const databaseMetrics = {
  queryDuration: defineMetric({
    ...common,
    name: 'db_query_duration_seconds',
    type: 'histogram',
    unit: 'seconds',
    help: 'Duration of database queries, by kind of statement.',
    question: 'Is the database the reason requests are slow?',
    labels: byOperation,
    buckets: BUCKETS.dbQuerySeconds,
  }),
  queryFailures: defineMetric({
    ...common,
    name: 'db_query_failures_total',
    type: 'counter',
    unit: 'count',
    help: 'Queries that failed, by kind of statement and error type.',
    question: 'Are more than 5% of queries failing, and is it connections, timeouts or deadlocks?',
    labels: { ...byOperation, [LABEL_NAMES.errorType]: closedLabel('Kind of database error.', LABEL_VALUES.dbErrorType) },
  }),
  slowQueries: defineMetric({
    ...common,
    name: 'db_slow_queries_total',
    type: 'counter',
    unit: 'count',
    help: 'Queries slower than the slow-query threshold (default 1 s), by kind of statement.',
    question: 'Are slow queries appearing after a deploy or data growth?',
    labels: byOperation,
  }),
  connectionErrors: defineMetric({
    ...common,
    // Registered by guardPgPool (tillwatch), which the service calls on its own pool.
    owner: 'service',
    status: 'exported',
    name: 'db_connection_errors_total',
    type: 'counter',
    unit: 'count',
    help: 'Pooled database connections that failed (reset, terminated by the server, network lost) and were discarded instead of crashing the process.',
    question: 'Did the database restart, fail over or drop off the network, and how many connections did it cost?',
    labels: {},
  }),
  poolMax: defineMetric({
    ...common,
    name: 'db_pool_max_connections',
    type: 'gauge',
    unit: 'count',
    help: 'Configured maximum size of the connection pool.',
    question: 'What is pool utilisation measured against?',
    labels: {},
  }),
  poolConnections: defineMetric({
    ...common,
    name: 'db_pool_connections',
    type: 'gauge',
    unit: 'count',
    help: 'Open pool connections, by state.',
    question: 'Is the pool over 90% in use (exhaustion imminent)?',
    labels: { [LABEL_NAMES.state]: closedLabel('Connection state.', LABEL_VALUES.dbPoolState) },
  }),
  poolWaiting: defineMetric({
    ...common,
    name: 'db_pool_waiting_requests',
    type: 'gauge',
    unit: 'count',
    help: 'Callers waiting for a pool connection.',
    question: 'Are requests queueing for a database connection?',
    labels: {},
  }),
} as const;

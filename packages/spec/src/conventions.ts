/**
 * The one place where the commerce catalogue's metric names, label keys, shared label-value sets and
 * bucket layouts live (sloth's `pkg/common/conventions/conventions.go` discipline). The catalogue files,
 * the recorders, the generated docs and issue 4's alert rules all refer to these constants, so a rename
 * happens here once and breaks the build everywhere it matters.
 *
 * Names follow the Prometheus naming guide (https://prometheus.io/docs/practices/naming/): snake_case,
 * base units as suffixes (`_seconds`, `_bytes`), `_total` on counters and only on counters.
 * They are unprefixed; when `metrics.prefix` is set the runtime prepends it, and generated rules must too.
 *
 * The spec imports nothing: this file is pure data.
 */

/**
 * Set to true on a node:http server whose requests must never be traced: tillwatch's management server and
 * the test receivers (an in-process OTLP receiver that traced its own requests would export a span per
 * export, forever). A `Symbol.for` key, so every copy of tillwatch and @tillwatch/otel sees the same one.
 */
export const UNTRACED_SERVER: unique symbol = Symbol.for('tillwatch.trace.untraced-server');

/** Version identifier of every tillwatch spec document (sloth's `prometheus/v1` convention). */
export const SPEC_VERSION = 'tillwatch/v1';
export type SpecVersion = typeof SPEC_VERSION;

/** What a closed-set label records when the value passed is not in its set: the set stays closed. */
export const OTHER_LABEL_VALUE = 'other';

/** What an open (bounded) label records when no value was passed at all. */
export const UNKNOWN_LABEL_VALUE = 'unknown';

/**
 * The value of every label of the one series a metric's new label sets fold into past its budget.
 * Mirrors `OVERFLOW_LABEL_VALUE` in src/metrics/conventions.ts (a test keeps the two equal).
 */
export const OVERFLOW_LABEL_VALUE = '__overflow__';

/**
 * Label sets a metric may hold before new ones fold into the overflow series, unless its spec says
 * otherwise. Mirrors the default of `metrics.maxSeriesPerMetric` (docs/config.md).
 */
export const DEFAULT_SERIES_BUDGET = 2000;

/** Label keys. One key per concept across every group: a restaurant "branch" is a `location`. */
export const LABEL_NAMES = {
  // http (exported by the core)
  method: 'method',
  route: 'route',
  statusCode: 'status_code',
  // runtime (prom-client default metrics)
  gcKind: 'kind',
  version: 'version',
  major: 'major',
  minor: 'minor',
  patch: 'patch',
  // tillwatch's own
  metric: 'metric',
  sink: 'sink',
  reason: 'reason',
  // commerce
  location: 'location',
  channel: 'channel',
  currency: 'currency',
  paymentMethod: 'method',
  paymentOperation: 'operation',
  outcome: 'outcome',
  result: 'result',
  verificationMethod: 'method',
  agentType: 'agent_type',
  jobType: 'job_type',
  quality: 'quality',
  pipeline: 'pipeline',
  errorType: 'error_type',
  flag: 'flag',
  experiment: 'experiment',
  variant: 'variant',
  apiVersion: 'api_version',
  deviceClass: 'device_class',
  region: 'region',
  // planned groups
  operation: 'operation',
  state: 'state',
  cache: 'cache',
  eventType: 'type',
  severity: 'severity',
  queue: 'queue',
  messageChannel: 'channel',
  event: 'event',
  target: 'target',
} as const;

/**
 * Closed label-value sets. Anything a caller passes outside a set records as {@link OTHER_LABEL_VALUE},
 * which is therefore never listed here: it is implicit in every closed set.
 */
export const LABEL_VALUES = {
  httpMethod: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
  gcKind: ['major', 'minor', 'incremental', 'weakcb'],
  invalidObservationReason: ['label_names', 'label_value', 'value', 'exemplar'],

  /** How the order reached the business: the four channels of the seeds' POS, restaurant and voice-commerce systems. */
  channel: ['in_store', 'online', 'voice', 'kiosk'],
  orderFailureReason: ['payment_declined', 'payment_error', 'out_of_stock', 'age_verification_failed', 'validation_failed', 'timeout', 'internal_error'],
  voidReason: ['customer_request', 'cashier_error', 'payment_failed', 'age_verification_failed', 'fraud_suspected'],

  paymentMethod: ['cash', 'card', 'contactless', 'mobile_wallet', 'gift_card', 'store_credit', 'loyalty_points', 'voucher', 'bank_transfer', 'pay_later'],
  /** `sale` is authorise-and-capture in one step (card present); `authorize` + `capture` is the split flow (online, tabs). */
  paymentOperation: ['sale', 'authorize', 'capture', 'refund', 'void'],
  paymentFailureReason: [
    'declined',
    'insufficient_funds',
    'card_expired',
    'invalid_card',
    'fraud_suspected',
    'authentication_failed',
    'cancelled',
    'duplicate',
    'invalid_request',
    'timeout',
    'provider_unavailable',
    'network_error',
    'internal_error',
  ],
  successFailure: ['success', 'failure'],

  stockReleaseReason: ['order_voided', 'order_failed', 'reservation_expired', 'manual'],

  ageVerificationResult: ['passed', 'underage', 'no_id', 'invalid_id', 'overridden'],
  ageVerificationMethod: ['id_scan', 'manual_id_check', 'digital_id', 'facial_estimation', 'known_customer'],

  offlineSyncOutcome: ['success', 'partial', 'rejected', 'failure'],
  offlineOperationResult: ['applied', 'duplicate', 'rejected'],

  printOutcome: ['success', 'failed', 'timeout', 'no_agent', 'cancelled'],
  printJobType: ['receipt', 'kitchen', 'label', 'report', 'test'],
  /** What holds the WebSocket: a headless printer agent, the restaurant desktop app, or a browser client. */
  agentType: ['printer_agent', 'desktop_app', 'web_client'],
  disconnectReason: ['client_closed', 'heartbeat_timeout', 'network_error', 'auth_failed', 'replaced', 'server_shutdown'],
  /** The restaurant platform's connection-quality bands (seed: excellent/good/fair/poor). */
  connectionQuality: ['excellent', 'good', 'fair', 'poor'],

  syncErrorType: ['network', 'timeout', 'auth', 'rate_limited', 'rejected', 'validation', 'conflict', 'server_error'],

  deviceClass: ['desktop', 'mobile', 'tablet', 'pos_terminal', 'kiosk', 'bot'],

  dbOperation: ['select', 'insert', 'update', 'delete', 'transaction', 'migration'],
  dbErrorType: ['connection', 'timeout', 'constraint', 'deadlock', 'serialization', 'syntax', 'permission'],
  dbPoolState: ['idle', 'in_use'],
  cacheOperation: ['get', 'set', 'delete'],
  authFailureReason: ['invalid_credentials', 'unknown_user', 'locked_out', 'missing_token', 'invalid_token', 'expired_token', 'forbidden', 'mfa_failed'],
  securityEventType: ['failed_login', 'brute_force', 'privilege_escalation', 'rate_limited', 'cors_violation', 'invalid_token', 'suspicious_access', 'api_key_misuse'],
  severity: ['low', 'medium', 'high', 'critical'],
  deadLetterReason: ['max_retries', 'non_retryable', 'expired', 'poison_message'],
  messageChannel: ['sms', 'whatsapp', 'email', 'webhook', 'push'],
  messageOutcome: ['sent', 'failed', 'dead_lettered'],
} as const;

export type Channel = (typeof LABEL_VALUES.channel)[number];
export type OrderFailureReason = (typeof LABEL_VALUES.orderFailureReason)[number];
export type VoidReason = (typeof LABEL_VALUES.voidReason)[number];
export type PaymentMethod = (typeof LABEL_VALUES.paymentMethod)[number];
export type PaymentOperation = (typeof LABEL_VALUES.paymentOperation)[number];
export type PaymentFailureReason = (typeof LABEL_VALUES.paymentFailureReason)[number];
export type StockReleaseReason = (typeof LABEL_VALUES.stockReleaseReason)[number];
export type AgeVerificationResult = (typeof LABEL_VALUES.ageVerificationResult)[number];
export type AgeVerificationMethod = (typeof LABEL_VALUES.ageVerificationMethod)[number];
export type OfflineSyncOutcome = (typeof LABEL_VALUES.offlineSyncOutcome)[number];
export type PrintOutcome = (typeof LABEL_VALUES.printOutcome)[number];
export type PrintJobType = (typeof LABEL_VALUES.printJobType)[number];
export type AgentType = (typeof LABEL_VALUES.agentType)[number];
export type DisconnectReason = (typeof LABEL_VALUES.disconnectReason)[number];
export type ConnectionQuality = (typeof LABEL_VALUES.connectionQuality)[number];
export type SyncErrorType = (typeof LABEL_VALUES.syncErrorType)[number];
export type DeviceClass = (typeof LABEL_VALUES.deviceClass)[number];

/**
 * Histogram bucket layouts (upper bounds; `+Inf` is implicit). Each names the thresholds it must contain,
 * because a latency SLO or alert threshold is only exact when it is a bucket boundary (issue 4 validates that).
 */
export const BUCKETS = {
  /**
   * The core's default `metrics.httpBuckets` (docs/config.md): 5 ms to 10 s for POS APIs. 0.5 s is the seeds'
   * API latency SLA, 1 s a latency-SLO threshold, 3 s and 5 s the seeds' p95/p99 alert thresholds.
   */
  httpSeconds: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10],
  /** prom-client's `gcDurationBuckets` default. */
  gcSeconds: [0.001, 0.01, 0.1, 1, 2, 5],
  /**
   * Payment provider round trips. Card-present payments include PIN entry, so the tail reaches a minute;
   * 1, 2 and 3 s are boundaries because they are the usual "checkout feels slow" thresholds.
   */
  paymentSeconds: [0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 15, 30, 60],
  /**
   * Order value in major currency units, 1-2-5 steps from a coffee to a catering order. Tuned for currencies
   * whose major unit is worth roughly a US dollar or a euro; a yen or forint store sees most orders in the top buckets.
   */
  orderValueCurrency: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000],
  /** Units per order; fine steps at the low end where most baskets are. */
  orderItems: [1, 2, 3, 4, 5, 7, 10, 15, 20, 30, 50, 100],
  /** Dispatch to acknowledgement of a print job. 0.5 s is the restaurant SLA (p95), 1 s its alert threshold. */
  printSeconds: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
  /** One sync batch to the warehouse; the seed's buckets (1, 5, 10, 30, 60, 120 s) plus a fast and a slow end. */
  syncBatchSeconds: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300],
  /** Database queries. 1 s is the seeds' slow-query threshold, so "share of queries over 1 s" is exact. */
  dbQuerySeconds: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
} as const;

/**
 * Metric names by group. Catalogue files read their names from here, so the names of every metric
 * tillwatch declares can be read in one screen.
 */
export const METRIC_NAMES = {
  http: {
    requests: 'http_requests_total',
    requestDuration: 'http_request_duration_seconds',
    requestsInFlight: 'http_requests_in_flight',
  },
  runtime: {
    cpu: 'process_cpu_seconds_total',
    residentMemory: 'process_resident_memory_bytes',
    startTime: 'process_start_time_seconds',
    openFds: 'process_open_fds',
    eventLoopLag: 'nodejs_eventloop_lag_seconds',
    eventLoopLagP99: 'nodejs_eventloop_lag_p99_seconds',
    heapUsed: 'nodejs_heap_size_used_bytes',
    heapTotal: 'nodejs_heap_size_total_bytes',
    externalMemory: 'nodejs_external_memory_bytes',
    gcDuration: 'nodejs_gc_duration_seconds',
    versionInfo: 'nodejs_version_info',
  },
  tillwatch: {
    seriesDropped: 'tillwatch_metrics_series_dropped_total',
    invalidObservations: 'tillwatch_metrics_invalid_observations_total',
    collectErrors: 'tillwatch_metrics_collect_errors_total',
    sinkErrors: 'tillwatch_sink_errors_total',
  },
  orders: {
    completed: 'orders_completed_total',
    failed: 'orders_failed_total',
    voided: 'orders_voided_total',
    value: 'orders_value',
    items: 'orders_items',
  },
  payments: {
    attempts: 'payments_attempts_total',
    successes: 'payments_successes_total',
    failures: 'payments_failures_total',
    duration: 'payments_duration_seconds',
  },
  revenue: {
    revenue: 'revenue_total',
    refunded: 'revenue_refunded_total',
  },
  inventory: {
    reserved: 'inventory_reserved_items_total',
    released: 'inventory_released_items_total',
    lowStock: 'inventory_low_stock_products',
    outOfStock: 'inventory_out_of_stock_products',
  },
  compliance: {
    ageVerifications: 'age_verifications_total',
  },
  customers: {
    new: 'customers_new_total',
    returning: 'customers_returning_total',
    pointsEarned: 'loyalty_points_earned_total',
    pointsRedeemed: 'loyalty_points_redeemed_total',
  },
  offlineQueue: {
    depth: 'offline_queue_depth',
    oldestAge: 'offline_queue_oldest_age_seconds',
    syncAttempts: 'offline_sync_attempts_total',
    operations: 'offline_sync_operations_total',
  },
  printing: {
    jobs: 'print_jobs_total',
    duration: 'print_job_duration_seconds',
    agentsConnected: 'print_agents_connected',
    disconnects: 'print_agent_disconnects_total',
    connectionQuality: 'print_agents_connection_quality',
  },
  sync: {
    records: 'sync_records_total',
    batchDuration: 'sync_batch_duration_seconds',
    errors: 'sync_errors_total',
    lastSuccess: 'sync_last_success_timestamp_seconds',
  },
  productAnalytics: {
    flagEvaluations: 'feature_flag_evaluations_total',
    experimentAssignments: 'experiment_assignments_total',
    experimentConversions: 'experiment_conversions_total',
    apiVersionRequests: 'api_version_requests_total',
    deviceClassRequests: 'client_device_requests_total',
    regionRequests: 'client_region_requests_total',
  },
  database: {
    queryDuration: 'db_query_duration_seconds',
    queryFailures: 'db_query_failures_total',
    slowQueries: 'db_slow_queries_total',
    poolMax: 'db_pool_max_connections',
    poolConnections: 'db_pool_connections',
    poolWaiting: 'db_pool_waiting_requests',
  },
  cache: {
    hits: 'cache_hits_total',
    misses: 'cache_misses_total',
    errors: 'cache_errors_total',
  },
  security: {
    failedLogins: 'auth_failed_logins_total',
    authFailures: 'auth_failures_total',
    bruteForceSources: 'auth_brute_force_sources',
    rateLimited: 'rate_limited_requests_total',
    rateLimitedClients: 'rate_limited_clients',
    corsViolations: 'cors_violations_total',
    events: 'security_events_total',
  },
  deadLetter: {
    deadLettered: 'dlq_dead_lettered_total',
    depth: 'dlq_depth',
    retries: 'dlq_retries_total',
  },
  outbound: {
    messages: 'outbound_messages_total',
    eventFailures: 'event_failures_total',
  },
  backups: {
    lastSuccess: 'backup_last_success_timestamp_seconds',
    failures: 'backup_failures_total',
  },
} as const;

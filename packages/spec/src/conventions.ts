/**
 * The one conventions module (sloth's `pkg/common/conventions/conventions.go` discipline): the names
 * everything else agrees on. Label keys, closed label-value sets and bucket layouts shared by the catalogue
 * files and the recorders; the label values the runtime writes itself; the management paths the runtime
 * serves and never traces or access-logs; and the names the generator writes (recording rules, rule groups,
 * labels on SLO alerts). Each metric's own name is written once, in its definition in catalogue/.
 *
 * Names follow the Prometheus naming guide (https://prometheus.io/docs/practices/naming/): snake_case,
 * base units as suffixes (`_seconds`, `_bytes`), `_total` on counters and only on counters.
 * Metric names are unprefixed; when `metrics.prefix` is set the runtime prepends it to its own metrics.
 *
 * Pure data: this file imports only types.
 */
import type { Duration } from './alerts/duration.ts';

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

/** The value of every label of the one series a metric's new label sets fold into past its budget. */
export const OVERFLOW_LABEL_VALUE = '__overflow__';

/** Route label of requests that matched no route: raw paths must never become label values (unbounded cardinality). */
export const UNMATCHED_ROUTE = '__unmatched__';

/** Label value written when the label redactor itself failed: the raw value is never exported. */
export const REDACTION_FAILED_LABEL_VALUE = '__redaction_failed__';

/**
 * Label sets a metric may hold before new ones fold into the overflow series, unless its spec says
 * otherwise: the default of `metrics.maxSeriesPerMetric` (docs/config.md).
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
  operation: 'operation',
  state: 'state',
  cache: 'cache',
  eventType: 'type',
  severity: 'severity',
  queue: 'queue',
  // synthetic journeys
  journey: 'journey',
  step: 'step',
  messageChannel: 'channel',
  event: 'event',
  target: 'target',
  table: 'table',
  sqlstateClass: 'sqlstate_class',
  pool: 'pool',
  connection: 'connection',
  commandFamily: 'family',
  dependency: 'dependency',
} as const;

/**
 * Closed label-value sets. Anything a caller passes outside a set records as {@link OTHER_LABEL_VALUE},
 * which is therefore never listed here: it is implicit in every closed set.
 */
export const LABEL_VALUES = {
  httpMethod: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
  gcKind: ['major', 'minor', 'incremental', 'weakcb'],
  invalidObservationReason: ['label_names', 'label_value', 'value', 'exemplar'],
  spanDropReason: ['queue_full', 'export_failed'],

  /** How the order reached the business: at the till, online, by voice assistant or at a self-service kiosk. */
  channel: ['in_store', 'online', 'voice', 'kiosk'],
  orderFailureReason: ['payment_declined', 'payment_error', 'out_of_stock', 'age_verification_failed', 'validation_failed', 'timeout', 'internal_error'],
  voidReason: ['customer_request', 'cashier_error', 'payment_failed', 'age_verification_failed', 'fraud_suspected'],

  paymentMethod: ['cash', 'card', 'contactless', 'mobile_wallet', 'gift_card', 'store_credit', 'loyalty_points', 'voucher', 'bank_transfer', 'pay_later'],
  /** `sale` is authorise-and-capture in one step (card present); `authorize` + `capture` is the split flow (online, tabs). */
  paymentOperation: ['sale', 'authorize', 'capture', 'refund', 'void'],
  /**
   * How a payment with an unknown outcome was settled by asking the provider: its capture recorded, its hold
   * released (`voided`), nothing found under its key, declined, refunded because the order no longer wanted
   * it (`reversed`), or not settled yet because the provider could not be asked (`lookup_failed`).
   */
  paymentResolution: ['captured', 'voided', 'not_found', 'declined', 'reversed', 'lookup_failed'],
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
  /** Connection-quality bands of a printer agent's WebSocket, as restaurant platforms report them. */
  connectionQuality: ['excellent', 'good', 'fair', 'poor'],

  syncErrorType: ['network', 'timeout', 'auth', 'rate_limited', 'rejected', 'validation', 'conflict', 'server_error'],

  deviceClass: ['desktop', 'mobile', 'tablet', 'pos_terminal', 'kiosk', 'bot'],

  dbOperation: ['select', 'insert', 'update', 'delete', 'transaction', 'migration'],
  dbErrorType: ['connection', 'timeout', 'constraint', 'deadlock', 'serialization', 'syntax', 'permission'],
  dbPoolState: ['idle', 'in_use'],
  cacheOperation: ['get', 'set', 'delete'],
  redisCommandFamily: ['string', 'hash', 'list', 'set', 'sorted_set', 'key', 'stream', 'pubsub', 'script', 'transaction', 'server', 'connection'],
  /** How one call to an external dependency ended: answered, failed, timed out, or refused by its open circuit breaker. */
  dependencyOutcome: ['ok', 'error', 'timeout', 'circuit_open'],
  /** How a scheduled job (backup, export) ended. */
  jobOutcome: ['success', 'failure'],
  authFailureReason: ['invalid_credentials', 'unknown_user', 'locked_out', 'missing_token', 'invalid_token', 'expired_token', 'malformed_token', 'forbidden', 'mfa_failed'],
  /**
   * The security event vocabulary of `tillwatch/security` (docs/security.md): logins that failed or succeeded, lockouts,
   * brute force from one source, password spray across user names, a role calling a route above it, rate-limited
   * clients, CORS refusals, token failures, refused scrapes of the management endpoints.
   */
  securityEventType: ['failed_login', 'login_succeeded', 'lockout', 'brute_force', 'password_spray', 'privilege_escalation', 'rate_limited', 'cors_violation', 'invalid_token', 'management_auth_failure', 'suspicious_access', 'api_key_misuse'],
  severity: ['low', 'medium', 'high', 'critical'],
  /**
   * Why a message left its queue for the dead-letter queue: attempts used up (`max_retries`), a permanent
   * error such as a provider 4xx (`non_retryable`), the retry budget spent (`expired`), or a payload the
   * handler cannot even read (`poison_message`).
   */
  deadLetterReason: ['max_retries', 'non_retryable', 'expired', 'poison_message'],
  messageChannel: ['sms', 'whatsapp', 'email', 'webhook', 'push'],
  messageOutcome: ['sent', 'failed', 'dead_lettered'],
  /** What one delivery attempt came to: delivered, failed in a way worth retrying, or failed for good. */
  deliveryAttemptResult: ['success', 'retryable_error', 'permanent_error'],
  /** How a message left its queue: delivered, or moved to the dead-letter queue. */
  deliveryOutcome: ['delivered', 'dead_lettered'],
  /**
   * Why a delivery or an event handler failed, as classified by `tillwatch/delivery` (docs/delivery.md):
   * retryable are timeout, network, rate_limited, unavailable, server_error and internal; the rest are permanent.
   */
  deliveryFailureReason: ['timeout', 'network', 'rate_limited', 'unavailable', 'server_error', 'rejected', 'invalid_request', 'unauthorized', 'conflict', 'invalid_payload', 'internal'],
} as const;

export type InvalidObservationReason = (typeof LABEL_VALUES.invalidObservationReason)[number];
export type SpanDropReason = (typeof LABEL_VALUES.spanDropReason)[number];
export type Channel = (typeof LABEL_VALUES.channel)[number];
export type OrderFailureReason = (typeof LABEL_VALUES.orderFailureReason)[number];
export type VoidReason = (typeof LABEL_VALUES.voidReason)[number];
export type PaymentMethod = (typeof LABEL_VALUES.paymentMethod)[number];
export type PaymentOperation = (typeof LABEL_VALUES.paymentOperation)[number];
export type PaymentFailureReason = (typeof LABEL_VALUES.paymentFailureReason)[number];
export type PaymentResolution = (typeof LABEL_VALUES.paymentResolution)[number];
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
export type DeadLetterReason = (typeof LABEL_VALUES.deadLetterReason)[number];
export type DeliveryAttemptResult = (typeof LABEL_VALUES.deliveryAttemptResult)[number];
export type DeliveryOutcome = (typeof LABEL_VALUES.deliveryOutcome)[number];
export type DeliveryFailureReason = (typeof LABEL_VALUES.deliveryFailureReason)[number];

/**
 * Histogram bucket layouts (upper bounds; `+Inf` is implicit). Each names the thresholds it must contain,
 * because a latency SLO or alert threshold is only exact when it is a bucket boundary (SLO validation checks that).
 */
export const BUCKETS = {
  /**
   * The core's default `metrics.httpBuckets` (docs/config.md): 5 ms to 10 s for POS APIs. 0.5 s is a common
   * POS API latency target, 1 s a latency-SLO threshold, 3 s and 5 s the default pack's p95/p99 alert thresholds.
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
  /** One sync batch to the warehouse: the usual 1, 5, 10, 30, 60 and 120 s, plus a fast and a slow end. */
  syncBatchSeconds: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300],
  /** Database queries. 1 s is the default slow-query threshold, so "share of queries over 1 s" is exact. */
  dbQuerySeconds: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
} as const;

/**
 * Management paths: where the runtime serves its metrics and health probes by default (`metrics.path`,
 * `health.basePath`), and the probes below the health base path. Requests to these paths are never traced
 * and, unless they fail, never access-logged.
 */
export const DEFAULT_METRICS_PATH = '/metrics';
export const DEFAULT_HEALTH_BASE_PATH = '/health';
/** The probes below `health.basePath`; the base path itself serves the summary. */
export const HEALTH_PROBES = ['live', 'ready', 'startup'] as const;
export type HealthProbe = (typeof HEALTH_PROBES)[number];

/** The management paths of an instance: the health summary, each probe, and /metrics. */
export interface ManagementPaths {
  readonly healthSummary: string;
  readonly probes: { readonly [P in HealthProbe]: string };
  readonly metrics: string;
  /** Every path above, summary first, metrics last. */
  readonly all: readonly string[];
}

/**
 * The management paths for a health base path and a metrics path (the configured `health.basePath` and
 * `metrics.path`). A trailing slash on the base path is ignored; `/` as base path puts the probes at `/live`...
 */
export function managementPaths(healthBasePath: string = DEFAULT_HEALTH_BASE_PATH, metricsPath: string = DEFAULT_METRICS_PATH): ManagementPaths {
  const base = healthBasePath.endsWith('/') ? healthBasePath.slice(0, -1) : healthBasePath;
  const probes = { live: `${base}/live`, ready: `${base}/ready`, startup: `${base}/startup` };
  const healthSummary = base === '' ? '/' : base;
  return { healthSummary, probes, metrics: metricsPath, all: [healthSummary, probes.live, probes.ready, probes.startup, metricsPath] };
}

/**
 * Names the generator writes. Recording-rule names follow level:metric:operations
 * (https://prometheus.io/docs/practices/rules/); every SLO recording and burn alert carries the `service`
 * and `slo` labels.
 */
export const SLO_RECORD = {
  errorRatio: (w: Duration | string) => `tillwatch:slo_errors:ratio_rate${w}`,
  eventRate: (w: Duration | string) => `tillwatch:slo_events:rate${w}`,
  objective: 'tillwatch:slo_objective:ratio',
  errorBudget: 'tillwatch:slo_error_budget:ratio',
  budgetRemaining: 'tillwatch:slo_error_budget_remaining:ratio',
  burnRate: 'tillwatch:slo_burn_rate:ratio',
} as const;

/**
 * Recording rules of the default pack (besides the SLOs'): one per ratio an alert or a panel reads, named like the
 * SLO recordings (`level:metric:operations`). The window is the pack's `rateWindow`.
 */
export const PACK_RECORD = {
  /** Hit ratio per cache keyspace (`cache` label): hits / (hits + misses). Absent while a keyspace has no lookups. */
  cacheHitRatio: (w: Duration | string) => `tillwatch:cache_hit:ratio_rate${w}`,
} as const;

/** Labels on every SLO recording and burn alert. */
export const SLO_LABELS = { service: 'service', slo: 'slo' } as const;
/** `page` or `ticket` on SLO burn alerts (the inhibition pairs them). */
export const BURN_LABEL = 'burn';
/** The long window of a burn alert's rule, which tells its variants apart. */
export const LONG_WINDOW_LABEL = 'long_window';

/** The burn-rate recording over the long window of the fastest page, for dashboards and the health summary. */
export const CURRENT_BURN_WINDOW: Duration = '1h';

/** Prefix of every generated rule group: `<prefix>-<service>-<group>`. */
export const GROUP_PREFIX = 'tillwatch';

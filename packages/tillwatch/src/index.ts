/**
 * tillwatch: production observability for point-of-sale, restaurant and retail backends.
 * Every public export is listed here by name; adapters live in `tillwatch/<framework>`,
 * test doubles in `tillwatch/testing`.
 */
export { createTillwatch } from './tillwatch.ts';
export type { Tillwatch, ManagementHandler } from './tillwatch.ts';

export { resolveOptions, optionsSchema, DEFAULT_HTTP_BUCKETS } from './config/options.ts';
export type { TillwatchOptions, ResolvedTillwatchOptions } from './config/options.ts';

export { TillwatchError, isTillwatchError } from './errors/tillwatch-error.ts';
export { TillwatchConfigError, isTillwatchConfigError } from './errors/config-error.ts';
export type { ConfigIssue } from './errors/config-error.ts';
export { errorCodes, warningCodes, deprecationCodes } from './errors/codes.ts';
export type { ErrorCode, WarningCode } from './errors/codes.ts';

export { ContextStore } from './context/request-context.ts';
export type { RequestContext } from './context/request-context.ts';
export { uuidv7, correlationIdFrom, isValidCorrelationId } from './context/correlation-id.ts';

export { createRedactor } from './redact/redactor.ts';
export type { Redactor, RedactorOptions, SerializedError } from './redact/redactor.ts';

export { createLogger } from './log/logger.ts';
export { createAccessLog } from './log/access-log.ts';
export type { AccessEntry, AccessLog } from './log/access-log.ts';
export { parseUserAgent } from './log/user-agent.ts';
export type { ParsedUserAgent, UserAgentFamily, DeviceClass as UserAgentDeviceClass } from './log/user-agent.ts';

export { Metrics } from './metrics/metrics.ts';
export { HttpMetrics, UNMATCHED_ROUTE } from './metrics/http-metrics.ts';
export { createMetricsHandler } from './metrics/metrics-endpoint.ts';

export {
  Health,
  DuplicateHealthCheckError,
  postgresCheck,
  pgliteCheck,
  redisCheck,
  httpCheck,
  diskSpaceCheck,
  customCheck,
} from './health/index.ts';
export type { HealthCheck, CheckResult, ProbeResponse, ReadyStatus } from './health/index.ts';

export { Lifecycle } from './lifecycle/lifecycle.ts';
export type { LifecycleDeps, ShutdownPhase } from './lifecycle/lifecycle.ts';

export { HttpInstrumentation, CLIENT_CLOSED_REQUEST } from './http/http-instrumentation.ts';
export type { RequestScope } from './http/http-instrumentation.ts';

export { catalogue, listMetrics, findMetric } from './spec/catalogue.ts';
export type { Catalogue } from './spec/catalogue.ts';
export { createCommerceMetrics } from './commerce/commerce-metrics.ts';
export type { CommerceMetrics, CommerceMetricsOptions } from './commerce/commerce-metrics.ts';

export type { Tracing } from './trace/tracing.ts';
export type { SentryReporter } from './report/sentry-reporter.ts';
export { createSloTracker, SloTracker, computeSloStatus } from './slo/index.ts';
export type { SloTrackerOptions, SloReport, SloStatus } from './slo/index.ts';

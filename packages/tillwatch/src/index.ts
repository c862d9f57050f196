/**
 * tillwatch: production observability for point-of-sale, restaurant and retail backends.
 * Every public export is listed here by name; adapters live in `tillwatch/<framework>`,
 * test doubles in `tillwatch/testing`. Metric, SLO and alert declarations come from `@tillwatch/spec`,
 * the redactor from `@tillwatch/redact`; tracing and Sentry reports from `@tillwatch/otel`, which
 * `createTillwatch()` loads when they are configured.
 */
export { createTillwatch } from './tillwatch.ts';
export type { Tillwatch, ManagementHandler } from './tillwatch.ts';

export { resolveOptions, optionsSchema } from './config/options.ts';
export type { TillwatchOptions, ResolvedTillwatchOptions } from './config/options.ts';

export { isTillwatchError, TillwatchConfigError, isTillwatchConfigError } from '@tillwatch/spec';
export type { ConfigIssue, ErrorCode, WarningCode } from '@tillwatch/spec';

export { ContextStore } from './context/request-context.ts';
export type { RequestContext } from './context/request-context.ts';
export type { Logger } from 'pino';

export { Metrics } from './metrics/metrics.ts';
export type { HttpMetrics } from './metrics/http-metrics.ts';

export {
  Health,
  DuplicateHealthCheckError,
  isDuplicateHealthCheckError,
  postgresCheck,
  pgliteCheck,
  redisCheck,
  httpCheck,
  diskSpaceCheck,
  customCheck,
} from './health/index.ts';
export type {
  HealthCheck,
  CheckResult,
  ProbeResponse,
  ReadyStatus,
  CommonCheckOptions,
  PostgresCheckOptions,
  PostgresQueryable,
  PgliteCheckOptions,
  PgliteQueryable,
  RedisCheckOptions,
  RedisPingable,
  HttpCheckOptions,
  DiskSpaceCheckOptions,
} from './health/index.ts';

export { Lifecycle } from './lifecycle/lifecycle.ts';
export type { LifecycleDeps, ShutdownPhase } from './lifecycle/lifecycle.ts';

export type { HttpInstrumentation, RequestScope } from './http/http-instrumentation.ts';

export { createCommerceMetrics } from './commerce/commerce-metrics.ts';
export type { CommerceMetrics, CommerceMetricsOptions } from './commerce/commerce-metrics.ts';

export { createJobReporter } from './jobs/job-reporter.ts';
export type { JobReporter, JobReporterOptions, JobRunResult } from './jobs/job-reporter.ts';

export { createSloTracker } from './slo/index.ts';
export type { SloTracker, SloTrackerOptions, SloReport, SloStatus } from './slo/index.ts';

export type {
  OtelModule,
  OtelStartDeps,
  OtelTelemetry,
  TracedRequest,
  TracingControl,
  ErrorReporterControl,
} from './telemetry/otel-module.ts';

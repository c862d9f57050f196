/**
 * The one table of tillwatch error, warning and deprecation codes.
 *
 * Every code is stable: never renamed, never reused (fastify's `lib/warnings.js` discipline).
 * `docs/errors.md` is generated from this table (`npm run docs`) and a test fails when it is stale.
 * Errors are `TW_ERR_<AREA>_<PROBLEM>`, warnings `TWWRN###`, deprecations `TWDEP###`.
 */
export interface CodeInfo {
  /** Where the code is raised: `throw` (start-up only), `result` (returned in a result value), `log` (logged, never thrown). */
  readonly raised: 'throw' | 'result' | 'log';
  /** One line: what it means. */
  readonly summary: string;
  /** What to do about it. */
  readonly fix: string;
}

export const errorCodes = {
  // --- config: the only errors tillwatch throws, and only at start-up ---
  TW_ERR_CONFIG_INVALID: {
    raised: 'throw',
    summary: 'An option has a value of the wrong type or out of range. The message names the option, what was expected and what was given.',
    fix: 'Correct the option in the object passed to createTillwatch() or the environment variable named in the message.',
  },
  TW_ERR_CONFIG_UNKNOWN_OPTION: {
    raised: 'throw',
    summary: 'An option name is not known to tillwatch (often a typo).',
    fix: 'Remove or rename the option; docs/config.md lists every option.',
  },
  TW_ERR_CONFIG_CONFLICT: {
    raised: 'throw',
    summary: 'Two options that were both set explicitly contradict each other.',
    fix: 'Change one of the two options named in the message.',
  },
  TW_ERR_CONFIG_ENV_INVALID: {
    raised: 'throw',
    summary: 'An environment variable that tillwatch reads has a value it cannot use, and strict env parsing is on.',
    fix: 'Fix or unset the variable named in the message.',
  },
  // --- health ---
  TW_ERR_HEALTH_DUPLICATE_CHECK: {
    raised: 'throw',
    summary: 'Two health checks were registered under the same name.',
    fix: 'Give each check a unique name.',
  },
  TW_ERR_HEALTH_CHECK_TIMEOUT: {
    raised: 'result',
    summary: 'A health check did not finish within its timeout; it is reported as failing.',
    fix: 'Look at the dependency named by the check; raise its timeoutMs only if the dependency is healthy but slow.',
  },
  TW_ERR_HEALTH_CHECK_FAILED: {
    raised: 'result',
    summary: 'A health check threw or returned a failure; the (redacted) error is in the probe body.',
    fix: 'Look at the dependency named by the check.',
  },
  // --- metrics ---
  TW_ERR_METRICS_DUPLICATE: {
    raised: 'throw',
    summary: 'A metric with the same name was registered twice in one tillwatch instance with a different definition.',
    fix: 'Declare each metric once, or reuse the handle returned the first time.',
  },
  TW_ERR_METRICS_INVALID_NAME: {
    raised: 'throw',
    summary: 'A metric or label name does not match the Prometheus data model ([a-zA-Z_:][a-zA-Z0-9_:]*, labels without "__" prefix).',
    fix: 'Rename the metric or label.',
  },
  // --- lifecycle ---
  TW_ERR_LIFECYCLE_HOOK_FAILED: {
    raised: 'log',
    summary: 'A shutdown hook threw or rejected; shutdown continued with the next hook.',
    fix: 'Fix the hook named in the log line.',
  },
  TW_ERR_LIFECYCLE_SHUTDOWN_TIMEOUT: {
    raised: 'log',
    summary: 'Graceful shutdown did not finish within shutdownTimeoutMs; the process exits with code 1.',
    fix: 'Find the hook or in-flight request that hung (the log names what was still pending) or raise lifecycle.shutdownTimeoutMs.',
  },
  TW_ERR_LIFECYCLE_UNCAUGHT_EXCEPTION: {
    raised: 'log',
    summary: 'An exception reached the process without a handler; it was logged as fatal and reported, then the process shut down with exit code 1.',
    fix: 'Fix the bug in the stack trace of the fatal log line.',
  },
  TW_ERR_LIFECYCLE_UNHANDLED_REJECTION: {
    raised: 'log',
    summary: 'A promise rejected without a handler; logged and reported, then handled by lifecycle.unhandledRejection (crash or log).',
    fix: 'Add a catch to the promise in the stack trace.',
  },
  // --- sinks: telemetry never throws into request code ---
  TW_ERR_SINK_WRITE_FAILED: {
    raised: 'log',
    summary: 'A telemetry sink (log destination, error reporter, exporter) failed to write; the failure was counted in tillwatch_sink_errors_total and dropped.',
    fix: 'Check the sink named in the label (disk space, network, credentials).',
  },
  // --- management endpoints ---
  TW_ERR_MANAGEMENT_UNAUTHORIZED: {
    raised: 'result',
    summary: 'A request to /metrics lacked the bearer token configured by metrics.token (METRICS_TOKEN); answered 401.',
    fix: 'Configure the scraper with the token (Prometheus: authorization.credentials_file).',
  },
} as const satisfies Record<string, CodeInfo>;

export const warningCodes = {
  TWWRN001: {
    raised: 'log',
    summary: 'lifecycle.drainDelayMs + lifecycle.shutdownTimeoutMs is longer than lifecycle.terminationGracePeriodSeconds: Kubernetes will SIGKILL the pod before shutdown can finish.',
    fix: 'Lower the drain delay or timeout, or raise terminationGracePeriodSeconds in the pod spec and in the config.',
  },
  TWWRN002: {
    raised: 'log',
    summary: 'An environment variable had a value tillwatch could not parse; the default was used instead.',
    fix: 'Fix or unset the variable named in the warning.',
  },
  TWWRN003: {
    raised: 'log',
    summary: 'A metric reached its label-set budget; new label sets fold into one overflow series and are counted in tillwatch_metrics_series_dropped_total{metric}.',
    fix: 'A label carries unbounded values (ids, raw paths, free text). Bound it, or raise metrics.maxSeriesPerMetric for that metric if the values really are bounded.',
  },
  TWWRN004: {
    raised: 'log',
    summary: 'A health check is slower than half its timeout.',
    fix: 'Look at the dependency before it starts failing probes.',
  },
} as const satisfies Record<string, CodeInfo>;

export const deprecationCodes = {} as const satisfies Record<string, CodeInfo>;

export type ErrorCode = keyof typeof errorCodes;
export type WarningCode = keyof typeof warningCodes;

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
  TW_ERR_CONFIG_MISSING_PACKAGE: {
    raised: 'throw',
    summary: 'An option (or its environment variable) turns on a feature whose package is not installed, e.g. trace or sentry without @tillwatch/otel.',
    fix: 'Install the package named in the message (npm install @tillwatch/otel), or unset the option.',
  },
  // --- health ---
  TW_ERR_HEALTH_DUPLICATE_CHECK: {
    raised: 'throw',
    summary: 'Two health checks were registered under the same name.',
    fix: 'Give each check a unique name.',
  },
  TW_ERR_HEALTH_INVALID_CHECK: {
    raised: 'throw',
    summary: 'A health check is malformed: bad name (must match [A-Za-z0-9][A-Za-z0-9._:-]{0,63}), timeoutMs outside 1..60000, a non-http(s) URL for httpCheck, or bad disk thresholds.',
    fix: 'Correct the check definition named in the message.',
  },
  TW_ERR_HEALTH_CHECK_TIMEOUT: {
    raised: 'result',
    summary: 'A health check did not finish within its timeout, or is still running from an earlier probe (it is never started twice); it is reported as failing.',
    fix: 'Look at the dependency named by the check; raise its timeoutMs only if the dependency is healthy but slow.',
  },
  TW_ERR_HEALTH_CHECK_FAILED: {
    raised: 'result',
    summary: 'A health check threw or returned a failure; the (redacted) error is in the probe body.',
    fix: 'Look at the dependency named by the check.',
  },
  TW_ERR_HEALTH_LIVENESS_FAILING: {
    raised: 'log',
    summary: 'Liveness started failing: heap use is over its threshold, or the event loop made no turn for health.stuckAfterMs (logged once per transition). High event-loop lag alone does not fail liveness: the probe then answers 200 with busy: true.',
    fix: 'Look for a memory leak, or for the synchronous work that blocked the loop; the line carries the reasons.',
  },
  TW_ERR_HEALTH_EVENT_LOOP_STUCK: {
    raised: 'log',
    summary: 'The event loop made no turn for longer than health.stuckAfterMs. A watchdog thread writes this line to stderr while the loop is stuck (nothing on the loop can run then; liveness probes time out), and the loop logs it again with the stall length when it turns.',
    fix: 'Find the synchronous work that blocked the loop (an endless loop, a catastrophic regular expression, a large synchronous JSON or crypto call); a CPU profile or --cpu-prof taken under the same input shows it.',
  },
  // --- metrics ---
  TW_ERR_METRICS_DUPLICATE: {
    raised: 'throw',
    summary: 'A metric with the same name was registered twice in one tillwatch instance with a different definition, or two metrics would collide in the exposition (x_total vs a gauge x, h vs h_bucket).',
    fix: 'Declare each metric once, or reuse the handle returned the first time.',
  },
  TW_ERR_METRICS_INVALID_NAME: {
    raised: 'throw',
    summary: 'A metric or label name breaks the Prometheus data model or its conventions: names match [a-z_][a-z0-9_]* (no colons or camelCase); counters and only counters end in _total; non-histograms do not end in _bucket/_sum/_count; labels are not le, quantile or __-prefixed, and not repeated.',
    fix: 'Rename the metric or label.',
  },
  TW_ERR_METRICS_INVALID_DEFINITION: {
    raised: 'throw',
    summary: 'A metric definition is malformed: empty help, buckets not strictly increasing, or maxSeries outside its range.',
    fix: 'Correct the definition of the metric named in the message.',
  },
  TW_ERR_METRICS_COLLECT_FAILED: {
    raised: 'log',
    summary: 'A collect callback threw or rejected during a scrape. For guarded gauges the scrape still succeeds and the failure is counted in tillwatch_metrics_collect_errors_total{metric}; for raw prom-client metrics the scrape answers 500.',
    fix: 'Fix the collect callback of the metric named in the log line.',
  },
  // --- lifecycle ---
  TW_ERR_LIFECYCLE_HOOK_FAILED: {
    raised: 'log',
    summary: 'A shutdown hook threw, rejected, or could never settle (stalled: true); shutdown continued with the next hook.',
    fix: 'Fix the hook named in the log line.',
  },
  TW_ERR_LIFECYCLE_SHUTDOWN_TIMEOUT: {
    raised: 'log',
    summary: 'Graceful shutdown did not finish within shutdownTimeoutMs; the process exits with code 1.',
    fix: 'Find the hook or in-flight request that hung (the log names what was still pending) or raise lifecycle.shutdownTimeoutMs.',
  },
  TW_ERR_LIFECYCLE_FORCED_EXIT: {
    raised: 'log',
    summary: 'A second SIGTERM/SIGINT arrived during graceful shutdown; the process exited at once with code 1.',
    fix: 'None needed if intended. If an orchestrator sends it, its grace period is shorter than drain + timeout (see TWWRN001).',
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
    summary: 'A telemetry sink (log destination, error reporter, exporter) failed to write or timed out; the failure was counted in tillwatch_sink_errors_total{sink} and dropped.',
    fix: 'Check the sink named in the label (disk space, network, credentials).',
  },
  // --- tracing / error reports ---
  TW_ERR_TRACE_SETUP_FAILED: {
    raised: 'log',
    summary: 'The OpenTelemetry tracer provider could not be built or registered; the service runs without tracing.',
    fix: 'Read the error in the log line (often two copies of @opentelemetry/api, or another library that registered a global provider first).',
  },
  TW_ERR_TRACE_EXPORT_FAILED: {
    raised: 'log',
    summary: 'A batch of spans could not be exported to the OTLP endpoint (refused, failed or timed out after trace.exportTimeoutMs); the spans were dropped and counted in tillwatch_trace_spans_dropped_total{reason="export_failed"} and tillwatch_sink_errors_total{sink="otlp"}. Logged at most once a minute.',
    fix: 'Check that the collector at trace.endpoint (OTEL_EXPORTER_OTLP_ENDPOINT) is up and reachable.',
  },
  TW_ERR_TRACE_REDACT_FAILED: {
    raised: 'log',
    summary: 'Scrubbing the attributes of an ended span failed (a malformed span from a third-party instrumentation); the span was exported as the redactor left it.',
    fix: 'Report the instrumentation named by the span; the log line carries the error.',
  },
  TW_ERR_REPORT_UNAVAILABLE: {
    raised: 'log',
    summary: 'sentry.dsn (SENTRY_DSN) is set but @sentry/node could not be loaded or initialised; the service runs without error reports.',
    fix: 'Install the optional peer dependency: npm install @sentry/node@~10.76.2.',
  },
  // --- management endpoints ---
  TW_ERR_MANAGEMENT_UNAUTHORIZED: {
    raised: 'result',
    summary: 'A request to /metrics lacked the bearer token configured by metrics.token (METRICS_TOKEN); answered 401.',
    fix: 'Configure the scraper with the token (Prometheus: authorization.credentials_file).',
  },
  // --- alerts: the spec validators and the tillwatch CLI (generate, check); never raised at run time ---
  TW_ERR_ALERTS_INVALID_SPEC: {
    raised: 'result',
    summary: 'An alert, SLO or deploy-config field has a wrong type or value (target outside (0, 1), bad duration, duplicate name, missing test series...). The message names the field, what was expected and what was given.',
    fix: 'Correct the field at the path in the message.',
  },
  TW_ERR_ALERTS_UNKNOWN_KEY: {
    raised: 'result',
    summary: 'A deploy config, SLO or alert has a key tillwatch/v1 does not know (often a typo).',
    fix: 'Remove or rename the key; the message lists the known keys.',
  },
  TW_ERR_ALERTS_UNKNOWN_METRIC: {
    raised: 'result',
    summary: 'A PromQL expression (an alert, an SLI or a test series) reads a metric name that is not in the catalogue.',
    fix: 'Use a catalogue handle instead of raw PromQL, fix the name, or declare the metric: in your own catalogue (defineCatalogue, passed as `catalogue` in the deploy config) or in the built-in one (docs/metrics.md).',
  },
  TW_ERR_ALERTS_UNSAFE_NAME: {
    raised: 'result',
    summary: 'A service, SLO, team, alert or label name contains characters that could break out of YAML, PromQL, templates or Markdown (quotes, braces, newlines).',
    fix: 'Use lower-case letters, digits, - and _ (alerts: PascalCase).',
  },
  TW_ERR_ALERTS_NOT_A_BUCKET: {
    raised: 'result',
    summary: 'A latency SLO or latency alert threshold is not a bucket boundary of its histogram, so the SLI would be an interpolated estimate.',
    fix: 'Pick one of the boundaries listed in the message, or add the boundary to the buckets of the histogram.',
  },
  TW_ERR_ALERTS_INLINE_SECRET: {
    raised: 'result',
    summary: 'A receiver secret (PagerDuty routing key, Slack webhook URL, SMTP password) was given inline; generated files never contain secrets.',
    fix: 'Use { file: "/etc/alertmanager/secrets/<name>" } (rendered as a *_file field) or { env: "NAME" }.',
  },
  TW_ERR_ALERTS_INHIBITION_EQUAL: {
    raised: 'result',
    summary: 'An inhibition has no equal labels, so one alert would mute every matching alert of every service and location.',
    fix: 'List the labels that must match, e.g. equal: ["service"] or ["service", "location"].',
  },
  TW_ERR_ALERTS_INVALID_CONFIG: {
    raised: 'throw',
    summary: 'tillwatch generate refused a deploy config; the message lists every problem with its own code (exit code 3).',
    fix: 'Fix each problem listed.',
  },
  TW_ERR_ALERTS_CONFIG_LOAD: {
    raised: 'throw',
    summary: 'The CLI could not import the deploy config file, or it has no default export (exit code 3).',
    fix: 'Check the path and that the file runs under Node (erasable TypeScript only) and ends with export default { ... }.',
  },
  TW_ERR_ALERTS_CHECK_FAILED: {
    raised: 'throw',
    summary: 'tillwatch check: promtool or amtool rejected the bundle, or a severity did not route to its receiver; their own output is in the message (exit code 1).',
    fix: 'Read the tool output; regenerate after fixing the config (never edit generated files).',
  },
  TW_ERR_ALERTS_TOOL_MISSING: {
    raised: 'throw',
    summary: 'tillwatch check needs promtool and amtool on PATH (exit code 4).',
    fix: 'Install them (Debian: apt-get install prometheus prometheus-alertmanager).',
  },
  TW_ERR_ALERTS_USAGE: {
    raised: 'throw',
    summary: 'The tillwatch command line was called with an unknown command or missing arguments (exit code 2).',
    fix: 'Run tillwatch --help.',
  },
  // --- delivery (tillwatch/delivery, tillwatch dlq) ---
  TW_ERR_DELIVERY_INVALID_OPTIONS: {
    raised: 'throw',
    summary: 'A delivery option is invalid: a retry setting out of range (maxAttempts 1..1000, delays in whole milliseconds), an unknown option, a bad queue name, or a backend given no or several connections. The message names the option, the expectation and what was given.',
    fix: 'Correct the option named in the message (docs/delivery.md lists them).',
  },
  TW_ERR_DELIVERY_MISSING_PEER: {
    raised: 'throw',
    summary: 'A delivery backend was asked for but its library is not installed (pg-boss, or bullmq with ioredis); they are optional peer dependencies of tillwatch.',
    fix: 'npm install pg-boss@^12 (or bullmq@^6) in the service.',
  },
  TW_ERR_DELIVERY_NOT_TRANSACTIONAL: {
    raised: 'throw',
    summary: 'enqueue() was given a database transaction but the backend cannot join one (BullMQ keeps its jobs in Redis).',
    fix: 'Use the pg-boss backend for transactional enqueue, or enqueue after the commit and accept that a crash in between loses the message.',
  },
  TW_ERR_DELIVERY_BACKEND: {
    raised: 'result',
    summary: 'The queue library failed or answered something unexpected (no queue of that name, a message not stored). enqueue() rejects with it; the worker logs it and the job is retried after its lease.',
    fix: 'Look at the database or Redis named in the log line; run the service once so it creates its queues before using tillwatch dlq.',
  },
  TW_ERR_DLQ_USAGE: {
    raised: 'throw',
    summary: 'tillwatch dlq was called with an unknown subcommand, missing ids, both ids and --all, or purge --all without --yes (exit code 2).',
    fix: 'Run tillwatch dlq --help.',
  },
  TW_ERR_DLQ_UNAVAILABLE: {
    raised: 'throw',
    summary: 'tillwatch dlq could not reach the queues: DATABASE_URL (or REDIS_URL with --backend bullmq) is unset or unreachable, or no service has created its queues there yet (exit code 5). The connection string is never printed.',
    fix: 'Export the same DATABASE_URL the service uses; run the service once so it creates its queues.',
  },
  TW_ERR_AUDIT_USAGE: {
    raised: 'throw',
    summary: 'tillwatch audit was called with an unknown subcommand, an unreadable key or checkpoint file, or with nothing to verify (neither DATABASE_URL nor --archive) (exit code 2).',
    fix: 'Run tillwatch audit --help.',
  },
  TW_ERR_AUDIT_UNAVAILABLE: {
    raised: 'throw',
    summary: 'tillwatch audit could not read the live audit table: DATABASE_URL is unreachable or the service has not created the audit table there (exit code 5). The connection string is never printed.',
    fix: 'Export the same DATABASE_URL the service uses, or verify archives alone with --archive and --no-live.',
  },
  TW_ERR_AUDIT_VERIFY_FAILED: {
    raised: 'result',
    summary: 'tillwatch audit verify found the audit log changed: an edited, deleted, inserted or reordered record, a truncated tail, a checkpoint or archive not signed by the key; the message names the first bad position (exit code 1).',
    fix: 'Treat it as a security incident: keep the database and the checkpoint and archive files as they are, and compare with backups from before the reported position (docs/audit.md).',
  },
  TW_ERR_DELIVERY_NOT_FOUND: {
    raised: 'result',
    summary: 'tillwatch dlq show/replay/purge was given a dead-letter id that is not in any dead-letter queue (already replayed or purged, or mistyped).',
    fix: 'List what is there with tillwatch dlq list.',
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
    summary: 'A health check is slower than half its timeout (logged at most once per check per minute, with a suppressed count).',
    fix: 'Look at the dependency before it starts failing probes.',
  },
  TWWRN006: {
    raised: 'log',
    summary: 'An observation was ignored (undeclared label, non-finite or negative value, bad exemplar) and counted in tillwatch_metrics_invalid_observations_total{metric,reason}; logged once per metric and reason.',
    fix: 'Fix the recording call for the metric named in the warning.',
  },
  TWWRN005: {
    raised: 'log',
    summary: 'A shutdown hook was registered after the hooks phase had started; it will not run.',
    fix: 'Register shutdown hooks at start-up, not during shutdown.',
  },
  TWWRN007: {
    raised: 'log',
    summary: 'A second tillwatch instance in the process asked for tracing while the first still owns the global OpenTelemetry provider; the second one shares it (its log lines carry the active trace ids, its options do not change the provider).',
    fix: 'Set tracing up once per process, or close() the first instance before creating the next.',
  },
  TWWRN008: {
    raised: 'log',
    summary: 'A pooled database connection failed (reset, terminated by the server, network lost); it was discarded and the statement it was running failed. Counted in db_connection_errors_total.',
    fix: 'None when the database restarted or failed over. Many at once with no restart: the network between the service and the database (idle timeouts of a proxy or NAT: enable keepAlive on the pool).',
  },
  TWWRN200: {
    raised: 'log',
    summary: "A delivery queue's statistics could not be read (database or Redis trouble); its gauges keep their last values until the next poll.",
    fix: 'Look at the database or Redis; nothing is lost, deliveries go on when the queue can be read.',
  },
  TWWRN201: {
    raised: 'log',
    summary: 'The event-failure table could not be written; the failure is still counted in event_failures_total and logged, and the message is still retried or dead-lettered.',
    fix: 'Look at the database; make sure the service may create and write tillwatch_event_failures.',
  },
  TWWRN202: {
    raised: 'log',
    summary: 'A delivery handler or a delivery hook (onDeadLetter) threw outside the classified path, or the queue library failed to settle a job; the job is retried after its lease instead of being lost.',
    fix: 'Read the error in the log line; a hook must not throw.',
  },
  TWWRN203: {
    raised: 'log',
    summary: 'The queue library reported an error or a warning of its own (pg-boss or BullMQ); passed through with its message.',
    fix: 'Follow the library\'s message (pg-boss: slow queries, a backlog over its warning size, clock skew).',
  },
  TWWRN300: {
    raised: 'log',
    summary: 'A database query took longer than the slow-query threshold (tillwatch/pg, tillwatch/prisma); the line carries the normalised statement (literals and parameters replaced by ?), never bound values, and db_slow_queries_total counts it.',
    fix: 'Look at the statement: a missing index, table growth or lock contention. Raise slowQueryMs only if the threshold is too strict for the workload.',
  },
  TWWRN301: {
    raised: 'log',
    summary: 'Sampling Redis INFO failed (tillwatch/redis); the memory, eviction and client gauges keep their last values until the next sample.',
    fix: 'Look at Redis reachability; a managed Redis may refuse INFO to the service user (then turn sampling off with infoIntervalMs: 0).',
  },
} as const satisfies Record<string, CodeInfo>;

export const deprecationCodes = {} as const satisfies Record<string, CodeInfo>;

export type ErrorCode = keyof typeof errorCodes;
export type WarningCode = keyof typeof warningCodes;

/**
 * Every tillwatch option, declared once. The TypeScript types, validation, env overrides and
 * docs/config.md all derive from this schema.
 *
 * Precedence: environment variable (when set and non-empty) > the options object > the default.
 * An env value that cannot be parsed is ignored with warning TWWRN002; an invalid value in the
 * options object throws TillwatchConfigError at start-up.
 */
import * as s from './schema.ts';
import {
  BUCKETS,
  DEFAULT_HEALTH_BASE_PATH,
  DEFAULT_METRICS_PATH,
  DEFAULT_SERIES_BUDGET,
  managementPaths,
  TillwatchConfigError,
  type ConfigIssue,
  type SloSpec,
} from '@tillwatch/spec';

const isFunction = (v: unknown): v is (...args: never[]) => unknown => typeof v === 'function';
const isSloList = (v: unknown): v is readonly SloSpec[] =>
  Array.isArray(v) && v.every((x) => typeof x === 'object' && x !== null && typeof (x as SloSpec).name === 'string' && typeof (x as SloSpec).target === 'number');
const isWritable = (v: unknown): v is NodeJS.WritableStream =>
  typeof v === 'object' && v !== null && typeof (v as NodeJS.WritableStream).write === 'function';


/** An HTTP header name (RFC 9110 token characters used in practice). */
const HEADER_NAME = /^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/;

export const optionsSchema = s.object({
  service: s.object({
    name: s.string({ env: 'TILLWATCH_SERVICE_NAME', default: 'app', pattern: /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, doc: 'Service name on every log line, metric target and report.' }),
    version: s.string({ env: 'TILLWATCH_SERVICE_VERSION', default: '0.0.0', maxLength: 64, doc: 'Release version (git sha or semver).' }),
    environment: s.string({ env: 'TILLWATCH_ENV', default: 'development', pattern: /^[A-Za-z0-9._-]{1,32}$/, doc: 'Deployment environment. Defaults to NODE_ENV when that is set.' }),
    location: s.optional(s.string({ env: 'TILLWATCH_LOCATION', maxLength: 64, doc: 'Store/branch/region id of this instance, when it serves one location.' })),
  }),
  log: s.object({
    level: s.oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { env: 'LOG_LEVEL', default: 'info', doc: 'Minimum level written.' }),
    destination: s.optional(s.custom('a writable stream', isWritable, { typeName: 'Writable', doc: 'Where JSON lines go (default: stdout). Tests pass an in-memory sink.' })),
    redactKeys: s.stringList({ default: [], doc: 'Extra keys (case-insensitive, any depth) removed by the redactor, in addition to the built-in list.' }),
    access: s.object({
      enabled: s.boolean({ env: 'TILLWATCH_ACCESS_LOG', default: true, doc: 'One access-log line per request.' }),
      skipPaths: s.stringList({ default: [...managementPaths().all], doc: 'Exact paths never access-logged unless the response is a 5xx. Default: the health probes under health.basePath and metrics.path.' }),
      sampleRates: s.numberRecord({ default: {}, min: 0, max: 1, doc: 'Per-route sample rate, keyed "METHOD /route/template" or "/route/template" (0..1). Unlisted routes: 1.' }),
      slowMs: s.number({ env: 'TILLWATCH_SLOW_REQUEST_MS', default: 3000, min: 0, doc: 'Requests at least this slow are always logged, at warn.' }),
      alwaysLogStatuses: s.numberList({ default: [401, 403, 429], doc: 'Security-relevant statuses always logged (5xx always are).' }),
    }),
  }),
  metrics: s.object({
    enabled: s.boolean({ env: 'TILLWATCH_METRICS', default: true, doc: 'Serve /metrics and record HTTP RED metrics.' }),
    path: s.string({ default: DEFAULT_METRICS_PATH, pattern: /^\/[A-Za-z0-9/_.-]*$/, doc: 'Path of the exposition endpoint.' }),
    token: s.optional(s.string({ env: 'METRICS_TOKEN', secret: true, failClosed: true, minLength: 16, maxLength: 512, doc: 'When set, /metrics requires "Authorization: Bearer <token>". A value that is too short or too long stops start-up with TW_ERR_CONFIG_INVALID instead of serving /metrics without authentication.' })),
    prefix: s.string({ default: '', pattern: /^([a-zA-Z_][a-zA-Z0-9_]*_)?$/, doc: 'Prefix for tillwatch-created metric names (empty by default so dashboards and rules match).' }),
    maxSeriesPerMetric: s.number({ env: 'TILLWATCH_MAX_SERIES_PER_METRIC', default: DEFAULT_SERIES_BUDGET, integer: true, min: 1, max: 1_000_000, doc: 'Label-set budget per metric; past it, new label sets fold into one overflow series.' }),
    maxLabelValueLength: s.number({ default: 100, integer: true, min: 8, max: 1024, doc: 'Label values are truncated to this many characters.' }),
    httpBuckets: s.numberList({ default: [...BUCKETS.httpSeconds], increasing: true, min: 0, doc: 'Buckets of http_request_duration_seconds, in seconds.' }),
    runtime: s.boolean({ default: true, doc: 'Collect Node.js runtime metrics (event-loop lag, GC, heap, CPU).' }),
    clients: s.object({
      enabled: s.boolean({ env: 'TILLWATCH_CLIENT_METRICS', default: false, doc: 'Count requests by API version, client device class and client region (api_version_requests_total, client_device_requests_total, client_region_requests_total).' }),
      apiVersionHeader: s.optional(s.string({ pattern: HEADER_NAME, doc: 'Request header naming the API version the client asked for (e.g. "x-api-version"), read when the path has no /vN/ prefix. Values other than vN or vN.M (N, M up to 3 digits) count as "other".' })),
      regionHeader: s.optional(s.string({ pattern: HEADER_NAME, doc: 'Trusted request header carrying the client region or country (set by your edge or load balancer, e.g. "cf-ipcountry"); without it, or when a request lacks it, the region is service.location. Values must be 1-32 letters, digits, "-" or "_", else they count as "other".' })),
    }),
  }),
  health: s.object({
    basePath: s.string({ default: DEFAULT_HEALTH_BASE_PATH, pattern: /^\/[A-Za-z0-9/_.-]*$/, doc: 'Base path of the probes (/live, /ready, /startup below it).' }),
    checkTimeoutMs: s.number({ env: 'TILLWATCH_HEALTH_TIMEOUT_MS', default: 1000, integer: true, min: 1, max: 60_000, doc: 'Default per-check timeout.' }),
    cacheTtlMs: s.number({ default: 1000, integer: true, min: 0, max: 60_000, doc: 'Check results are reused for this long so a probe storm does not hit dependencies.' }),
    maxEventLoopLagMs: s.number({ default: 1000, min: 1, doc: 'Liveness reports `busy: true` (and stays 200) when event-loop lag (p99 over the last window) exceeds this: a loop that turns slowly is busy, not stuck.' }),
    stuckAfterMs: s.number({ env: 'TILLWATCH_HEALTH_STUCK_AFTER_MS', default: 10_000, integer: true, min: 0, max: 600_000, doc: 'The event loop is stuck when it makes no turn for longer than this: a watchdog thread logs TW_ERR_HEALTH_EVENT_LOOP_STUCK while it lasts and liveness answers 503 (a loop stuck outright cannot answer at all, so the kubelet sees timeouts). 0 turns the watchdog off.' }),
    maxHeapUsedRatio: s.number({ default: 0.98, min: 0.1, max: 1, doc: 'Liveness fails when used heap / heap size limit exceeds this.' }),
  }),
  lifecycle: s.object({
    handleSignals: s.boolean({ default: true, doc: 'Install SIGTERM/SIGINT handlers that run graceful shutdown.' }),
    handleCrashes: s.boolean({ default: true, doc: 'Install uncaughtException/unhandledRejection handlers.' }),
    unhandledRejection: s.oneOf(['crash', 'log'], { env: 'TILLWATCH_UNHANDLED_REJECTION', doc: 'What an unhandled rejection does after it is logged and reported. Default: crash in production, log elsewhere.' }),
    drainDelayMs: s.number({ env: 'TILLWATCH_DRAIN_DELAY_MS', integer: true, min: 0, max: 300_000, doc: 'After SIGTERM, readiness fails at once and the server keeps serving this long so load balancers notice. Default: 5000 in production, 0 elsewhere.' }),
    shutdownTimeoutMs: s.number({ env: 'TILLWATCH_SHUTDOWN_TIMEOUT_MS', default: 10_000, integer: true, min: 1, max: 600_000, doc: 'Hard limit for draining requests and running hooks; past it the process exits with code 1.' }),
    terminationGracePeriodSeconds: s.number({ env: 'TILLWATCH_TERMINATION_GRACE_PERIOD_SECONDS', default: 30, integer: true, min: 1, doc: 'The pod spec value; a warning (TWWRN001) at start-up when drain + timeout exceed it.' }),
    exit: s.boolean({ default: true, doc: 'Call process.exit when shutdown completes. Tests set false.' }),
  }),
  management: s.object({
    port: s.optional(s.number({ env: 'MANAGEMENT_PORT', integer: true, min: 0, max: 65535, doc: 'When set, /metrics and the health probes are served on this port only (0 = any free port).' })),
    host: s.string({ env: 'MANAGEMENT_HOST', default: '0.0.0.0', doc: 'Interface of the management server.' }),
    jwt: s.object({
      issuer: s.optional(s.string({ env: 'MANAGEMENT_JWT_ISSUER', failClosed: true, minLength: 1, maxLength: 512, doc: 'Setting any management.jwt option turns on JWT authentication of /metrics, the health summary and the console (besides metrics.token): the issuer (iss) a token must carry. Required with the JWT options.' })),
      audience: s.optional(s.string({ env: 'MANAGEMENT_JWT_AUDIENCE', failClosed: true, minLength: 1, maxLength: 512, doc: 'The audience (aud) a management token must carry. Required with the JWT options.' })),
      algorithms: s.stringList({ env: 'MANAGEMENT_JWT_ALGORITHMS', failClosed: true, default: ['RS256', 'ES256', 'EdDSA'], doc: 'Accepted JWS algorithms: asymmetric only (RS*, PS*, ES*, EdDSA, Ed25519).' }),
      jwksUrl: s.optional(s.string({ env: 'MANAGEMENT_JWT_JWKS_URL', failClosed: true, maxLength: 2048, doc: 'The issuer\'s JWKS, fetched and cached (https; http only on localhost). Exactly one of jwksUrl and publicKey.' })),
      publicKey: s.optional(s.string({ env: 'MANAGEMENT_JWT_PUBLIC_KEY', failClosed: true, maxLength: 16_384, doc: 'A static verification key, PEM (-----BEGIN PUBLIC KEY-----), instead of a JWKS.' })),
      clockToleranceSeconds: s.number({ default: 30, integer: true, min: 0, max: 300, doc: 'Clock skew allowed on exp and nbf, seconds.' }),
    }),
  }),
  trace: s.object({
    enabled: s.optional(s.boolean({ env: 'TILLWATCH_TRACING', doc: 'Trace requests with OpenTelemetry and export spans over OTLP/HTTP. Default: on when trace.endpoint (OTEL_EXPORTER_OTLP_ENDPOINT) is set. docs/tracing.md.' })),
    endpoint: s.optional(s.string({ env: 'OTEL_EXPORTER_OTLP_ENDPOINT', pattern: /^https?:\/\/[^\s]+$/, maxLength: 2048, doc: 'OTLP/HTTP base URL of the collector (spans go to <endpoint>/v1/traces, JSON encoding).' })),
    sampleRatio: s.number({ env: 'OTEL_TRACES_SAMPLER_ARG', default: 1, min: 0, max: 1, doc: 'Share of new traces recorded (parent-based: an incoming traceparent\'s sampled flag wins). The same decision applies to OTLP and Sentry.' }),
    exportTimeoutMs: s.number({ env: 'OTEL_EXPORTER_OTLP_TIMEOUT', default: 10_000, integer: true, min: 1, max: 120_000, doc: 'Longest one span export may take, retries included; past it the batch is dropped and counted.' }),
    maxQueueSize: s.number({ env: 'OTEL_BSP_MAX_QUEUE_SIZE', default: 2048, integer: true, min: 1, max: 1_000_000, doc: 'Ended spans waiting for export; past it new spans are dropped and counted in tillwatch_trace_spans_dropped_total{reason="queue_full"}.' }),
  }),
  sentry: s.object({
    dsn: s.optional(s.string({ env: 'SENTRY_DSN', secret: true, pattern: /^https?:\/\/[^\s@\/]+@[^\s]+\/[0-9A-Za-z_-]+$/, maxLength: 2048, doc: 'Sentry DSN. When set, crashes and request errors are reported to Sentry (needs @sentry/node installed). docs/error-reports.md.' })),
    release: s.optional(s.string({ env: 'SENTRY_RELEASE', maxLength: 200, doc: 'Release of the reports. Default: service.version.' })),
    environment: s.optional(s.string({ env: 'SENTRY_ENVIRONMENT', maxLength: 64, doc: 'Environment of the reports. Default: service.environment.' })),
    sampleRate: s.number({ env: 'SENTRY_SAMPLE_RATE', default: 1, min: 0, max: 1, doc: 'Share of error events sent.' }),
    flushTimeoutMs: s.number({ env: 'SENTRY_FLUSH_TIMEOUT_MS', default: 2000, integer: true, min: 1, max: 60_000, doc: 'Longest wait for queued reports at shutdown and after a crash (capped by the lifecycle budget).' }),
    sendTimeoutMs: s.number({ default: 5000, integer: true, min: 1, max: 60_000, doc: 'Longest one envelope upload may take; past it the envelope is dropped and counted.' }),
    sendTransactions: s.boolean({ default: false, doc: 'Also send sampled traces to Sentry as transactions (same sampling decision as OTLP).' }),
  }),
  slos: s.optional(s.custom('an array of SLO specs (availabilitySlo(), latencySlo()... from tillwatch/spec/slo)', isSloList, { typeName: 'SloSpec[]', doc: 'SLOs whose error budget and burn rate the /health summary reports, computed in-process from this service\'s own counters (Prometheus rules from `tillwatch generate` are the authority).' })),
  errorReporter: s.optional(s.custom('a function (error, context) => void', isFunction, { typeName: 'function', doc: 'Called for crashes and request errors. When sentry.dsn is set and this is not, tillwatch reports to Sentry.' })),
});

export type TillwatchOptions = NonNullable<s.Input<typeof optionsSchema>>;
type Parsed = s.Output<typeof optionsSchema>;

/** The validated, frozen configuration, with environment-dependent defaults filled in. */
export interface ResolvedTillwatchOptions extends Omit<Parsed, 'lifecycle' | 'trace'> {
  readonly trace: Omit<Parsed['trace'], 'enabled'> & { readonly enabled: boolean };
  readonly lifecycle: Omit<Parsed['lifecycle'], 'drainDelayMs' | 'unhandledRejection'> & {
    readonly drainDelayMs: number;
    readonly unhandledRejection: 'crash' | 'log';
  };
  readonly errorReporter: ((error: unknown, context: Record<string, unknown>) => void | Promise<void>) | undefined;
}

export interface ResolveResult {
  readonly options: ResolvedTillwatchOptions;
  /** TWWRN002 warnings about unusable env values, logged once the logger exists. */
  readonly envWarnings: readonly { variable: string; expected: string; got: string }[];
}

/**
 * Validates options once, applies env overrides and environment-dependent defaults, then deep-freezes.
 * @throws TillwatchConfigError listing every invalid option.
 */
export function resolveOptions(input: TillwatchOptions | undefined, env: s.Env = process.env): ResolveResult {
  const issues: ConfigIssue[] = [];
  const envWarnings: ResolveResult['envWarnings'][number][] = [];
  const parsed = optionsSchema.parse(input ?? {}, '', { issues, env, envWarnings }) as Parsed;
  // NODE_ENV is the ecosystem's name for the environment; TILLWATCH_ENV or service.environment win when given.
  const environment =
    input?.service?.environment === undefined && !env.TILLWATCH_ENV && env.NODE_ENV ? env.NODE_ENV : parsed.service.environment;
  const production = environment === 'production';
  const lifecycle = {
    ...parsed.lifecycle,
    drainDelayMs: parsed.lifecycle.drainDelayMs ?? (production ? 5000 : 0),
    unhandledRejection: parsed.lifecycle.unhandledRejection ?? (production ? 'crash' : 'log'),
  } as const;
  if (lifecycle.drainDelayMs >= lifecycle.shutdownTimeoutMs && input?.lifecycle?.drainDelayMs !== undefined && input.lifecycle.shutdownTimeoutMs !== undefined) {
    issues.push({
      option: 'lifecycle.drainDelayMs',
      expected: `less than lifecycle.shutdownTimeoutMs (${lifecycle.shutdownTimeoutMs})`,
      got: String(lifecycle.drainDelayMs),
      code: 'TW_ERR_CONFIG_CONFLICT',
    });
  }
  if (issues.length > 0) throw new TillwatchConfigError(issues);
  // The default skip list follows the management paths actually configured.
  const skipPaths = input?.log?.access?.skipPaths ?? [...managementPaths(parsed.health.basePath, parsed.metrics.path).all];
  // Tracing is opt-in: turning it on by setting the collector's address is the OpenTelemetry convention.
  const trace = { ...parsed.trace, enabled: parsed.trace.enabled ?? parsed.trace.endpoint !== undefined };
  const options = s.deepFreeze({
    ...parsed,
    trace,
    log: { ...parsed.log, access: { ...parsed.log.access, skipPaths } },
    service: { ...parsed.service, environment },
    lifecycle,
  }) as ResolvedTillwatchOptions;
  return { options, envWarnings };
}

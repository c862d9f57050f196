/**
 * The composition root: validates options once, then wires the redactor, logger, metrics, health,
 * lifecycle and HTTP instrumentation of one tillwatch instance. Nothing here is global: two instances
 * (tests, several apps in one process) share no registry, logger or context.
 */
import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { managementPaths, UNTRACED_SERVER, type ManagementPaths } from '@tillwatch/spec';
import { createRedactor, type Redactor } from '@tillwatch/redact';
import { resolveOptions, type ResolvedTillwatchOptions, type TillwatchOptions } from './config/options.ts';
import { ContextStore } from './context/request-context.ts';
import { Health } from './health/health.ts';
import { HttpInstrumentation } from './http/http-instrumentation.ts';
import { createApiRequestCounter } from './commerce/product-analytics-recorder.ts';
import { Lifecycle, REPORT_TIMEOUT_MS } from './lifecycle/lifecycle.ts';
import { createAccessLog } from './log/access-log.ts';
import { createLogger } from './log/logger.ts';
import { createManagementAuth, type ManagementAuth } from './metrics/management-auth.ts';
import { createMetricsHandler } from './metrics/metrics-endpoint.ts';
import { Metrics } from './metrics/metrics.ts';
import { createSecurityEvents, securityEventsOf } from './security/security-events.ts';
import { createSloTracker, type SloTracker } from './slo/slo-tracker.ts';
import { loadOtel, type ErrorReporterControl, type TracingControl } from './telemetry/otel-module.ts';

export type ManagementHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/** One instrumented service. Create it once, at start-up, with {@link createTillwatch}. */
export interface Tillwatch {
  readonly options: ResolvedTillwatchOptions;
  /** Root logger; make one child per module: `tw.logger.child({ module: 'payments' })`. */
  readonly logger: Logger;
  readonly redactor: Redactor;
  readonly context: ContextStore;
  readonly metrics: Metrics;
  readonly health: Health;
  readonly lifecycle: Lifecycle;
  /** Used by the adapters; call it directly only when writing a new adapter. */
  readonly http: HttpInstrumentation;
  /**
   * Serves /metrics and the health probes when they live on the application's port
   * (no `management.port`). Returns false when the request is not for a management path.
   */
  readonly handleManagement: ManagementHandler;
  /**
   * The management endpoints' authentication (`metrics.token`, `management.jwt`), undefined when neither is set.
   * `await tw.managementAuth.guard(req, res)` protects an application's own admin endpoint the same way: a refusal
   * is answered 401 and recorded as a `management_auth_failure` security event.
   */
  readonly managementAuth: ManagementAuth | undefined;
  /** True when /metrics and /health are served by the application's own server. */
  readonly managementOnMainPort: boolean;
  /** Where /metrics and the health probes are served (from `metrics.path` and `health.basePath`). */
  readonly managementPaths: ManagementPaths;
  /**
   * Hands a listening (or about to listen) server to tillwatch: it is drained on SIGTERM, process
   * handlers are installed (once), and the management server starts when `management.port` is set.
   */
  attach(server: Server): Promise<void>;
  /** Startup work (migrations, cache warm-up) is done: /health/startup and readiness may pass. */
  markStarted(): void;
  /** Registers a shutdown hook; hooks run once each, in reverse registration order. */
  onShutdown(name: string, fn: () => unknown | Promise<unknown>): void;
  /** The process's tracing when this instance set it up (trace.enabled or sentry.dsn, through @tillwatch/otel), else undefined. */
  readonly tracing: TracingControl | undefined;
  /** The Sentry reporter when sentry.dsn is set and @sentry/node loaded (through @tillwatch/otel), else undefined. */
  readonly sentry: ErrorReporterControl | undefined;
  /** In-process SLO budget and burn rate (also in the /health summary) when `slos` are configured. */
  readonly slo: SloTracker | undefined;
  /** Address of the management server, once started. */
  managementAddress(): AddressInfo | undefined;
  /** Stops everything this instance started without exiting the process (tests, embedding). */
  close(): Promise<void>;
}

/**
 * Creates a tillwatch instance.
 * @param options every option is optional; env variables override them (docs/config.md).
 * @throws TillwatchConfigError when an option is invalid, naming the option, the expectation and the value.
 * @example
 * ```ts
 * import { createTillwatch } from 'tillwatch';
 * const tw = createTillwatch({ service: { name: 'pos-api', version: '1.4.2' } });
 * tw.logger.info('ready');
 * ```
 */
export function createTillwatch(options?: TillwatchOptions): Tillwatch {
  const { options: opts, envWarnings } = resolveOptions(options);
  const redactor = createRedactor({ extraKeys: opts.log.redactKeys });
  const context = new ContextStore();
  let metrics: Metrics | undefined;
  // Sentry needs a tracer provider too (trace ids on reports, its context manager): it shares ours.
  const otelWantedBy = [
    ...(opts.trace.enabled ? ['trace.enabled (or OTEL_EXPORTER_OTLP_ENDPOINT)'] : []),
    ...(opts.sentry.dsn !== undefined ? ['sentry.dsn (or SENTRY_DSN)'] : []),
  ];
  const otel = otelWantedBy.length > 0 ? loadOtel(otelWantedBy) : undefined;
  const logger = createLogger({
    options: opts,
    context,
    redactor,
    onSinkError: () => metrics?.sinkErrors.inc({ sink: 'log' }),
    activeSpan: otel?.activeSpanContext,
  });
  for (const w of envWarnings) {
    logger.warn({ code: 'TWWRN002', variable: w.variable, expected: w.expected, got: w.got }, `ignoring ${w.variable}: expected ${w.expected}, got ${w.got}; using the default`);
  }
  metrics = new Metrics({ options: opts, logger, redactLabel: (v) => redactor.string(v) });
  const health = new Health({
    options: opts.health,
    logger,
    scrub: (s) => redactor.string(s),
    service: { name: opts.service.name, version: opts.service.version },
  });
  const paths = managementPaths(opts.health.basePath, opts.metrics.path);
  const telemetry = otel?.startTelemetry({
    options: opts,
    redactor,
    logger,
    context,
    metrics,
    // Leave the lifecycle's report timer a margin, so a slow upload ends as "timed out", not as a cut.
    crashFlushLimitMs: REPORT_TIMEOUT_MS - 200,
  });
  const tracing = telemetry?.tracing;
  const sentry = telemetry?.sentry;
  const report = opts.errorReporter ?? sentry?.report;
  // The error reporter is a sink like any other: a throw or a rejection is counted, never propagated
  // (a rejected promise left unhandled would otherwise trip our own unhandledRejection policy).
  const reportFailed = () => metrics?.sinkErrors.inc({ sink: 'error_reporter' });
  const safeReport = report
    ? (error: unknown, ctx: Record<string, unknown>): void | Promise<void> => {
        try {
          const r: unknown = report(error, ctx);
          if (r && typeof (r as Promise<void>).then === 'function') return (r as Promise<void>).catch(reportFailed);
        } catch {
          reportFailed();
        }
      }
    : undefined;
  const lifecycle = new Lifecycle({
    options: opts.lifecycle,
    logger,
    onShuttingDown: () => health.setShuttingDown(),
    report: safeReport,
    flushLogs: () => logger.flush(),
  });
  const httpInstr = new HttpInstrumentation({
    logger,
    context,
    metrics: opts.metrics.enabled ? metrics.http : undefined,
    accessLog: opts.log.access.enabled ? createAccessLog({ logger, options: opts.log.access, scrub: (v) => redactor.string(v), contextStore: context }) : undefined,
    report: safeReport,
    traceRequest: otel?.traceRequest,
    clients: opts.metrics.enabled && opts.metrics.clients.enabled
      ? { count: createApiRequestCounter({ metrics }), apiVersionHeader: opts.metrics.clients.apiVersionHeader, regionHeader: opts.metrics.clients.regionHeader, location: opts.service.location }
      : undefined,
  });

  const slo = opts.slos && opts.slos.length > 0 ? createSloTracker({ slos: opts.slos, metrics, prefix: opts.metrics.prefix }).start() : undefined;
  if (slo) health.setSummarySection('slo', () => slo.report());

  const pathOf = (req: IncomingMessage): string => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    return q === -1 ? url : url.slice(0, q);
  };
  const securityHost = { logger, metrics };
  const managementAuth = createManagementAuth({
    token: opts.metrics.token,
    jwt: opts.management.jwt,
    onRefused: (req, reason) => securityEventsOf(securityHost).managementAuthFailure({ request: req, path: pathOf(req), reason }),
  });
  // The security metrics exist from the start (at 0) when the endpoints are protected; an application's own
  // recorder, created later, takes over reporting.
  if (managementAuth !== undefined) createSecurityEvents(securityHost);
  const metricsHandler = createMetricsHandler(metrics, { auth: managementAuth });
  const healthHandler = health.handler();
  const metricsPath = paths.metrics;
  const metricsEnabled = opts.metrics.enabled;
  // The probes stay open (an orchestrator carries no token); the summary, with dependency details, needs a
  // management JWT or the token once a JWT is configured.
  const summaryAuth = managementAuth?.jwt ? managementAuth : undefined;
  const summaryPath = paths.healthSummary;
  const serveManagement: ManagementHandler = (req, res) => {
    const path = pathOf(req);
    if (metricsEnabled && path === metricsPath) {
      metricsHandler(req, res);
      return true;
    }
    if (summaryAuth !== undefined && path === summaryPath) {
      const allowed = summaryAuth.guard(req, res);
      if (allowed === true) return healthHandler(req, res);
      if (allowed !== false) allowed.then((ok) => ok && healthHandler(req, res), () => res.destroy());
      return true;
    }
    return healthHandler(req, res);
  };
  const managementOnMainPort = opts.management.port === undefined;

  let managementServer: Server | undefined;
  let uninstall: (() => void) | undefined;
  let closed = false;

  const startManagement = async (): Promise<void> => {
    if (managementOnMainPort || managementServer) return;
    const server = http.createServer((req, res) => {
      if (!serveManagement(req, res)) {
        res.statusCode = 404;
        res.setHeader('content-type', 'application/json');
        res.end('{"error":"not found"}');
      }
    });
    managementServer = server;
    // Probes and scrapes on the management port are not traced (@tillwatch/otel's instrumentations).
    (server as unknown as Record<symbol, unknown>)[UNTRACED_SERVER] = true;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.management.port, opts.management.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const addr = server.address() as AddressInfo;
    logger.info({ port: addr.port, host: addr.address }, 'management server listening');
  };

  const stopManagement = async (): Promise<void> => {
    const server = managementServer;
    if (!server) return;
    managementServer = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };

  // Registered first, so it runs last: telemetry outlives the hooks that still want to log.
  lifecycle.onShutdown('tillwatch.telemetry', async () => {
    await stopManagement();
    health.close();
    logger.flush();
  });
  // Registered second, so it runs just before the telemetry hook: after the application's own hooks,
  // whose spans and errors it still sends. Spans and reports flush in parallel, each within a quarter of
  // the shutdown budget (and its own timeout), so together they never take more than half of it.
  const telemetryFlushMs = Math.max(1, Math.floor(opts.lifecycle.shutdownTimeoutMs / 4));
  const stopTracesAndReports = async (): Promise<void> => {
    await Promise.all([
      tracing?.shutdown(Math.min(opts.trace.exportTimeoutMs, telemetryFlushMs)),
      sentry?.close(Math.min(opts.sentry.flushTimeoutMs, telemetryFlushMs)),
    ]);
  };
  if (tracing || sentry) lifecycle.onShutdown('tillwatch.traces-and-reports', stopTracesAndReports);

  return {
    options: opts,
    logger,
    redactor,
    context,
    metrics,
    health,
    lifecycle,
    http: httpInstr,
    tracing,
    sentry,
    slo,
    handleManagement: serveManagement,
    managementAuth,
    managementOnMainPort,
    managementPaths: paths,
    async attach(server) {
      lifecycle.addServer(server);
      uninstall ??= lifecycle.install();
      await startManagement();
    },
    markStarted: () => health.markStarted(),
    onShutdown: (name, fn) => lifecycle.onShutdown(name, fn),
    managementAddress: () => managementServer?.address() as AddressInfo | undefined,
    async close() {
      if (closed) return;
      closed = true;
      uninstall?.();
      slo?.stop();
      await stopManagement();
      health.close();
      metrics?.close?.();
      await stopTracesAndReports();
    },
  };
}

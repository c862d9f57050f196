/**
 * The composition root: validates options once, then wires the redactor, logger, metrics, health,
 * lifecycle and HTTP instrumentation of one tillwatch instance. Nothing here is global: two instances
 * (tests, several apps in one process) share no registry, logger or context.
 */
import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { resolveOptions, type ResolvedTillwatchOptions, type TillwatchOptions } from './config/options.ts';
import { ContextStore } from './context/request-context.ts';
import { Health } from './health/health.ts';
import { HttpInstrumentation } from './http/http-instrumentation.ts';
import { Lifecycle } from './lifecycle/lifecycle.ts';
import { createAccessLog } from './log/access-log.ts';
import { createLogger } from './log/logger.ts';
import { createMetricsHandler } from './metrics/metrics-endpoint.ts';
import { Metrics } from './metrics/metrics.ts';
import { createRedactor, type Redactor } from './redact/redactor.ts';

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
  /** True when /metrics and /health are served by the application's own server. */
  readonly managementOnMainPort: boolean;
  /**
   * Hands a listening (or about to listen) server to tillwatch: it is drained on SIGTERM, process
   * handlers are installed (once), and the management server starts when `management.port` is set.
   */
  attach(server: Server): Promise<void>;
  /** Startup work (migrations, cache warm-up) is done: /health/startup and readiness may pass. */
  markStarted(): void;
  /** Registers a shutdown hook; hooks run once each, in reverse registration order. */
  onShutdown(name: string, fn: () => unknown | Promise<unknown>): void;
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
  const logger = createLogger({
    options: opts,
    context,
    redactor,
    onSinkError: () => metrics?.sinkErrors.inc({ sink: 'log' }),
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
  const report = opts.errorReporter;
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
    accessLog: opts.log.access.enabled ? createAccessLog({ logger, options: opts.log.access }) : undefined,
    report: safeReport,
  });

  const metricsHandler = createMetricsHandler(metrics, { token: opts.metrics.token });
  const healthHandler = health.handler();
  const metricsPath = opts.metrics.path;
  const metricsEnabled = opts.metrics.enabled;
  const serveManagement: ManagementHandler = (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    if (metricsEnabled && path === metricsPath) {
      metricsHandler(req, res);
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

  return {
    options: opts,
    logger,
    redactor,
    context,
    metrics,
    health,
    lifecycle,
    http: httpInstr,
    handleManagement: serveManagement,
    managementOnMainPort,
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
      await stopManagement();
      health.close();
      metrics?.close?.();
    },
  };
}

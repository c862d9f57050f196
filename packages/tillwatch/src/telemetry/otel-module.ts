/**
 * What `@tillwatch/otel` provides, and how the core loads it. Tracing and Sentry reports live in that
 * package so a service that wants logs, metrics and probes installs neither the OpenTelemetry SDK nor
 * @sentry/node. The core never imports it statically: `createTillwatch()` requires it by name only when
 * `trace` or `sentry` is configured (options or OTEL_EXPORTER_OTLP_ENDPOINT / SENTRY_DSN), and stops at
 * start-up with a config error naming the package when it is not installed.
 *
 * The interfaces are declared here, on the core's side, and `@tillwatch/otel` implements them: the
 * core's types never mention OpenTelemetry or Sentry, so a consumer type-checks without them installed.
 * `require()` of an ES module is synchronous (Node.js >= 22.12), so `createTillwatch()` stays synchronous.
 */
import { createRequire } from 'node:module';
import type { Logger } from 'pino';
import { TillwatchConfigError } from '@tillwatch/spec';
import type { Redactor } from '@tillwatch/redact';
import type { ResolvedTillwatchOptions } from '../config/options.ts';
import type { IncomingMessage } from 'node:http';
import type { ContextStore, RequestContext } from '../context/request-context.ts';
import type { Metrics } from '../metrics/metrics.ts';

/** The package the core loads for tracing and error reports. */
export const OTEL_PACKAGE = '@tillwatch/otel';

/**
 * A recorded (sampled) request's server span, as the core drives it: named by its route template once
 * the framework matched, ended when the response closes. Unsampled requests have none.
 */
export interface TracedRequest {
  readonly traceId: string;
  /** Names the server span `METHOD /route/template` and sets `http.route`. */
  setRoute(route: string): void;
  /** Ends the server span with the response status (499 when the client left) and the handler's error, if any. */
  end(status: number, error: unknown): void;
}

/** The tracing of a tillwatch instance (`tw.tracing`). */
export interface TracingControl {
  /** False when another instance owns the process's tracing (TWWRN007). */
  readonly owner: boolean;
  /** Exports what is queued; resolves false when `timeoutMs` passed first. Never rejects. */
  forceFlush(timeoutMs: number): Promise<boolean>;
  /** Flushes, stops exporting and unregisters the globals; resolves false on timeout. Never rejects. */
  shutdown(timeoutMs: number): Promise<boolean>;
}

/** The Sentry reporter of a tillwatch instance (`tw.sentry`). */
export interface ErrorReporterControl {
  /** Captures one report; for a crash (`context.kind` set) also waits for the upload, bounded. Never throws or rejects. */
  report(error: unknown, context: Record<string, unknown>): void | Promise<void>;
  /** Waits for queued reports; false on timeout. Never rejects. */
  flush(timeoutMs: number): Promise<boolean>;
  /** Flushes and disables the client; false on timeout. Never rejects. */
  close(timeoutMs: number): Promise<boolean>;
}

/** What the core hands `@tillwatch/otel` when it starts tracing and reports. */
export interface OtelStartDeps {
  readonly options: ResolvedTillwatchOptions;
  readonly redactor: Redactor;
  readonly logger: Logger;
  readonly context: ContextStore;
  readonly metrics: Metrics;
  /** Longest a crash report may wait for its upload (the lifecycle's report budget, less a margin). */
  readonly crashFlushLimitMs: number;
}

/** Tracing and reports as started; either may be undefined (not configured, or could not start). */
export interface OtelTelemetry {
  readonly tracing: TracingControl | undefined;
  readonly sentry: ErrorReporterControl | undefined;
}

/** The module `@tillwatch/otel` exports. */
export interface OtelModule {
  /** The active span's ids, for log lines; cheap and allocation-free. */
  activeSpanContext(): { readonly traceId: string; readonly spanId: string } | undefined;
  /**
   * Decides sampling at the edge of a request: fills `ctx.traceId`/`ctx.spanId`/`ctx.trace` from the incoming
   * W3C `traceparent` (or a new trace), and for a sampled request only starts its server span and returns it.
   * Undefined for an unsampled request (no span, nothing wrapped) or with tracing off. Never throws.
   */
  traceRequest(req: IncomingMessage, ctx: RequestContext): TracedRequest | undefined;
  startTelemetry(deps: OtelStartDeps): OtelTelemetry;
}

const lazy = createRequire(import.meta.url);

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') && String((err as Error).message).includes(OTEL_PACKAGE);
}

/**
 * Loads `@tillwatch/otel`.
 * @param wantedBy the options (and environment variables) that asked for it, for the error message.
 * @throws TillwatchConfigError TW_ERR_CONFIG_MISSING_PACKAGE when the package is not installed.
 */
export function loadOtel(wantedBy: readonly string[], load: (name: string) => unknown = lazy): OtelModule {
  try {
    return load(OTEL_PACKAGE) as OtelModule;
  } catch (err) {
    if (!isMissing(err)) throw err;
    throw new TillwatchConfigError([
      {
        option: wantedBy.join(', '),
        expected: `the ${OTEL_PACKAGE} package installed (npm install ${OTEL_PACKAGE}), which provides tracing and Sentry reports`,
        got: `${OTEL_PACKAGE} is not installed`,
        code: 'TW_ERR_CONFIG_MISSING_PACKAGE',
      },
    ]);
  }
}

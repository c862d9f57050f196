/**
 * Error reports to Sentry: `@sentry/node` initialised with `skipOpenTelemetrySetup`, so that it rides
 * on tillwatch's tracer provider instead of starting a second OpenTelemetry set-up (Sentry's guide
 * "Using your existing OpenTelemetry setup"): its context manager keeps Sentry scopes on the
 * OpenTelemetry context, its propagator adds `sentry-trace` and Sentry baggage next to W3C
 * `traceparent`, and, with `sentry.sendTransactions`, its span processor turns sampled traces into
 * transactions.
 *
 * One deliberate difference from that guide: Sentry's sampler is not installed. It would make Sentry's
 * `tracesSampleRate` the one sampling decision for OTLP too, and it drops root client spans and every
 * HEAD/OPTIONS request, which an OTLP back end should still see. tillwatch's parent-based ratio
 * sampler decides for both; Sentry receives the trace id on every error whether sampled or not.
 *
 * Sentry's own process handlers (onUncaughtException, onUnhandledRejection) are left out: tillwatch's
 * lifecycle handles crashes and reports them here, once. Every event, transaction and breadcrumb is
 * scrubbed by the shared redactor before it is queued (see @tillwatch/redact's scrub-sentry-event.ts).
 *
 * `@sentry/node` is an optional peer dependency, loaded only when `sentry.dsn` is set.
 */
import { createRequire } from 'node:module';
import type { Logger, ResolvedTillwatchOptions, ContextStore } from 'tillwatch';
import type * as SentryNode from '@sentry/node';
import { type Redactor, scrubBreadcrumb, scrubSentryEvent } from '@tillwatch/redact';
import { activeSpanContext } from '../trace/active-span.ts';
import type { TracingExtensions } from '../trace/tracing.ts';
import { within } from '../trace/within.ts';
import { timedTransport, type EnvelopeDropReason } from './sentry-transport.ts';

type Sentry = typeof SentryNode;

export interface SentryReporterDeps {
  readonly options: ResolvedTillwatchOptions;
  readonly redactor: Redactor;
  readonly logger: Logger;
  readonly context: ContextStore;
  /** An envelope that will not arrive; the caller counts it (tillwatch_sink_errors_total{sink="sentry"}). */
  readonly onDrop: (reason: EnvelopeDropReason) => void;
  /** Longest a crash report may wait for its upload (the lifecycle's report budget). */
  readonly crashFlushLimitMs: number;
  /** For tests: loads `@sentry/node` (default: require from this package). */
  readonly load?: () => Sentry;
}

/** A running Sentry reporter; see {@link startSentryReporter}. */
export interface SentryReporter {
  /**
   * The `errorReporter` hook: captures one event tagged with correlation_id, trace_id, location and
   * terminal (and the user id, nothing else about the user). For a crash (`context.kind` set by the
   * lifecycle) it also waits for the upload, bounded. Never throws or rejects.
   */
  report(error: unknown, context: Record<string, unknown>): void | Promise<void>;
  /** What the tracer provider must include for Sentry to share it. */
  readonly tracing: TracingExtensions;
  /** Waits for queued envelopes; false on timeout. Never rejects. */
  flush(timeoutMs: number): Promise<boolean>;
  /** Flushes and disables the client; false on timeout. Never rejects. */
  close(timeoutMs: number): Promise<boolean>;
}

function str(v: unknown): string | undefined {
  if (typeof v === 'string' && v !== '') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** The first of several spellings an app may have bound (`tw.context.bind({ terminalId })`). */
function pick(bindings: Record<string, unknown> | undefined, ...keys: string[]): string | undefined {
  if (bindings === undefined) return undefined;
  for (const k of keys) {
    const v = str(bindings[k]);
    if (v !== undefined) return v;
  }
  return undefined;
}

function loadSentry(): Sentry {
  return createRequire(import.meta.url)('@sentry/node') as Sentry;
}

/**
 * Initialises Sentry when `sentry.dsn` is set. Returns undefined (and logs TW_ERR_REPORT_UNAVAILABLE)
 * when `@sentry/node` is not installed or fails to initialise: the service runs without reports.
 */
export function startSentryReporter(deps: SentryReporterDeps): SentryReporter | undefined {
  const { options, redactor, logger } = deps;
  const o = options.sentry;
  if (o.dsn === undefined) return undefined;
  let Sentry: Sentry;
  let SentryOtel: { SentryPropagator: new () => unknown; SentrySpanProcessor: new () => unknown };
  try {
    Sentry = (deps.load ?? loadSentry)();
    const sentryRequire = createRequire(createRequire(import.meta.url).resolve('@sentry/node'));
    SentryOtel = sentryRequire('@sentry/opentelemetry') as typeof SentryOtel;
  } catch (err) {
    logger.error({ code: 'TW_ERR_REPORT_UNAVAILABLE', err }, 'sentry.dsn is set but @sentry/node could not be loaded; install it (npm install @sentry/node) to send error reports');
    return undefined;
  }
  const drop = (reason: EnvelopeDropReason): void => deps.onDrop(reason);
  try {
    const client = Sentry.init({
      dsn: o.dsn,
      release: o.release ?? options.service.version,
      environment: o.environment ?? options.service.environment,
      sampleRate: o.sampleRate,
      // tillwatch owns the OpenTelemetry set-up; Sentry plugs into it (see the file comment).
      skipOpenTelemetrySetup: true,
      // Transactions only on request; our sampler has already decided which traces are recorded.
      tracesSampleRate: o.sendTransactions ? 1 : undefined,
      sendDefaultPii: false,
      maxBreadcrumbs: 50,
      shutdownTimeout: o.flushTimeoutMs,
      // An explicit list instead of the defaults: no process handlers (the lifecycle reports crashes),
      // no span-emitting or header-injecting HTTP integrations (our instrumentations and propagator do
      // that), no local variables (they can hold card data and cost CPU on every throw).
      defaultIntegrations: false,
      integrations: [
        Sentry.eventFiltersIntegration(),
        Sentry.functionToStringIntegration(),
        Sentry.linkedErrorsIntegration(),
        Sentry.requestDataIntegration(),
        Sentry.httpIntegration({ spans: false, tracePropagation: false }),
        Sentry.nativeNodeFetchIntegration({ spans: false, tracePropagation: false } as Parameters<Sentry['nativeNodeFetchIntegration']>[0]),
        Sentry.contextLinesIntegration(),
        Sentry.nodeContextIntegration(),
      ],
      beforeSend: (event) => scrubSentryEvent(redactor, event),
      beforeSendTransaction: (event) => scrubSentryEvent(redactor, event),
      beforeBreadcrumb: (crumb) => scrubBreadcrumb(redactor, crumb),
      transport: timedTransport(Sentry.createTransport, { sendTimeoutMs: o.sendTimeoutMs, onDrop: drop }),
    });
    if (client === undefined) throw new Error('Sentry.init returned no client');
    const tracing: TracingExtensions = {
      contextManager: new Sentry.SentryContextManager() as unknown as NonNullable<TracingExtensions['contextManager']>,
      propagator: new SentryOtel.SentryPropagator() as unknown as NonNullable<TracingExtensions['propagator']>,
      spanProcessors: o.sendTransactions ? [new SentryOtel.SentrySpanProcessor() as unknown as NonNullable<TracingExtensions['spanProcessors']>[number]] : [],
    };

    const report = (error: unknown, ctx: Record<string, unknown>): void | Promise<void> => {
      try {
        const rc = deps.context.get();
        const bindings = { ...(ctx.bindings as Record<string, unknown> | undefined), ...rc?.bindings };
        const span = activeSpanContext();
        const tags: Record<string, string> = {};
        const put = (k: string, v: string | undefined): void => {
          if (v !== undefined) tags[k] = redactor.string(v);
        };
        put('correlation_id', str(ctx.correlation_id) ?? rc?.correlationId);
        put('trace_id', str(ctx.trace_id) ?? rc?.traceId ?? span?.traceId);
        put('location', pick(bindings, 'location', 'locationId', 'location_id', 'store', 'storeId', 'store_id') ?? options.service.location);
        put('terminal', pick(bindings, 'terminal', 'terminalId', 'terminal_id'));
        put('route', str(ctx.route) ?? rc?.route);
        put('method', str(ctx.method));
        put('crash', str(ctx.kind));
        const userId = pick(bindings, 'userId', 'user_id', 'cashierId', 'cashier_id', 'employeeId', 'employee_id');
        const crash = ctx.kind !== undefined;
        Sentry.captureException(error, {
          level: crash ? 'fatal' : 'error',
          tags,
          user: userId === undefined ? undefined : { id: userId },
        });
        // A crash is followed by process exit: wait for the upload, within the lifecycle's report budget.
        if (crash) return within(Sentry.flush(Math.min(o.flushTimeoutMs, deps.crashFlushLimitMs)), deps.crashFlushLimitMs).then(() => undefined);
      } catch (err) {
        logger.warn({ code: 'TW_ERR_SINK_WRITE_FAILED', sink: 'sentry', err }, 'capturing an error report failed');
        drop('send_failed');
      }
      return undefined;
    };

    let closed: Promise<boolean> | undefined;
    return {
      report,
      tracing,
      flush: (timeoutMs) => within(Sentry.flush(timeoutMs).then((ok) => (ok ? undefined : Promise.reject(new Error('timeout')))), timeoutMs),
      close(timeoutMs) {
        closed ??= within(Sentry.close(timeoutMs).then((ok) => (ok ? undefined : Promise.reject(new Error('timeout')))), timeoutMs);
        return closed;
      },
    };
  } catch (err) {
    logger.error({ code: 'TW_ERR_REPORT_UNAVAILABLE', err }, 'Sentry could not be initialised; the service runs without error reports');
    return undefined;
  }
}

/**
 * Tracing for one process: an OpenTelemetry tracer provider built from the pieces (rather than
 * NodeSDK, so tillwatch owns the processor chain: redaction first, a bounded and counted OTLP
 * queue, then Sentry's processor when error reports share the set-up), registered as the global
 * provider with W3C traceparent + baggage propagation.
 *
 * Sampling is parent-based with a trace-id ratio for new traces: an incoming `traceparent` decides
 * for its own trace (a POS terminal or the browser package asked for it), so a trace is never half
 * recorded across services; only traces that start here are sampled at `trace.sampleRatio`.
 *
 * The OpenTelemetry API globals (provider, propagator, context manager) are process-wide, so one
 * tillwatch instance per process owns tracing; a second one that asks for it gets warning TWWRN007
 * and shares the first one's spans (its log lines still carry the active trace ids).
 */
import { context, propagation, trace, type TextMapPropagator, type ContextManager } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { ParentBasedSampler, TraceIdRatioBasedSampler, type Sampler, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { ContextStore, Logger, ResolvedTillwatchOptions } from 'tillwatch';
import type { Redactor } from '@tillwatch/redact';
import { CountedBatchSpanProcessor, type SpanDropReason } from './counted-batch-processor.ts';
import { subscribeClientChannels } from './client-channels.ts';
import { edgeState, RequestContextManager, setEdgeState, TraceIds } from './edge.ts';
import { enableInstrumentations } from './instrumentations.ts';
import { RedactingSpanProcessor } from './redacting-span-processor.ts';
import { within } from './within.ts';

/** The collector address used when tracing is on without an endpoint: the OTLP/HTTP default. */
const DEFAULT_OTLP_ENDPOINT = 'http://localhost:4318';

/** What Sentry adds to a shared set-up (see report/sentry-reporter.ts). */
export interface TracingExtensions {
  readonly contextManager?: ContextManager;
  /** Runs before W3C trace context, so an incoming traceparent still wins. */
  readonly propagator?: TextMapPropagator;
  /** Appended after the redacting processor and the OTLP queue. */
  readonly spanProcessors?: readonly SpanProcessor[];
}

export interface TracingDeps {
  readonly options: ResolvedTillwatchOptions;
  readonly redactor: Redactor;
  readonly logger: Logger;
  /** Spans that will never reach the collector; the caller counts them. */
  readonly onDrop: (reason: SpanDropReason, count: number, error?: unknown) => void;
  /** Export to OTLP: false when only Sentry asked for the provider (tracing off, a DSN set). */
  readonly exportOtlp: boolean;
  readonly extensions?: TracingExtensions;
  /** The request contexts of the instance: the edge keeps each request's trace state there. */
  readonly context: ContextStore;
  /** For tests and the overhead bench: replaces the OTLP exporter. */
  readonly exporter?: SpanExporter;
}

/** The tracing of a tillwatch instance; see {@link startTracing}. */
export interface Tracing {
  /** False when another instance owns the process's tracing (TWWRN007). */
  readonly owner: boolean;
  /** Exports what is queued; resolves false when `timeoutMs` passed first. Never rejects. */
  forceFlush(timeoutMs: number): Promise<boolean>;
  /** Flushes, stops exporting and unregisters the globals; resolves false on timeout. Never rejects. */
  shutdown(timeoutMs: number): Promise<boolean>;
}

const kOwner = Symbol.for('tillwatch.trace.owner');
type Global = typeof globalThis & { [kOwner]?: object };


/** The resource every span carries: who sent it, which release, where. */
function tracingResourceAttributes(options: ResolvedTillwatchOptions): Record<string, string> {
  const attrs: Record<string, string> = {
    'service.name': options.service.name,
    'service.version': options.service.version,
    // Both spellings: semantic conventions renamed deployment.environment to deployment.environment.name
    // in 1.27, and collectors and backends in the field still read either.
    'deployment.environment': options.service.environment,
    'deployment.environment.name': options.service.environment,
  };
  if (options.service.location !== undefined) attrs['tillwatch.location'] = options.service.location;
  return attrs;
}

/** The sampler: parent-based; for traces that start here a trace-id ratio (or the given root sampler). */
export function createSampler(root: number | Sampler): Sampler {
  return new ParentBasedSampler({ root: typeof root === 'number' ? new TraceIdRatioBasedSampler(root) : root });
}

/**
 * Starts tracing: enables the instrumentations (once per process), builds and registers the provider.
 * Never throws after validation: a failure is logged (TW_ERR_TRACE_SETUP_FAILED) and tracing stays off.
 */
export function startTracing(deps: TracingDeps): Tracing {
  const { options, logger } = deps;
  const g = globalThis as Global;
  if (g[kOwner] !== undefined) {
    // Its requests are traced too, through the owner's provider: the edge and the context manager look in its store.
    const edge = edgeState();
    if (edge !== undefined && !edge.stores.includes(deps.context)) edge.stores.push(deps.context);
    logger.warn({ code: 'TWWRN007' }, 'tracing is already set up by another tillwatch instance in this process; this one shares it');
    return { owner: false, forceFlush: () => Promise.resolve(true), shutdown: () => Promise.resolve(true) };
  }
  try {
    const state = enableInstrumentations();
    const t = options.trace;
    const processors: SpanProcessor[] = [
      new RedactingSpanProcessor(deps.redactor, (err) => logger.warn({ code: 'TW_ERR_TRACE_REDACT_FAILED', err }, 'scrubbing a span failed')),
    ];
    if (deps.exportOtlp) {
      const base = (t.endpoint ?? DEFAULT_OTLP_ENDPOINT).replace(/\/+$/, '');
      const exporter = deps.exporter ?? new OTLPTraceExporter({ url: `${base}/v1/traces`, timeoutMillis: t.exportTimeoutMs });
      processors.push(
        new CountedBatchSpanProcessor({
          exporter,
          maxQueueSize: t.maxQueueSize,
          exportTimeoutMs: t.exportTimeoutMs,
          onDrop: deps.onDrop,
        }),
      );
    }
    processors.push(...(deps.extensions?.spanProcessors ?? []));
    // With nothing to receive spans (a Sentry DSN without OTLP or transactions), record none: trace ids
    // are still created and propagated, for log lines and reports.
    const rootSampler = new TraceIdRatioBasedSampler(deps.exportOtlp || (deps.extensions?.spanProcessors?.length ?? 0) > 0 ? t.sampleRatio : 0);
    const sampler = createSampler(rootSampler);
    const ids = new TraceIds();
    const provider = new NodeTracerProvider({
      resource: resourceFromAttributes(tracingResourceAttributes(options)),
      sampler,
      idGenerator: ids,
      spanProcessors: processors,
    });
    const w3c: TextMapPropagator[] = [new W3CBaggagePropagator()];
    if (deps.extensions?.propagator) w3c.push(deps.extensions.propagator);
    w3c.push(new W3CTraceContextPropagator());
    const stores: ContextStore[] = [deps.context];
    const contextManager = new RequestContextManager(deps.extensions?.contextManager ?? new AsyncLocalStorageContextManager(), stores);
    provider.register({ propagator: new CompositePropagator({ propagators: w3c }), contextManager });
    const edge = { tracer: provider.getTracer('@tillwatch/otel/instrumentation-http-server'), rootSampler, ids, stores };
    setEdgeState(edge);
    const unsubscribe = subscribeClientChannels(edge, (scope) => provider.getTracer(scope));
    // Instrumentations keep the tracer they were given when enabled; hand them this provider's, so a
    // provider registered after an earlier one was shut down (tests, embedding hosts) gets the spans.
    for (const i of state.instrumentations) i.setTracerProvider(provider);
    const token = {};
    g[kOwner] = token;
    let stopped: Promise<boolean> | undefined;
    return {
      owner: true,
      forceFlush: (timeoutMs) => within(provider.forceFlush(), timeoutMs),
      shutdown(timeoutMs) {
        unsubscribe();
        if (edgeState() === edge) setEdgeState(undefined);
        stopped ??= within(provider.shutdown(), timeoutMs).then((ok) => {
          // Unregister so the process (a test runner, an embedding host) can set tracing up again.
          trace.disable();
          propagation.disable();
          context.disable();
          if (g[kOwner] === token) delete g[kOwner];
          return ok;
        });
        return stopped;
      },
    };
  } catch (err) {
    logger.error({ code: 'TW_ERR_TRACE_SETUP_FAILED', err }, 'tracing could not be set up; the service runs without it');
    return { owner: false, forceFlush: () => Promise.resolve(true), shutdown: () => Promise.resolve(true) };
  }
}

/**
 * The small, always-loaded half of tracing: reading the active span for log lines, exemplars and error
 * reports. It imports only `@opentelemetry/api` (no SDK), so a service without tracing pays nothing
 * for it, and with tracing each call is one AsyncLocalStorage read and no allocation.
 */
import { context, trace, type Span, type SpanContext } from '@opentelemetry/api';
import type { TracedRequest } from 'tillwatch';

/** Span attribute carrying the request's correlation id, so a trace can be found from a log line or a receipt. */
const CORRELATION_ID_ATTRIBUTE = 'tillwatch.correlation_id';

/**
 * The key under which @opentelemetry/core keeps a request's RPC metadata (the HTTP server span and
 * its route) on the context: `createContextKey` is `Symbol.for(description)`, so this is the same key
 * without loading the SDK core (core's `getRPCMetadata`).
 */
const RPC_METADATA_KEY = Symbol.for('OpenTelemetry SDK Context Key RPC_METADATA');

/**
 * The active span's context, or undefined outside a span. The logger mixin calls it for every line, so
 * it allocates nothing: the span context is returned as is.
 */
export function activeSpanContext(): SpanContext | undefined {
  const span = trace.getSpan(context.active());
  if (span === undefined) return undefined;
  const sc = span.spanContext();
  return trace.isSpanContextValid(sc) ? sc : undefined;
}

interface RpcMetadata {
  type?: string;
  route?: string;
  span?: Span;
}

/**
 * Called by the HTTP instrumentation at the start of every request: tags the request's server span
 * (which the OpenTelemetry HTTP instrumentation records in the RPC metadata; a framework instrumentation
 * may have opened a hook span by the time the adapter runs), else the active span, with the
 * correlation id, and returns its ids. Undefined outside a span (tracing off, an ignored path).
 * Never throws.
 */
export function traceRequest(correlationId: string): TracedRequest | undefined {
  try {
    const active = context.active();
    const meta = active.getValue(RPC_METADATA_KEY) as RpcMetadata | undefined;
    const span = meta?.span ?? trace.getSpan(active);
    if (span === undefined) return undefined;
    const sc = span.spanContext();
    if (!trace.isSpanContextValid(sc)) return undefined;
    if (span.isRecording()) span.setAttribute(CORRELATION_ID_ATTRIBUTE, correlationId);
    return {
      traceId: sc.traceId,
      spanId: sc.spanId,
      traceFlags: sc.traceFlags,
      setRoute(route) {
        // The HTTP instrumentation copies this into http.route when the response finishes.
        if (meta !== undefined && meta.type === 'http' && meta.route === undefined) meta.route = route;
      },
    };
  } catch {
    return undefined;
  }
}

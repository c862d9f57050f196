/**
 * The small, always-loaded half of tracing: reading the active span for log lines, exemplars and error
 * reports. It imports only `@opentelemetry/api` (no SDK), so a service without tracing pays nothing
 * for it, and with tracing each call is one AsyncLocalStorage read and no allocation.
 */
import { context, trace, type SpanContext } from '@opentelemetry/api';

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

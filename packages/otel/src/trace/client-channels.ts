/**
 * Outgoing calls (node:http/https and fetch/undici), traced from the diagnostics channels Node and undici
 * publish (`http.client.request.created`, `http.client.response.finish`, `http.client.request.error`;
 * `undici:request:create`, `undici:request:headers`, `undici:request:trailers`, `undici:request:error`)
 * instead of patching `http.request` or undici's dispatcher. Hand-written because OpenTelemetry's http
 * instrumentation patches the module and starts a (non-recording) span for every call, sampled or not;
 * these hooks create a span only under a recorded parent.
 *
 * Per call, from the active context:
 * - tracing suppressed (the OTLP exporter's own requests, `suppressTracing`): nothing;
 * - a recorded parent span (a sampled request, a job the application traces): a CLIENT child span, ended
 *   with the response's status or the error, and `traceparent` naming it;
 * - inside an unsampled request: `traceparent` with the request's trace id, its span id and flags 00, and
 *   the caller's `tracestate`/`baggage` forwarded; no span;
 * - any other active context (a non-recording span the application started): injected as it is;
 * - outside any request: a root span through the provider's sampler, as OpenTelemetry would.
 *
 * Subscribed while tracing is started; {@link subscribeClientChannels} returns the unsubscribe.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { context, propagation, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span, type TextMapSetter } from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import { currentRequest, type EdgeState, type RequestTraceState } from './edge.ts';

/** Instrumentation scope names of the client spans (the OTLP `scope.name`). */
const HTTP_SCOPE = '@tillwatch/otel/instrumentation-http';
const UNDICI_SCOPE = '@tillwatch/otel/instrumentation-undici';

/** The fields of undici's request object the channels hand out (undici's `diagnostics_channel` docs). */
interface UndiciRequest {
  readonly method: string;
  readonly origin: string | URL;
  readonly path: string;
  addHeader(name: string, value: string): unknown;
}

const spans = new WeakMap<object, Span>();
/** The status undici reported in `headers`, for the span ended at `trailers`. */
const statuses = new WeakMap<object, number>();

/** Writes `traceparent` (and the forwarded headers) for a call made inside an unsampled request. */
function injectUnsampled(set: (name: string, value: string) => void, traceId: string, spanId: string, t: RequestTraceState): void {
  set('traceparent', `00-${traceId}-${spanId}-0${t.flags & 1}`);
  if (t.traceState !== undefined) set('tracestate', t.traceState);
  if (t.baggage !== undefined) set('baggage', t.baggage);
}

function endSpan(span: Span, status: number | undefined, error: unknown): void {
  try {
    if (status !== undefined) span.setAttribute('http.response.status_code', status);
    if (error !== undefined) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setAttribute('error.type', error instanceof Error ? error.name : 'Error');
      span.setStatus({ code: SpanStatusCode.ERROR });
    } else if (status !== undefined && status >= 400) {
      span.setAttribute('error.type', String(status));
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
  } catch {
    // telemetry never breaks the call
  }
}

/**
 * Decides for one outgoing call and writes its headers; returns the span to end when one was started.
 * Never throws.
 */
function beginCall(edge: EdgeState, name: string, attributes: () => Attributes, set: (name: string, value: string) => void): Span | undefined {
  try {
    const active = context.active();
    if (isTracingSuppressed(active)) return undefined;
    let parent: Context = active;
    if (trace.getSpan(active) === undefined) {
      const req = currentRequest(edge);
      if (req !== undefined && req.traceId !== undefined && req.spanId !== undefined) {
        const t = req.trace as RequestTraceState;
        if (t.otel === undefined) {
          injectUnsampled(set, req.traceId, req.spanId, t);
          return undefined;
        }
        parent = t.otel;
      }
    }
    const parentSpan = trace.getSpan(parent);
    if (parentSpan !== undefined && !parentSpan.isRecording()) {
      propagation.inject(parent, undefined, { set: (_c, k, v) => set(k, v) } satisfies TextMapSetter<undefined>);
      return undefined;
    }
    const span = edge.tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes: attributes() }, parent);
    propagation.inject(trace.setSpan(parent, span), undefined, { set: (_c, k, v) => set(k, v) } satisfies TextMapSetter<undefined>);
    return span.isRecording() ? span : undefined;
  } catch {
    return undefined;
  }
}

function urlAttributes(method: string, origin: string, path: string): Attributes {
  const attrs: Attributes = { 'http.request.method': method, 'url.full': origin + path };
  try {
    const u = new URL(origin);
    attrs['server.address'] = u.hostname;
    attrs['server.port'] = u.port === '' ? (u.protocol === 'https:' ? 443 : 80) : Number(u.port);
  } catch {
    // an origin URL cannot parse: the full URL says enough
  }
  return attrs;
}

/** Subscribes the outgoing-call hooks; returns the function that removes them. */
export function subscribeClientChannels(edge: EdgeState, tracerFor: (scope: string) => EdgeState['tracer']): () => void {
  const httpEdge: EdgeState = { ...edge, tracer: tracerFor(HTTP_SCOPE) };
  const undiciEdge: EdgeState = { ...edge, tracer: tracerFor(UNDICI_SCOPE) };
  // Share the live list of instances, not a copy of it.
  Object.defineProperty(httpEdge, 'stores', { value: edge.stores });
  Object.defineProperty(undiciEdge, 'stores', { value: edge.stores });

  const onHttpCreated = (message: unknown): void => {
    const request = (message as { request: ClientRequest }).request;
    if (request.headersSent) return;
    const origin = `${request.protocol}//${String(request.getHeader('host') ?? request.host)}`;
    const span = beginCall(httpEdge, request.method, () => urlAttributes(request.method, origin, request.path), (k, v) => request.setHeader(k, v));
    if (span === undefined) return;
    spans.set(request, span);
    // The fallback for a response nobody read to its end or a socket that closed without an error event.
    request.once('close', () => {
      const s = spans.get(request);
      if (s === undefined) return;
      spans.delete(request);
      endSpan(s, (request as ClientRequest & { res?: IncomingMessage }).res?.statusCode, undefined);
    });
  };
  const onHttpFinish = (message: unknown): void => {
    const { request, response } = message as { request: ClientRequest; response: IncomingMessage };
    const span = spans.get(request);
    if (span === undefined) return;
    spans.delete(request);
    endSpan(span, response.statusCode, undefined);
  };
  const onHttpError = (message: unknown): void => {
    const { request, error } = message as { request: ClientRequest; error: unknown };
    const span = spans.get(request);
    if (span === undefined) return;
    spans.delete(request);
    endSpan(span, undefined, error);
  };

  const onUndiciCreate = (message: unknown): void => {
    const request = (message as { request: UndiciRequest }).request;
    const origin = String(request.origin).replace(/\/$/, '');
    const span = beginCall(undiciEdge, request.method, () => urlAttributes(request.method, origin, request.path), (k, v) => request.addHeader(k, v));
    if (span !== undefined) spans.set(request, span);
  };
  const onUndiciHeaders = (message: unknown): void => {
    const { request, response } = message as { request: object; response: { statusCode: number } };
    if (spans.has(request)) statuses.set(request, response.statusCode);
  };
  const onUndiciDone = (message: unknown): void => {
    const { request, error } = message as { request: object; error?: unknown };
    const span = spans.get(request);
    if (span === undefined) return;
    spans.delete(request);
    endSpan(span, statuses.get(request), error);
  };
  const onUndiciTrailers = (message: unknown): void => {
    const request = (message as { request: object }).request;
    const span = spans.get(request);
    if (span === undefined) return;
    spans.delete(request);
    endSpan(span, statuses.get(request), undefined);
  };

  const subscriptions: [string, (message: unknown) => void][] = [
    ['http.client.request.created', onHttpCreated],
    ['http.client.response.finish', onHttpFinish],
    ['http.client.request.error', onHttpError],
    ['undici:request:create', onUndiciCreate],
    ['undici:request:headers', onUndiciHeaders],
    ['undici:request:trailers', onUndiciTrailers],
    ['undici:request:error', onUndiciDone],
  ];
  for (const [name, fn] of subscriptions) subscribe(name, fn);
  return () => {
    for (const [name, fn] of subscriptions) unsubscribe(name, fn);
  };
}

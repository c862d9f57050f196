/**
 * Sampling decided at the edge of the request, where tillwatch's adapters already hold a per-request
 * context (`tw.http.begin`), instead of inside OpenTelemetry's monkey-patched http and Fastify
 * instrumentations, which start a span and wrap the request's emitters for every request whether it is
 * sampled or not.
 *
 * - The incoming W3C `traceparent` decides for its own trace (parent-based); a trace that starts here is
 *   sampled at `trace.sampleRatio` on its trace id (the same TraceIdRatioBased rule as the provider's).
 * - An unsampled request gets its trace and span ids on tillwatch's request context and nothing else: no
 *   span object, no OpenTelemetry context entered, nothing wrapped. Its log lines carry the ids, and the
 *   outgoing-call hooks (client-channels.ts) forward `traceparent` with the incoming trace id and flags 00,
 *   plus the caller's `tracestate` and `baggage`.
 * - A sampled request gets a SERVER span from the provider's tracer (so it reaches every OTel backend
 *   through the usual processors and exporter), named by the route template the adapter matched, ended
 *   when the response closes. Its OpenTelemetry context (the span, the caller's baggage) is kept on
 *   tillwatch's request context, and {@link RequestContextManager} makes it the active context inside the
 *   request without a second AsyncLocalStorage entry: pg, ioredis and the outgoing-call hooks see it as
 *   their parent.
 */
import { randomFillSync } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type ContextManager, type Span, type Tracer } from '@opentelemetry/api';
import { RandomIdGenerator, SamplingDecision, type IdGenerator, type Sampler } from '@opentelemetry/sdk-trace-base';
import type { ContextStore, RequestContext, TracedRequest } from 'tillwatch';

/** Span attribute carrying the request's correlation id, so a trace can be found from a log line or a receipt. */
const CORRELATION_ID_ATTRIBUTE = 'tillwatch.correlation_id';

/** What tracing keeps on a request's context (`RequestContext.trace`). */
export interface RequestTraceState {
  /** W3C trace flags of the request's trace (bit 0: sampled). */
  readonly flags: number;
  /** The caller's `tracestate` and `baggage`, forwarded as they came on outgoing calls of an unsampled request. */
  readonly traceState?: string;
  readonly baggage?: string;
  /** A sampled request's OpenTelemetry context: its server span, the caller's baggage. */
  readonly otel?: Context;
}

/** The state of most unsampled requests: no flags, nothing to forward. Shared, so nothing is allocated for them. */
const UNSAMPLED: RequestTraceState = Object.freeze({ flags: 0 });

/** The tracing of the process, as the edge uses it; on a global symbol like the provider it wraps. */
export interface EdgeState {
  readonly tracer: Tracer;
  /** The provider's sampler for new traces (trace-id ratio); an incoming traceparent decides for its own trace. */
  readonly rootSampler: Sampler;
  readonly ids: TraceIds;
  /** The request contexts of the tillwatch instances sharing this tracing (the owner's first). */
  readonly stores: ContextStore[];
}

const kEdge = Symbol.for('tillwatch.trace.edge');
type Global = typeof globalThis & { [kEdge]?: EdgeState };

export function edgeState(): EdgeState | undefined {
  return (globalThis as Global)[kEdge];
}

export function setEdgeState(state: EdgeState | undefined): void {
  if (state === undefined) delete (globalThis as Global)[kEdge];
  else (globalThis as Global)[kEdge] = state;
}

const INVALID_TRACE = '00000000000000000000000000000000';
const INVALID_SPAN = '0000000000000000';

/**
 * The provider's id generator, which can be told the trace id the edge already drew for a new trace, so
 * the span the provider then starts carries it (and its ratio sampler reaches the same decision).
 */
export class TraceIds implements IdGenerator {
  readonly #random = new RandomIdGenerator();
  #next: string | undefined;
  /** Random bytes for the edge's ids, drawn 4 KiB at a time: one hex conversion per request for both of its ids. */
  readonly #pool = Buffer.allocUnsafe(24 * 170);
  #offset = this.#pool.length;

  generateTraceId(): string {
    const next = this.#next;
    if (next === undefined) return this.#random.generateTraceId();
    this.#next = undefined;
    return next;
  }

  generateSpanId(): string {
    return this.#random.generateSpanId();
  }

  /** A fresh trace id (32 hex digits) followed by a span id (16), neither all zeros, from one draw. */
  newIds(): string {
    for (;;) {
      if (this.#offset >= this.#pool.length) {
        randomFillSync(this.#pool);
        this.#offset = 0;
      }
      const ids = this.#pool.toString('hex', this.#offset, this.#offset + 24);
      this.#offset += 24;
      if (!ids.startsWith(INVALID_TRACE) && !ids.endsWith(INVALID_SPAN)) return ids;
    }
  }

  /** Makes `traceId` the next trace id the provider generates (synchronously consumed by the next root span). */
  useNext(traceId: string | undefined): void {
    this.#next = traceId;
  }
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The trace id and flags of a valid version-00 `traceparent` (W3C Trace Context, level 1), else undefined. */
function parseTraceparent(value: string): { traceId: string; flags: number } | undefined {
  const m = TRACEPARENT.exec(value.trim());
  if (m === null || m[1] === INVALID_TRACE || m[2] === INVALID_SPAN) return undefined;
  return { traceId: m[1] as string, flags: parseInt(m[3] as string, 16) };
}

function header(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : Array.isArray(value) ? value.join(',') : undefined;
}

const NO_ATTRIBUTES: Attributes = {};

/** The server span of a sampled request, driven by the core's HTTP instrumentation. */
class ServerSpan implements TracedRequest {
  readonly traceId: string;
  readonly #span: Span;
  readonly #method: string;

  constructor(span: Span, method: string) {
    this.#span = span;
    this.#method = method;
    this.traceId = span.spanContext().traceId;
  }

  setRoute(route: string): void {
    try {
      this.#span.updateName(`${this.#method} ${route}`);
      this.#span.setAttribute('http.route', route);
    } catch {
      // telemetry never breaks the request
    }
  }

  end(status: number, error: unknown): void {
    try {
      const span = this.#span;
      span.setAttribute('http.response.status_code', status);
      if (error !== undefined && error !== null && status >= 500) {
        span.recordException(error instanceof Error ? error : String(error));
        span.setAttribute('error.type', error instanceof Error ? error.name : 'Error');
      } else if (status >= 500) {
        span.setAttribute('error.type', String(status));
      }
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    } catch {
      // see above
    }
  }
}

/** The attributes of a server span, in the stable HTTP semantic conventions. Only for sampled requests. */
function serverAttributes(req: IncomingMessage, ctx: RequestContext): Attributes {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const socket = req.socket as { encrypted?: boolean; remoteAddress?: string; localPort?: number } | undefined;
  const attrs: Attributes = {
    'http.request.method': req.method ?? 'GET',
    'url.path': q === -1 ? url : url.slice(0, q),
    'url.scheme': socket?.encrypted === true ? 'https' : 'http',
    'network.protocol.version': req.httpVersion,
    [CORRELATION_ID_ATTRIBUTE]: ctx.correlationId,
  };
  if (q !== -1) attrs['url.query'] = url.slice(q + 1);
  const host = req.headers.host;
  if (host !== undefined) attrs['server.address'] = host.replace(/:\d+$/, '');
  if (socket?.localPort !== undefined) attrs['server.port'] = socket.localPort;
  if (socket?.remoteAddress !== undefined) attrs['client.address'] = socket.remoteAddress;
  const ua = req.headers['user-agent'];
  if (ua !== undefined) attrs['user_agent.original'] = ua;
  return attrs;
}

/**
 * The edge decision for one request: fills `ctx.traceId`, `ctx.spanId` and `ctx.trace`; starts and returns
 * the server span of a sampled request, undefined otherwise (or with tracing off). Never throws.
 */
export function traceRequest(req: IncomingMessage, ctx: RequestContext): TracedRequest | undefined {
  const edge = edgeState();
  if (edge === undefined) return undefined;
  try {
    const h = req.headers;
    const tp = header(h.traceparent);
    const parent = tp === undefined ? undefined : parseTraceparent(tp);
    const ids = edge.ids.newIds();
    let traceId: string;
    let sampled: boolean;
    if (parent !== undefined) {
      traceId = parent.traceId;
      sampled = (parent.flags & 1) === 1;
    } else {
      traceId = ids.slice(0, 32);
      sampled = edge.rootSampler.shouldSample(ROOT_CONTEXT, traceId, '', SpanKind.SERVER, NO_ATTRIBUTES, []).decision === SamplingDecision.RECORD_AND_SAMPLED;
    }
    const baggage = header(h.baggage);
    if (!sampled) {
      ctx.traceId = traceId;
      ctx.spanId = ids.slice(32);
      const traceState = parent === undefined ? undefined : header(h.tracestate);
      ctx.trace = traceState === undefined && baggage === undefined ? UNSAMPLED : { flags: 0, traceState, baggage };
      return undefined;
    }
    // Recorded: the full propagators (W3C trace context and baggage, and Sentry's when it shares the set-up).
    const parentContext = parent !== undefined || baggage !== undefined || h['sentry-trace'] !== undefined ? propagation.extract(ROOT_CONTEXT, h) : ROOT_CONTEXT;
    if (parent === undefined) edge.ids.useNext(traceId);
    const method = req.method ?? 'GET';
    const span = edge.tracer.startSpan(method, { kind: SpanKind.SERVER, attributes: serverAttributes(req, ctx) }, parentContext);
    edge.ids.useNext(undefined);
    const sc = span.spanContext();
    ctx.traceId = sc.traceId;
    ctx.spanId = sc.spanId;
    const state: RequestTraceState = { flags: sc.traceFlags, otel: trace.setSpan(parentContext, span) };
    ctx.trace = state;
    // A sampler that said no after all (a Sentry-only set-up samples nothing): the ids stand, nothing is recorded.
    return span.isRecording() ? new ServerSpan(span, method) : undefined;
  } catch {
    return undefined;
  }
}

/** The tracing state of the request running now, in any of the instances sharing tracing. */
export function currentRequest(edge: EdgeState): RequestContext | undefined {
  const stores = edge.stores;
  for (let i = 0; i < stores.length; i++) {
    const ctx = (stores[i] as ContextStore).get();
    if (ctx?.trace !== undefined) return ctx;
  }
  return undefined;
}

/**
 * The process's context manager: the usual one (AsyncLocalStorage, or Sentry's when it shares the set-up),
 * which falls back to the sampled request's context when nothing was entered below it (or only a context
 * without a span, as Sentry's per-request scopes are). So a request is
 * entered once (tillwatch's own context), and `context.active()` inside it is the server span's context for
 * the database, Redis and client instrumentations, the logger and the application's own `trace` calls.
 * Inside an unsampled request it stays the root context: nothing there creates a span.
 */
export class RequestContextManager implements ContextManager {
  readonly #inner: ContextManager;
  readonly #stores: readonly ContextStore[];

  constructor(inner: ContextManager, stores: readonly ContextStore[]) {
    this.#inner = inner;
    this.#stores = stores;
  }

  active(): Context {
    const c = this.#inner.active();
    if (c !== ROOT_CONTEXT && trace.getSpan(c) !== undefined) return c;
    let otel: Context | undefined;
    const stores = this.#stores;
    for (let i = 0; i < stores.length && otel === undefined; i++) otel = ((stores[i] as ContextStore).get()?.trace as RequestTraceState | undefined)?.otel;
    if (otel === undefined) return c;
    if (c === ROOT_CONTEXT) return otel;
    // Something entered a context without a span inside the request (Sentry forks its scopes per request):
    // keep what it carries and add the request's span.
    const span = trace.getSpan(otel);
    return span === undefined ? c : trace.setSpan(c, span);
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(context: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    return this.#inner.with(context, fn, thisArg, ...args);
  }

  bind<T>(context: Context, target: T): T {
    return this.#inner.bind(context, target);
  }

  enable(): this {
    this.#inner.enable();
    return this;
  }

  disable(): this {
    this.#inner.disable();
    return this;
  }
}

/**
 * The framework-agnostic half of every adapter: one request in, one scope out, and on the response's
 * 'close' the RED metrics and the access-log line. Adapters only supply the route template and hand
 * thrown errors to {@link HttpInstrumentation.recordError}; everything else lives here so that
 * node:http, Express, Fastify and NestJS behave identically.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
// A module binding: the global `performance` is an accessor on globalThis, looked up on every call.
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { correlationIdFrom } from '../context/correlation-id.ts';
import type { ContextStore, RequestContext } from '../context/request-context.ts';
import type { AccessLog } from '../log/access-log.ts';
import { parseUserAgent, type ParsedUserAgent } from '../log/user-agent.ts';
import type { ApiRequestCounter } from '../commerce/product-analytics-recorder.ts';
import type { HttpMetrics } from '../metrics/http-metrics.ts';
import { UNMATCHED_ROUTE } from '@tillwatch/spec';
import type { TracedRequest } from '../telemetry/otel-module.ts';

/** nginx's convention for "client closed the connection before the response was complete". */
export const CLIENT_CLOSED_REQUEST = 499;

/** One request in flight. Adapters set `route` once the framework has matched it. */
export interface RequestScope {
  readonly ctx: RequestContext;
  readonly method: string;
  /** Path without the query string (the query may carry secrets; it is never logged here). */
  readonly path: string;
  /** `performance.now()` when the request began. */
  readonly startMs: number;
  route: string | undefined;
  /** The error the handler threw, when there was one. */
  error: unknown;
  /** `{ trace_id }` of a sampled trace, attached to the latency observation (OpenMetrics exemplar). */
  exemplar?: Readonly<Record<string, string>> | undefined;
  /** The server span of a sampled request; named by the adapters' setRoute, ended on 'close'. */
  span?: TracedRequest | undefined;
}

export interface HttpInstrumentationDeps {
  logger: Logger;
  context: ContextStore;
  metrics: HttpMetrics | undefined;
  accessLog: AccessLog | undefined;
  report: ((error: unknown, context: Record<string, unknown>) => void) | undefined;
  /**
   * When tracing is on: called at the start of each request with its context; fills the trace ids and, for a
   * sampled request only, starts and returns its server span (@tillwatch/otel). Never throws.
   */
  traceRequest?: (req: IncomingMessage, ctx: RequestContext) => TracedRequest | undefined;
  /** When `metrics.clients` is on: counts each finished request by API version, device class and region. */
  clients?: ClientCounting;
}

/** What the instrumentation needs to count requests by client (`metrics.clients`). */
export interface ClientCounting {
  readonly count: ApiRequestCounter;
  /** Header naming the API version when the path has no /vN/ prefix (any case). */
  readonly apiVersionHeader?: string | undefined;
  /** Trusted header carrying the client region (any case). */
  readonly regionHeader?: string | undefined;
  /** The region of a request without (or before) the region header: the instance's `service.location`. */
  readonly location?: string | undefined;
}

/** `/v1/...`, `/api/v2/...`, `/v1.1`: the version prefix of a path. */
const PATH_VERSION = /^\/(?:api\/)?v(\d{1,3}(?:\.\d{1,3})?)(?:\/|$)/;
/** A version header value: `v1`, `2`, `v1.2`. */
const HEADER_VERSION = /^v?(\d{1,3}(?:\.\d{1,3})?)$/i;
const REGION = /^[A-Za-z0-9_-]{1,32}$/;
/** A header value that is present but not a well-formed version or region: one bounded bucket. */
const OTHER = 'other';

function headerValue(req: IncomingMessage, name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const v = req.headers[name];
  return typeof v === 'string' ? v.trim() : undefined;
}

/** The API version asked for: the path prefix first, else the configured header; undefined when neither says. */
function apiVersionOf(path: string, req: IncomingMessage, header: string | undefined): string | undefined {
  const fromPath = PATH_VERSION.exec(path);
  if (fromPath !== null) return `v${fromPath[1]}`;
  const raw = headerValue(req, header);
  if (raw === undefined || raw === '') return undefined;
  const m = HEADER_VERSION.exec(raw);
  return m === null ? OTHER : `v${m[1]}`;
}

function regionOf(req: IncomingMessage, c: ClientCounting): string | undefined {
  const raw = headerValue(req, c.regionHeader);
  if (raw === undefined || raw === '') return c.location;
  return REGION.test(raw) ? raw : OTHER;
}

const kScope = Symbol('tillwatch.scope');
type WithScope = { [kScope]?: RequestScope };
type ResponseWithScope = ServerResponse & { [kScope]?: RequestScope; req?: IncomingMessage };

function pathOf(url: string | undefined): string {
  if (!url) return '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

export class HttpInstrumentation {
  readonly #deps: HttpInstrumentationDeps;
  readonly #logger: Logger;
  /** Errors already logged, so an error seen by both a framework hook and our handler is logged once. */
  readonly #logged = new WeakSet<object>();
  /** The one 'close' listener of every response (called with the response as `this`): no closure per request. */
  readonly #onClose: (this: ResponseWithScope) => void;
  readonly #clients: ClientCounting | undefined;

  constructor(deps: HttpInstrumentationDeps) {
    this.#deps = deps;
    const c = deps.clients;
    // Node lower-cases incoming header names; the configured names may be written in any case.
    this.#clients = c === undefined ? undefined : { ...c, apiVersionHeader: c.apiVersionHeader?.toLowerCase(), regionHeader: c.regionHeader?.toLowerCase() };
    this.#logger = deps.logger.child({ module: 'http' });
    const end = (req: IncomingMessage, res: ServerResponse, scope: RequestScope): void => this.#end(req, res, scope);
    this.#onClose = function onResponseClose(this: ResponseWithScope): void {
      const scope = this[kScope];
      if (scope !== undefined && this.req !== undefined) end(this.req, this, scope);
    };
  }

  /**
   * Starts a request: picks the correlation id, echoes it in X-Request-ID and X-Correlation-ID,
   * counts the request in flight and arranges for metrics and the access log on 'close'.
   * Idempotent per request: a second call (e.g. two adapters) returns the first scope.
   * Never throws.
   */
  begin(req: IncomingMessage, res: ServerResponse, route?: string): RequestScope {
    const existing = (req as WithScope)[kScope];
    if (existing) return existing;
    const correlationId = correlationIdFrom(req.headers);
    const scope: RequestScope = {
      ctx: { correlationId, route: undefined },
      method: req.method ?? 'GET',
      path: pathOf(req.url),
      startMs: performance.now(),
      route,
      error: undefined,
      exemplar: undefined,
      span: undefined,
    };
    // Sampling is decided here, at the edge: an unsampled request only gets its ids on the context.
    const span = this.#deps.traceRequest?.(req, scope.ctx);
    if (span !== undefined) {
      // The adapters name the span through setRoute() once the framework matched (adapters/shared.ts).
      scope.span = span;
      if (route !== undefined && route !== UNMATCHED_ROUTE) span.setRoute(route);
      // Only a sampled trace can be looked up: an exemplar naming an unrecorded trace is a dead link.
      scope.exemplar = { trace_id: span.traceId };
    }
    (req as WithScope)[kScope] = scope;
    (res as ResponseWithScope)[kScope] = scope;
    if (!res.headersSent) {
      res.setHeader('X-Request-ID', correlationId);
      res.setHeader('X-Correlation-ID', correlationId);
    }
    this.#deps.metrics?.start();
    // 'close' fires exactly once per response, after 'finish' or when the client went away first.
    res.on('close', this.#onClose);
    return scope;
  }

  /** The scope begun for this request, if any. */
  scopeOf(req: IncomingMessage): RequestScope | undefined {
    return (req as WithScope)[kScope];
  }

  /**
   * Runs `fn` inside the request's context, so every log line in it carries the correlation id. Already inside
   * it (a hook running in the same synchronous chain as the one that entered it), `fn` just runs.
   */
  run<A extends unknown[], R>(scope: RequestScope, fn: (...args: A) => R, ...args: A): R {
    const context = this.#deps.context;
    if (context.get() === scope.ctx) return fn(...args);
    return context.run(scope.ctx, fn, ...args);
  }

  /**
   * Records an error thrown by a handler: logged once (however many framework hooks see it),
   * reported through the error-report hook, and remembered for the access log. Never throws.
   */
  recordError(scope: RequestScope | undefined, error: unknown): void {
    if (scope) scope.error = error;
    if (typeof error === 'object' && error !== null) {
      if (this.#logged.has(error)) return;
      this.#logged.add(error);
    }
    const fields = { err: error, route: scope?.route ?? UNMATCHED_ROUTE, method: scope?.method };
    const log = () => this.#logger.error(fields, 'request failed');
    if (scope) this.run(scope, log);
    else log();
    const report = this.#deps.report;
    if (report) {
      try {
        report(error, { correlation_id: scope?.ctx.correlationId, trace_id: scope?.ctx.traceId, route: scope?.route, method: scope?.method, bindings: scope?.ctx.bindings });
      } catch {
        // the report hook is a sink: its failure must not reach request code
      }
    }
  }

  #end(req: IncomingMessage, res: ServerResponse, scope: RequestScope): void {
    try {
      const seconds = (performance.now() - scope.startMs) / 1000;
      const status = res.writableFinished ? res.statusCode : CLIENT_CLOSED_REQUEST;
      const route = scope.route ?? UNMATCHED_ROUTE;
      scope.span?.end(status, scope.error);
      this.#deps.metrics?.end(scope.method, route, status, seconds, scope.exemplar);
      // The user agent is classified once per request, shared with the access log (and only when one needs it).
      let ua: ParsedUserAgent | undefined;
      const clients = this.#clients;
      if (clients !== undefined) {
        ua = parseUserAgent(req.headers['user-agent']);
        clients.count(apiVersionOf(scope.path, req, clients.apiVersionHeader), ua.device, regionOf(req, clients));
      }
      const accessLog = this.#deps.accessLog;
      if (accessLog) {
        const len = res.getHeader('content-length');
        const entry = {
          method: scope.method,
          route,
          path: scope.path,
          status,
          durationMs: seconds * 1000,
          bytes: len === undefined ? undefined : Number(len),
          userAgent: req.headers['user-agent'],
          parsedUserAgent: ua,
          error: scope.error,
          context: scope.ctx,
        };
        // The line carries the request's ids from `context`: no second entry into the request's context.
        if (accessLog.shouldLog(entry)) accessLog.record(entry);
      }
    } catch (err) {
      // Telemetry never breaks checkout: the response is already on its way.
      this.#logger.warn({ err, code: 'TW_ERR_SINK_WRITE_FAILED' }, 'request telemetry failed');
    }
  }
}

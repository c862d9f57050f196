import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What every log line inside a request carries, without plumbing. Adapters create one per request
 * and run the handler inside it; tracing (@tillwatch/otel) fills traceId/spanId.
 */
export interface RequestContext {
  readonly correlationId: string;
  /** Route template once known (e.g. `/orders/:id`), else undefined. */
  route?: string;
  traceId?: string;
  spanId?: string;
  /**
   * Set by tracing (@tillwatch/otel) at the edge of the request: the W3C trace flags (bit 0: sampled), the
   * caller's `tracestate`/`baggage` to forward, and, for a recorded request only, the OpenTelemetry context
   * holding its server span. Opaque to the core.
   */
  trace?: unknown;
  /** Free-form bindings added by the app (location, terminal, user id). Passed through the redactor like any log field. */
  bindings?: Record<string, unknown>;
}

/**
 * One AsyncLocalStorage per tillwatch instance, so two instances (tests, multi-tenant hosts)
 * never see each other's requests.
 */
export class ContextStore {
  readonly als = new AsyncLocalStorage<RequestContext>();

  /** The current request's context, or undefined outside a request. */
  get(): RequestContext | undefined {
    return this.als.getStore();
  }

  /** Runs `fn(...args)` inside `ctx` (arguments rather than a closure, so a caller needs no function per call). */
  run<A extends unknown[], R>(ctx: RequestContext, fn: (...args: A) => R, ...args: A): R {
    return this.als.run(ctx, fn, ...args);
  }

  /** Adds bindings (e.g. `{ location: 'store-12' }`) to every later log line of the current request. */
  bind(fields: Record<string, unknown>): void {
    const ctx = this.als.getStore();
    if (ctx) ctx.bindings = { ...ctx.bindings, ...fields };
  }
}

/**
 * A `fetch` for the store's API that makes every call traceable from the browser to the back end:
 * it sends a fresh `X-Correlation-ID` (UUIDv7) and a W3C `traceparent`, and reports each call (method,
 * URL, status, the correlation id the server answered with, the trace id, duration) to `onCall`.
 * `init()` turns that report into a breadcrumb and the `correlation_id` / `trace_id` tags, so an error
 * the UI reports later names the back-end request whose log line and trace explain it.
 *
 * Headers are added only to API URLs (same origin, or under `apiBase`): a custom header on a
 * cross-origin call to a third party would trigger a CORS preflight it may refuse, and would leak ids.
 * Telemetry never breaks the call: a throwing `onCall` is swallowed.
 */
import { newTraceContext, uuidv7 } from './ids.ts';

/** One finished API call, as reported to {@link ApiFetchOptions.onCall}. */
export interface ApiCall {
  readonly method: string;
  /** The URL as called (scrub before sending anywhere: it may carry a query secret). */
  readonly url: string;
  /** HTTP status; undefined when the call failed without a response (network error, abort). */
  readonly status: number | undefined;
  /** What the server answered in X-Correlation-ID, else the id that was sent. */
  readonly correlationId: string;
  /** The trace id sent in traceparent: the back end's spans and log lines of this request carry it. */
  readonly traceId: string;
  /** The parent id sent in traceparent (the browser side of the call). */
  readonly spanId: string;
  readonly durationMs: number;
  /** Set when the call failed without a response. */
  readonly error?: unknown;
}

export interface ApiFetchOptions {
  /** The fetch to wrap; default `globalThis.fetch` (looked up per call, so instrumentation added later still runs). */
  fetch?: typeof fetch;
  /** Base URL of the API. Calls under it, and relative or same-origin calls, get the headers. */
  apiBase?: string;
  /** Called once per API call, after the response headers arrived or the call failed. */
  onCall?: (call: ApiCall) => void;
  /** Sets the traceparent sampled flag. Default true. */
  sampled?: boolean;
}

/** A fetch with the correlation headers; same signature as `fetch`. */
export type ApiFetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

function currentOrigin(): string | undefined {
  const loc = (globalThis as { location?: { origin?: unknown } }).location;
  return typeof loc?.origin === 'string' && loc.origin !== 'null' ? loc.origin : undefined;
}

function urlOf(input: string | URL | Request): string {
  if (typeof input === 'string') return input;
  if (input instanceof URL) return input.href;
  return input.url;
}

/**
 * Builds the API fetch.
 *
 * @param options the fetch to wrap, the API base and the per-call report.
 * @example
 * const apiFetch = createApiFetch({ apiBase: '/', onCall: (c) => console.log(c.correlationId) });
 * const res = await apiFetch('/products', { headers: { authorization: `Bearer ${token}` } });
 */
export function createApiFetch(options: ApiFetchOptions = {}): ApiFetch {
  const base = options.apiBase;
  const isApiUrl = (url: string): boolean => {
    const origin = currentOrigin();
    let abs: URL;
    try {
      abs = new URL(url, origin ?? base ?? undefined);
    } catch {
      return false;
    }
    if (base !== undefined) {
      try {
        const b = new URL(base, origin);
        if (abs.origin === b.origin && abs.pathname.startsWith(b.pathname)) return true;
      } catch {
        // a malformed base: fall back to same-origin only
      }
    }
    return origin !== undefined && abs.origin === origin;
  };

  return async function apiFetch(input, init) {
    const doFetch = options.fetch ?? globalThis.fetch;
    const url = urlOf(input);
    if (!isApiUrl(url)) return doFetch(input, init);
    const correlationId = uuidv7();
    const trace = newTraceContext(options.sampled ?? true);
    const headers = new Headers(input instanceof Request ? input.headers : undefined);
    new Headers(init?.headers).forEach((v, k) => headers.set(k, v));
    headers.set('x-correlation-id', correlationId);
    headers.set('traceparent', trace.traceparent);
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    const started = Date.now();
    const report = (call: ApiCall): void => {
      try {
        options.onCall?.(call);
      } catch {
        // telemetry must never break the call
      }
    };
    let res: Response;
    try {
      res = await doFetch(input, { ...init, headers });
    } catch (error) {
      report({ method, url, status: undefined, correlationId, traceId: trace.traceId, spanId: trace.spanId, durationMs: Date.now() - started, error });
      throw error;
    }
    const answered = res.headers.get('x-correlation-id');
    report({
      method,
      url,
      status: res.status,
      correlationId: answered !== null && answered !== '' ? answered : correlationId,
      traceId: trace.traceId,
      spanId: trace.spanId,
      durationMs: Date.now() - started,
    });
    return res;
  };
}

/**
 * `init()`: error reports from the browser with tillwatch's scrubbing, correlated API calls and
 * Web Vitals. Lifecycle: call it once, before the first render and the first API call; then render
 * under an {@link ErrorBoundary}, call the API through `tw.fetch`, log through `tw.logger`.
 */
import {
  addBreadcrumb,
  captureException,
  captureMessage,
  flush,
  getCurrentScope,
  init as sentryInit,
  setContext,
  setTag,
  setTags,
} from '@sentry/browser';
import { TillwatchConfigError, type ConfigIssue } from '@tillwatch/spec';
import { createApiFetch, type ApiCall, type ApiFetch } from './api-fetch.ts';
import { createLogger, type BrowserLogger } from './logger.ts';
import type { ReportingHub } from './reporting-hub.ts';
import { createSentryScrubbers, type SentryScrubbers } from './scrub.ts';
import { reportWebVitals } from './web-vitals.ts';

export interface BrowserInitOptions {
  /** The Sentry DSN. Empty or undefined: nothing is sent, the fetch wrapper and logger still work. */
  dsn: string | undefined;
  /** The release, e.g. `pos@1.4.2`; should match the uploaded source maps. */
  release?: string;
  /** `production`, `staging`, ...; default `production`. */
  environment?: string;
  /** Base URL of the back-end API; calls under it (and same-origin calls) get X-Correlation-ID and traceparent. */
  apiBase?: string;
  /** Extra field names to remove everywhere, matched like the server's `log.redactKeys`. */
  redactKeys?: readonly string[];
  /** Report Web Vitals. Default true. */
  webVitals?: boolean;
  /** Share of error events sent, 0..1. Default 1. */
  sampleRate?: number;
  /** Tags on every event (location, terminal). Values pass the scrubber like everything else. */
  tags?: Record<string, string>;
}

/** What {@link init} returns. */
export interface TillwatchBrowser {
  /** `fetch` for API calls: sends the correlation headers and records each call (see api-fetch.ts). */
  readonly fetch: ApiFetch;
  readonly logger: BrowserLogger;
  readonly scrubbers: SentryScrubbers;
  /** The last API call made through {@link fetch}, if any. */
  lastApiCall(): ApiCall | undefined;
  /** Waits until queued events are sent, at most `timeoutMs`; true when all were. */
  flush(timeoutMs?: number): Promise<boolean>;
}

function describe(v: unknown): string {
  if (typeof v === 'string') return v.length > 40 ? `a string of ${v.length} characters` : JSON.stringify(v);
  return v === null ? 'null' : typeof v;
}

function validate(o: BrowserInitOptions): void {
  const issues: ConfigIssue[] = [];
  const code = 'TW_ERR_CONFIG_INVALID' as const;
  if (o.dsn !== undefined && o.dsn !== '') {
    let ok = false;
    try {
      const u = new URL(o.dsn);
      ok = (u.protocol === 'http:' || u.protocol === 'https:') && u.username !== '' && /^\/(?:.*\/)?\d+$/.test(u.pathname);
    } catch {
      ok = false;
    }
    // The DSN's public key is not a secret, but never echo a value that failed to parse.
    if (!ok) issues.push({ option: 'dsn', expected: 'a Sentry DSN like https://<key>@<host>/<project id>', got: `a value of ${String(o.dsn).length} characters`, code });
  }
  for (const k of ['release', 'environment', 'apiBase'] as const) {
    const v = o[k];
    if (v !== undefined && (typeof v !== 'string' || v === '')) issues.push({ option: k, expected: 'a non-empty string', got: describe(v), code });
  }
  if (o.sampleRate !== undefined && !(typeof o.sampleRate === 'number' && o.sampleRate >= 0 && o.sampleRate <= 1)) {
    issues.push({ option: 'sampleRate', expected: 'a number between 0 and 1', got: describe(o.sampleRate), code });
  }
  if (issues.length > 0) throw new TillwatchConfigError(issues);
}

/**
 * Starts error reporting in the browser.
 *
 * @param options DSN, release, environment, API base.
 * @returns the correlated fetch, the logger and the scrubbers.
 * @throws TillwatchConfigError (code `TW_ERR_CONFIG_INVALID`) when an option is invalid, naming each.
 * @example
 * const tw = init({ dsn: config.sentry_dsn, release: 'pos@1.0.0', environment: 'production', apiBase: '/' });
 * const res = await tw.fetch('/products', { headers: { authorization: `Bearer ${token}` } });
 */
export function init(options: BrowserInitOptions): TillwatchBrowser {
  validate(options);
  const scrubbers = createSentryScrubbers({ extraKeys: options.redactKeys ?? [] });
  // Named functions, not the namespace object: a namespace used as a value defeats tree-shaking.
  const hub: ReportingHub = { addBreadcrumb, captureException, captureMessage, setTag, setContext };
  if (options.dsn) {
    sentryInit({
      dsn: options.dsn,
      release: options.release,
      environment: options.environment ?? 'production',
      sampleRate: options.sampleRate ?? 1,
      sendDefaultPii: false, // no IP address, cookies or user details; user id only, set by the app
      beforeSend: (event) => scrubbers.beforeSend(event),
      beforeSendTransaction: (event) => scrubbers.beforeSend(event),
      beforeBreadcrumb: (crumb) => scrubbers.beforeBreadcrumb(crumb),
    });
    if (options.tags) setTags(options.tags);
  }

  let last: ApiCall | undefined;
  const apiFetch = createApiFetch({
    ...(options.apiBase !== undefined ? { apiBase: options.apiBase } : {}),
    onCall(call) {
      last = call;
      // The tags name the back-end request of the last API call: its access-log line carries the same
      // correlation_id, and its trace the same trace_id.
      hub.setTag('correlation_id', call.correlationId);
      hub.setTag('trace_id', call.traceId);
      // Without browser tracing, Sentry puts an error in the page's current trace: point that at the
      // last call's trace, so the report sits in the same trace as the back-end request (and the
      // back end's own Sentry events, which share its OpenTelemetry trace).
      try {
        getCurrentScope().setPropagationContext({ traceId: call.traceId, parentSpanId: call.spanId, sampleRand: Math.random() });
      } catch {
        // telemetry must never break the call
      }
      hub.addBreadcrumb({
        category: 'api',
        type: 'http',
        level: call.status === undefined || call.status >= 500 ? 'error' : call.status >= 400 ? 'warning' : 'info',
        data: {
          method: call.method,
          url: call.url,
          status_code: call.status,
          correlation_id: call.correlationId,
          trace_id: call.traceId,
          duration_ms: call.durationMs,
        },
      });
    },
  });

  if (options.webVitals !== false && typeof window !== 'undefined') reportWebVitals(hub);

  return {
    fetch: apiFetch,
    logger: createLogger(hub),
    scrubbers,
    lastApiCall: () => last,
    flush: (timeoutMs = 2000) => flush(timeoutMs),
  };
}

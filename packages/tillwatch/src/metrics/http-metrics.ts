/**
 * HTTP RED metrics (rate, errors, duration) recorded by the framework adapters, one call pair per request.
 * Declared in the catalogue's `http` group with the names and labels common dashboards expect:
 * `http_requests_total`, `http_request_duration_seconds` and `http_requests_in_flight`.
 */
import { catalogue, UNMATCHED_ROUTE } from '@tillwatch/spec';
import type { GuardedCounter } from './guarded-counter.ts';
import type { GuardedGauge } from './guarded-gauge.ts';
import type { GuardedHistogram } from './guarded-histogram.ts';
import { normalizeHttpMethod } from './http-method.ts';
import type { MetricRegistrar } from './metric-registrar.ts';

type HttpLabel = 'method' | 'route' | 'status_code';

export interface HttpMetricsOptions {
  /** `metrics.prefix`. */
  readonly prefix: string;
  /** `metrics.httpBuckets`, in seconds. */
  readonly buckets: readonly number[];
}

/**
 * The RED metrics of one tillwatch instance. Adapters call {@link HttpMetrics.start} when a request arrives and
 * {@link HttpMetrics.end} once when its response finishes (or the connection closes); neither ever throws.
 *
 * @example
 * ```ts
 * metrics.http.start();
 * res.on('close', () => metrics.http.end(req.method ?? 'GET', routeTemplate ?? UNMATCHED_ROUTE, res.statusCode, elapsedSeconds));
 * ```
 */
export class HttpMetrics {
  readonly #requests: GuardedCounter<HttpLabel>;
  readonly #duration: GuardedHistogram<HttpLabel>;
  #inFlight = 0;

  constructor(metrics: MetricRegistrar, options: HttpMetricsOptions) {
    const m = catalogue.metrics.http;
    this.#requests = metrics.register(m.requests, { prefix: options.prefix });
    // trace_id exemplars link a latency bucket to a trace (OpenMetrics scrapes only).
    this.#duration = metrics.register(m.requestDuration, { prefix: options.prefix, buckets: options.buckets, exemplars: true });
    // The count lives in a plain number: start()/end() cost an increment, and the gauge is set at scrape time.
    const inFlight: GuardedGauge<never> = metrics.register(m.requestsInFlight, {
      prefix: options.prefix,
      collect: () => inFlight.set({}, this.#inFlight),
    });
  }

  /** A request arrived: in-flight +1. */
  start(): void {
    this.#inFlight++;
  }

  /**
   * A request finished: in-flight −1 (never below 0, so an `end` without `start` cannot drive it negative),
   * then one count and one duration observation.
   * @param method The request method; mapped onto GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS or `other`.
   * @param route The framework's route template (`/orders/:id`), never the raw path; {@link UNMATCHED_ROUTE}
   *   (also used for an empty route) when no route matched.
   * @param statusCode The response status; anything but an integer 100..599 is recorded as `other`.
   * @param seconds Duration in seconds; a negative or non-finite value skips the duration observation only.
   * @param exemplar e.g. `{ trace_id }`, attached to the latency bucket in OpenMetrics scrapes.
   */
  end(method: string, route: string, statusCode: number, seconds: number, exemplar?: Readonly<Record<string, string>>): void {
    if (this.#inFlight > 0) this.#inFlight--;
    const labels = {
      method: normalizeHttpMethod(method),
      route: typeof route === 'string' && route !== '' ? route : UNMATCHED_ROUTE,
      status_code: Number.isInteger(statusCode) && statusCode >= 100 && statusCode <= 599 ? statusCode : 'other',
    };
    this.#requests.inc(labels);
    this.#duration.observe(labels, seconds, exemplar);
  }
}

/**
 * Service level objectives as data (tillwatch/v1). An SLO is a target share of good events (or good time)
 * over a rolling period of 28 or 30 days; its SLI is PromQL over catalogue metrics with a `{{.window}}`
 * placeholder (sloth's convention) that the generator replaces with each recording window.
 *
 * @example
 * import { availabilitySlo, latencySlo } from './slo-spec.ts';
 * const slos = [
 *   availabilitySlo({ name: 'availability', target: 0.999, period: '30d', team: 'platform' }),
 *   latencySlo({ name: 'latency', target: 0.99, period: '30d', team: 'platform', thresholdSeconds: 1 }),
 * ];
 */
import { catalogue } from '../catalogue.ts';
import type { AnyMetricHandle } from '../metric-spec.ts';
import { counterSeries, histogramSeries, type SeriesFixture } from '../alerts/test-series.ts';
import type { SloPeriod } from './burn-windows.ts';

/** The placeholder every SLI template uses for its range (`rate(x[{{.window}}])`). */
export const WINDOW_PLACEHOLDER = '{{.window}}';

/** A label matcher for in-process counting: a value means equality; `re` is a full-match regex; `ne` is inequality. */
export type CountMatcher = string | { readonly re: string } | { readonly ne: string };

/** Sum of the series of one counter (or histogram `_bucket`/`_count`) whose labels match. */
export interface CounterQuery {
  /** Series name as exposed, without `metrics.prefix`: `http_requests_total`, `http_request_duration_seconds_bucket`. */
  readonly series: string;
  readonly match?: Readonly<Record<string, CountMatcher>>;
}

/**
 * The same SLI as the PromQL, in a form the runtime can compute from its own counters (src/slo): bad events
 * are the sum of `bad`, or `total` minus the sum of `good` when `good` is given instead.
 */
export interface InProcessCounts {
  readonly total: readonly CounterQuery[];
  readonly bad?: readonly CounterQuery[];
  readonly good?: readonly CounterQuery[];
}

/** An SLI counted in events: the rate of bad events over the rate of all events. */
export interface EventRatioSli {
  readonly kind: 'events';
  /** PromQL: per-second rate of bad events over `{{.window}}`, one series without labels. */
  readonly bad: string;
  /** PromQL: per-second rate of all events over `{{.window}}`, one series without labels. */
  readonly total: string;
  /** Input series with `bad` bad and `good` good events a minute, for the generated promtool tests. */
  readonly fixture: (badPerMinute: number, goodPerMinute: number) => SeriesFixture[];
  /** For the in-process SLO API; without it the runtime cannot report this SLO. */
  readonly counts?: InProcessCounts;
}

/** An SLI counted in time: the share of minutes in which the service was bad. */
export interface TimeSli {
  readonly kind: 'time';
  /** PromQL: 1 while the service is bad, 0 while it is good (use `> bool`), one series without labels. */
  readonly badInstant: string;
  readonly fixture: (bad: boolean) => SeriesFixture[];
  /** For the in-process SLO API: bad while the newest matching gauge (a Unix time) is older than `maxAgeSeconds`. */
  readonly freshness?: { readonly series: string; readonly match?: Readonly<Record<string, CountMatcher>>; readonly maxAgeSeconds: number };
}

export type Sli = EventRatioSli | TimeSli;

export const SLO_KINDS = ['availability', 'latency', 'payment-success', 'order-success', 'print-success', 'sync-freshness', 'custom'] as const;
export type SloKind = (typeof SLO_KINDS)[number];

export interface SloSpec {
  /** kebab-case id, unique per service; becomes the `slo` label. */
  readonly name: string;
  readonly kind: SloKind;
  /** One line for humans, e.g. "99.9% of requests do not fail with a 5xx". */
  readonly title: string;
  /** Good share to reach, strictly between 0 and 1 (0.999 is "three nines"). */
  readonly target: number;
  readonly period: SloPeriod;
  /** Owning team (label `team` on its alerts). */
  readonly team: string;
  /** Markdown runbook for its burn-rate alerts. */
  readonly runbook: string;
  readonly sli: Sli;
  /**
   * Minimum events in an alert's long window before it may fire, so one failure among three requests at
   * 3 a.m. on a quiet store does not page. Event SLIs only; default {@link DEFAULT_MIN_EVENTS}.
   */
  readonly minEvents?: number;
  /** For latency SLOs: the histogram and the threshold, which must be one of its bucket boundaries. */
  readonly latency?: { readonly metric: AnyMetricHandle; readonly thresholdSeconds: number };
}

/** Default minimum-traffic guard: 100 events in the long window (1 h for the fastest page). */
export const DEFAULT_MIN_EVENTS = 100;

export interface SloCommonOptions {
  readonly name: string;
  readonly target: number;
  readonly period: SloPeriod;
  readonly team: string;
  readonly title?: string;
  readonly runbook?: string;
  readonly minEvents?: number;
}

const m = catalogue.metrics;
const w = WINDOW_PLACEHOLDER;

function pct(target: number): string {
  return `${Math.round(target * 100_000) / 1000}%`;
}

function base(o: SloCommonOptions, kind: SloKind, title: string, runbook: string, sli: Sli): SloSpec {
  const spec: SloSpec = {
    name: o.name,
    kind,
    title: o.title ?? title,
    target: o.target,
    period: o.period,
    team: o.team,
    runbook: o.runbook ?? runbook,
    sli,
    ...(o.minEvents !== undefined ? { minEvents: o.minEvents } : {}),
  };
  return spec;
}

/**
 * Availability: the share of HTTP requests that did not fail with a 5xx (4xx are the client's).
 * @example availabilitySlo({ name: 'availability', target: 0.999, period: '30d', team: 'platform' })
 */
export function availabilitySlo(o: SloCommonOptions): SloSpec {
  const r = m.http.requests;
  return Object.freeze(
    base(o, 'availability', `${pct(o.target)} of HTTP requests do not fail with a 5xx`, AVAILABILITY_RUNBOOK, {
      kind: 'events',
      // `or vector(0)`: no 5xx at all is a ratio of 0, not an absent series (a healthy service shows 0, not "No data").
      bad: `(sum(rate(${r.select({ status_code: { re: '5..' } })}[${w}])) or vector(0))`,
      total: `sum(rate(${r}[${w}]))`,
      counts: { total: [{ series: r.name }], bad: [{ series: r.name, match: { status_code: { re: '5..' } } }] },
      fixture: (bad, good) => [
        counterSeries(r, { method: 'POST', route: '/orders', status_code: '500' }, bad),
        counterSeries(r, { method: 'POST', route: '/orders', status_code: '200' }, good),
      ],
    }),
  );
}

export interface LatencySloOptions extends SloCommonOptions {
  /** A request is good when it finished within this many seconds; must be a bucket boundary of `metric`. */
  readonly thresholdSeconds: number;
  /** Histogram to measure; default `http_request_duration_seconds`. */
  readonly metric?: AnyMetricHandle;
}

/**
 * Latency: the share of requests that finished within a threshold. Exact only when the threshold is a
 * bucket boundary of the histogram (`le` label); validation rejects any other threshold.
 * @example latencySlo({ name: 'latency', target: 0.99, period: '30d', team: 'platform', thresholdSeconds: 1 })
 */
export function latencySlo(o: LatencySloOptions): SloSpec {
  const h = o.metric ?? m.http.requestDuration;
  const le = String(o.thresholdSeconds);
  const fixtureLabels: Record<string, string> = h.name === m.http.requestDuration.name ? { method: 'POST', route: '/orders', status_code: '200' } : {};
  return Object.freeze({
    ...base(o, 'latency', `${pct(o.target)} of requests finish within ${le} s`, LATENCY_RUNBOOK, {
      kind: 'events',
      bad: `(sum(rate(${h.name}_count[${w}])) - sum(rate(${h.name}_bucket{le="${le}"}[${w}])))`,
      total: `sum(rate(${h.name}_count[${w}]))`,
      counts: { total: [{ series: `${h.name}_count` }], good: [{ series: `${h.name}_bucket`, match: { le } }] },
      // Good requests take a tenth of the threshold, bad ones twice the threshold.
      fixture: (bad, good) =>
        histogramSeries(h, fixtureLabels, [
          { perMinute: good, seconds: o.thresholdSeconds / 10 },
          { perMinute: bad, seconds: o.thresholdSeconds * 2 },
        ]),
    }),
    latency: { metric: h, thresholdSeconds: o.thresholdSeconds },
  });
}

export interface EventRatioSloOptions extends SloCommonOptions {
  readonly kind?: SloKind;
  readonly title: string;
  readonly runbook: string;
  /** PromQL rate of bad events with `{{.window}}`, built from handles. */
  readonly bad: string;
  readonly total: string;
  readonly fixture: EventRatioSli['fixture'];
  readonly counts?: InProcessCounts;
}

/** Any good/total event ratio; the business SLOs in business-slos.ts are built on it. */
export function eventRatioSlo(o: EventRatioSloOptions): SloSpec {
  return Object.freeze(base(o, o.kind ?? 'custom', o.title, o.runbook, { kind: 'events', bad: o.bad, total: o.total, fixture: o.fixture, ...(o.counts !== undefined ? { counts: o.counts } : {}) }));
}

export interface TimeSloOptions extends SloCommonOptions {
  readonly kind?: SloKind;
  readonly title: string;
  readonly runbook: string;
  readonly badInstant: string;
  readonly fixture: TimeSli['fixture'];
  readonly freshness?: TimeSli['freshness'];
}

/** Any time-based SLI: the share of minutes in which `badInstant` was 0. */
export function timeSlo(o: TimeSloOptions): SloSpec {
  return Object.freeze(base(o, o.kind ?? 'custom', o.title, o.runbook, { kind: 'time', badInstant: o.badInstant, fixture: o.fixture, ...(o.freshness !== undefined ? { freshness: o.freshness } : {}) }));
}

const AVAILABILITY_RUNBOOK = `1. Open the HTTP dashboard and find the routes answering 5xx (\`sum by (route, status_code) (rate(http_requests_total{status_code=~"5.."}[5m]))\`).
2. Check the last deploy; roll back if the errors started with it.
3. Check dependencies (database, cache, payment provider): their alerts usually fire alongside.
4. A page means the error budget will be gone within days at this rate; a ticket means within the period.`;

const LATENCY_RUNBOOK = `1. Find the slow routes (\`histogram_quantile(0.99, sum by (route, le) (rate(http_request_duration_seconds_bucket[5m])))\`).
2. Check database latency and pool saturation (DbPoolNearlyExhausted, SlowQueries) and event-loop lag.
3. Check the payment provider's latency (payments_duration_seconds) when checkout routes are slow.`;

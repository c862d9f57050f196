/**
 * Performance budgets per route, derived from the service's latency SLO and checked by a bench (the reference
 * store's is bench/budgets.ts, docs/budgets.md). Pure: no clock, no I/O, so the derivation and the verdict are
 * unit-tested and the bench only measures.
 *
 * Derivation, for a route `METHOD /template` measured under a closed-loop load of `concurrency` requests in flight:
 * - **latency**: the latency SLO on `http_request_duration_seconds` promises that a share `target` of requests
 *   finishes within `thresholdSeconds`; the route's budget is that quantile and that threshold (p99 <= 1 s for a
 *   99% / 1 s SLO). With several latency SLOs on that histogram the strictest threshold wins.
 * - **CPU**: one Node process serves requests on one event loop, so with `concurrency` requests in flight a
 *   request waits behind the CPU time of the others: its latency is at least `concurrency x CPU per request`. For
 *   the quantile to stay within the threshold at that load, a request may use at most `threshold / concurrency`
 *   of CPU time.
 * An override replaces any part for one route (a report that may take 5 s, a login that hashes a password).
 */
import { TillwatchConfigError, type ConfigIssue } from '../errors/config-error.ts';
import type { SloSpec } from '../slo/slo-spec.ts';

/** The histogram the HTTP latency SLO reads. */
const HTTP_DURATION = 'http_request_duration_seconds';
const ROUTE_KEY = /^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS) \/\S*$/;

/** Per-route changes to the derived budget; keys are `METHOD /template`, e.g. `POST /orders/:id/pay`. */
export interface RouteBudgetOverride {
  /** Latency budget at the quantile, seconds. */
  readonly latencySeconds?: number;
  /** The quantile the latency budget applies to, strictly between 0 and 1 (0.99 is p99). */
  readonly quantile?: number;
  /** CPU time per request, seconds. Default: `latencySeconds / concurrency`. */
  readonly cpuSecondsPerRequest?: number;
}

export interface RouteBudget {
  /** `METHOD /template`. */
  readonly route: string;
  readonly quantile: number;
  readonly latencySeconds: number;
  readonly cpuSecondsPerRequest: number;
  /** Where the figures come from, for the table: `slo <name>`, `override`, or `slo <name> + override`. */
  readonly source: string;
}

export interface DeriveRouteBudgetsOptions {
  /** The service's SLOs (its deploy config's `slos`). */
  readonly slos: readonly SloSpec[];
  /** The routes to budget, `METHOD /template`. */
  readonly routes: readonly string[];
  /** Requests in flight while the bench measures (closed loop). */
  readonly concurrency: number;
  readonly overrides?: Readonly<Record<string, RouteBudgetOverride>>;
}


const isQuantile = (q: unknown): q is number => typeof q === 'number' && q > 0 && q < 1;
const isPositive = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x > 0;

/** The strictest latency SLO on the HTTP duration histogram, if any. */
export function httpLatencySlo(slos: readonly SloSpec[]): SloSpec | undefined {
  const latency = slos.filter((s) => s.kind === 'latency' && s.latency?.metric.name === HTTP_DURATION);
  return latency.sort((a, b) => a.latency!.thresholdSeconds - b.latency!.thresholdSeconds || b.target - a.target)[0];
}

/**
 * The budget of every route. @throws TillwatchConfigError when a route has neither a latency SLO nor an override to
 * derive from, or an override is malformed or names a route not in `routes`.
 */
export function deriveRouteBudgets(o: DeriveRouteBudgetsOptions): RouteBudget[] {
  const problems: ConfigIssue[] = [];
  const bad = (option: string, expected: string, got: unknown): void => {
    problems.push({ option, expected, got: JSON.stringify(got) ?? 'undefined', code: 'TW_ERR_CONFIG_INVALID' });
  };
  if (!Number.isInteger(o.concurrency) || o.concurrency < 1) bad('concurrency', 'a positive integer', o.concurrency);
  for (const r of o.routes) if (!ROUTE_KEY.test(r)) bad('routes', '"METHOD /template"', r);
  const overrides = o.overrides ?? {};
  for (const [key, ov] of Object.entries(overrides)) {
    if (!o.routes.includes(key)) bad(`overrides[${JSON.stringify(key)}]`, `one of the measured routes (${o.routes.join(', ')})`, key);
    if (ov.latencySeconds !== undefined && !isPositive(ov.latencySeconds)) bad(`overrides[${JSON.stringify(key)}].latencySeconds`, 'seconds > 0', ov.latencySeconds);
    if (ov.quantile !== undefined && !isQuantile(ov.quantile)) bad(`overrides[${JSON.stringify(key)}].quantile`, 'a number strictly between 0 and 1', ov.quantile);
    if (ov.cpuSecondsPerRequest !== undefined && !isPositive(ov.cpuSecondsPerRequest)) bad(`overrides[${JSON.stringify(key)}].cpuSecondsPerRequest`, 'seconds > 0', ov.cpuSecondsPerRequest);
  }
  const slo = httpLatencySlo(o.slos);
  const budgets: RouteBudget[] = [];
  for (const route of o.routes) {
    const ov = overrides[route] ?? {};
    const latencySeconds = ov.latencySeconds ?? slo?.latency?.thresholdSeconds;
    const quantile = ov.quantile ?? slo?.target;
    if (latencySeconds === undefined || quantile === undefined) {
      bad(`overrides[${JSON.stringify(route)}]`, `latencySeconds and quantile (there is no latency SLO on ${HTTP_DURATION} to derive them from)`, overrides[route] ?? null);
      continue;
    }
    const fromSlo = slo !== undefined && (ov.latencySeconds === undefined || ov.quantile === undefined);
    const overridden = Object.keys(ov).length > 0;
    budgets.push({
      route,
      quantile,
      latencySeconds,
      cpuSecondsPerRequest: ov.cpuSecondsPerRequest ?? latencySeconds / Math.max(1, o.concurrency),
      source: fromSlo ? `slo ${slo.name}${overridden ? ' + override' : ''}` : 'override',
    });
  }
  if (problems.length > 0) throw new TillwatchConfigError(problems);
  return budgets;
}

/** What the bench measured for one route in one mode (the service, or the bare baseline). */
export interface RouteMeasurement {
  readonly route: string;
  readonly requests: number;
  /** Latency at the budget's quantile, seconds. */
  readonly latencySeconds: number;
  readonly cpuSecondsPerRequest: number;
  /**
   * How much the latency moved between the rounds of the run: (largest - smallest) / smallest of the rounds'
   * latencies at the quantile; the run's own noise. Default 0.
   */
  readonly latencySpread?: number;
}

/**
 * - `ok`: within both budgets;
 * - `over`: over the CPU budget, or over the latency budget while the baseline met it (the service's doing);
 * - `machine too slow`: over the latency budget, but the baseline doing the same work without the service's
 *   telemetry in the same run was over it too, or within the run's noise of it (its latency times one plus its
 *   spread between rounds): this machine cannot show that the budget is met even without the service, so latency
 *   gives no verdict (the CPU budget, which load hardly inflates, still does);
 * - `not measured`: the service made no request of the route.
 */
export type BudgetVerdict = 'ok' | 'over' | 'machine too slow' | 'not measured';

export interface BudgetRow {
  readonly budget: RouteBudget;
  readonly service?: RouteMeasurement;
  readonly baseline?: RouteMeasurement;
  readonly latencyOver: boolean;
  readonly cpuOver: boolean;
  /** The baseline's latency, widened by its spread between rounds, is over the budget too. */
  readonly baselineLatencyOver: boolean;
  readonly verdict: BudgetVerdict;
}

export interface BudgetReport {
  readonly rows: readonly BudgetRow[];
  /** True when any route is over its budget or was not measured. */
  readonly failed: boolean;
}

/**
 * Judges each route against its budget, with the baseline measured in the same run as the judge of the machine:
 * see {@link BudgetVerdict}. Without a baseline measurement for a route, latency is judged as is.
 */
export function judgeRouteBudgets(budgets: readonly RouteBudget[], service: readonly RouteMeasurement[], baseline: readonly RouteMeasurement[] = []): BudgetReport {
  const rows = budgets.map((budget): BudgetRow => {
    const s = service.find((m) => m.route === budget.route && m.requests > 0);
    const b = baseline.find((m) => m.route === budget.route && m.requests > 0);
    const latencyOver = s !== undefined && s.latencySeconds > budget.latencySeconds;
    const cpuOver = s !== undefined && s.cpuSecondsPerRequest > budget.cpuSecondsPerRequest;
    const baselineLatencyOver = b !== undefined && b.latencySeconds * (1 + Math.max(0, b.latencySpread ?? 0)) > budget.latencySeconds;
    const verdict: BudgetVerdict = s === undefined ? 'not measured' : cpuOver || (latencyOver && !baselineLatencyOver) ? 'over' : latencyOver ? 'machine too slow' : 'ok';
    return { budget, ...(s ? { service: s } : {}), ...(b ? { baseline: b } : {}), latencyOver, cpuOver, baselineLatencyOver, verdict };
  });
  return { rows, failed: rows.some((r) => r.verdict === 'over' || r.verdict === 'not measured') };
}

const ms = (s: number | undefined): string => (s === undefined ? '–' : (s * 1000).toFixed(s < 0.01 ? 2 : 1));
const spread = (m: RouteMeasurement | undefined): string => (m?.latencySpread ? ` ±${Math.round(m.latencySpread * 100)}%` : '');
const ratio = (a: number | undefined, b: number | undefined): string => (a === undefined || b === undefined || b <= 0 ? '–' : `${(a / b).toFixed(2)}×`);
const pq = (q: number): string => `p${String(Math.round(q * 10_000) / 100).replace(/\.0+$/, '')}`;

/** The report as a Markdown table (times in ms), one row per route, over-budget figures marked `!`. */
export function renderBudgetTable(report: BudgetReport): string {
  const lines = [
    '| route | requests | quantile | latency ms (baseline) | latency budget ms | CPU ms/req (baseline) | vs baseline | CPU budget ms/req | budget from | verdict |',
    '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- | --- |',
  ];
  for (const r of report.rows) {
    const { budget: b, service: s, baseline: base } = r;
    const lat = `${ms(s?.latencySeconds)}${r.latencyOver ? ' !' : ''} (${ms(base?.latencySeconds)}${spread(base)})`;
    const cpu = `${ms(s?.cpuSecondsPerRequest)}${r.cpuOver ? ' !' : ''} (${ms(base?.cpuSecondsPerRequest)})`;
    const verdict = r.verdict === 'machine too slow' ? 'machine too slow (baseline over too)' : r.verdict;
    lines.push(`| ${b.route} | ${s?.requests ?? 0} | ${pq(b.quantile)} | ${lat} | ${ms(b.latencySeconds)} | ${cpu} | ${ratio(s?.cpuSecondsPerRequest, base?.cpuSecondsPerRequest)} | ${ms(b.cpuSecondsPerRequest)} | ${b.source} | ${verdict} |`);
  }
  return lines.join('\n');
}

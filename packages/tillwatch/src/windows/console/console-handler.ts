/**
 * The live console: a page on the management endpoints that draws the spec's dashboards (the same
 * `DashboardSpec` data `tillwatch generate` renders to Grafana) from the in-process windows with uPlot (an
 * optional peer, served from the service's own node_modules: the page loads nothing from elsewhere), with the
 * current alerts, SLO budgets and burn rates, dependency health and the dead-letter queues.
 *
 * Panel kinds ({@link CONSOLE_PANEL_KINDS}): `timeseries` is a chart; `stat` and `gauge` show each series' latest
 * value (coloured by the panel's thresholds); `bargauge` shows the latest values as bars. A `piechart` is not
 * drawn: the page shows a placeholder naming the kind, and its queries are not evaluated. A query the in-process
 * evaluator does not implement (refused when parsed, or when evaluated) shows the evaluator's reason in the panel. `$__rate_interval` is replaced by
 * `rateWindow`, and matchers on the labels Prometheus attaches when it scrapes (`targetLabels`, by default
 * `service`, `job` and `instance`) are answered from those labels, since the service's own registry has none.
 *
 * | path | answer |
 * | --- | --- |
 * | `<base>/` | the page |
 * | `<base>/api/dashboards?uid=<uid>&minutes=15` | the list of dashboards, and each panel of one (default the first) over the range, one shared time axis |
 * | `<base>/api/state` | alerts, SLOs, health, dead letters, the monitor's own status |
 * | `<base>/uplot.js`, `<base>/uplot.css` | uPlot |
 *
 * Everything in the JSON passes the service's redactor. A section callback that fails shows its error message
 * (redacted) in its place; the handler never throws into the server.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { withRateWindow, type DashboardSpec, type PanelKind, type PanelSpec } from '@tillwatch/spec';
import { evaluatePromql, type Sample } from '../promql/evaluate-promql.ts';
import { parsePromql, type Expr, type Matcher } from '../promql/parse-promql.ts';
import type { WindowsMonitor } from '../windows-monitor.ts';
import { consolePage } from './console-page.ts';

/**
 * How the console draws each panel kind: `chart` (uPlot), `latest` (each series' latest value), `bars` (latest
 * values as bars), or `placeholder` (not drawn: a labelled box saying so, queries not evaluated).
 */
export const CONSOLE_PANEL_KINDS: Readonly<Record<PanelKind, 'chart' | 'latest' | 'bars' | 'placeholder'>> = {
  timeseries: 'chart',
  stat: 'latest',
  gauge: 'latest',
  bargauge: 'bars',
  piechart: 'placeholder',
};

export interface ConsoleOptions {
  readonly monitor: WindowsMonitor;
  /** The dashboards to draw, in order (e.g. `generateDashboards()` of @tillwatch/cli: what Grafana gets). */
  readonly dashboards: readonly DashboardSpec[];
  /** Replaces `$__rate_interval` in the panels' queries; default `1m`. */
  readonly rateWindow?: string;
  /**
   * Labels Prometheus attaches to every series it scrapes from this service (the panels select
   * `service="<name>"`); default `{ service, job: service, instance: 'in-process' }`.
   */
  readonly targetLabels?: Readonly<Record<string, string>>;
  /** Service name shown in the title. */
  readonly service: string;
  /** Default `/console`. */
  readonly basePath?: string;
  /** Dependency health, e.g. `async () => (await tw.health.summary()).body`. */
  readonly health?: () => Promise<unknown>;
  /** Dead letters per queue, e.g. from tillwatch/delivery's dead-letter admin. */
  readonly deadLetters?: () => Promise<readonly { readonly queue: string; readonly count: number; readonly oldest?: string }[]>;
  /** Applied to every string of the JSON answers (the service's redactor). */
  readonly redact?: (text: string) => string;
  /** Longest range the page may ask for, minutes; default 60. */
  readonly maxMinutes?: number;
}

export type ConsoleHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/** One panel as `api/dashboards` answers it. */
interface PanelData {
  readonly title: string;
  readonly kind: PanelKind;
  readonly draw: (typeof CONSOLE_PANEL_KINDS)[PanelKind];
  readonly unit: string;
  readonly description: string;
  readonly rareEvent: string;
  readonly thresholds: PanelSpec['thresholds'];
  readonly min: number | null;
  readonly max: number | null;
  readonly exprs: readonly string[];
  readonly error: string | undefined;
  series: { readonly name: string; values: (number | null)[] }[];
}

interface CompiledPanel {
  readonly row: string;
  readonly panel: PanelSpec;
  readonly targets: readonly { readonly expr: Expr; readonly legend?: string }[];
  readonly error?: string;
}

function satisfies(m: Matcher, value: string): boolean {
  if (m.op === '=') return value === m.value;
  if (m.op === '!=') return value !== m.value;
  const re = m.re ?? new RegExp(`^(?:${m.value})$`);
  return m.op === '=~' ? re.test(value) : !re.test(value);
}

/**
 * The expression with its matchers on target labels answered: one the label's value satisfies is dropped, one
 * it does not makes the selector match nothing (as in Prometheus, where every series carries the label).
 */
export function answerTargetLabels(expr: Expr, target: Readonly<Record<string, string>>): Expr {
  const walk = (e: Expr): Expr => {
    switch (e.type) {
      case 'selector': {
        const own = e.matchers.filter((m) => !Object.hasOwn(target, m.name));
        const fails = e.matchers.some((m) => Object.hasOwn(target, m.name) && !satisfies(m, target[m.name]!));
        // A matcher no series can satisfy: Prometheus answers such a selector with nothing.
        const none: Matcher[] = fails ? [{ name: '__name__', op: '=', value: '' }] : [];
        return { ...e, matchers: [...own, ...none] };
      }
      case 'matrix':
        return { ...e, selector: walk(e.selector) as typeof e.selector };
      case 'subquery':
      case 'unary':
        return { ...e, expr: walk(e.expr) };
      case 'aggregate':
        return { ...e, expr: walk(e.expr), ...(e.param === undefined ? {} : { param: walk(e.param) }) };
      case 'call':
        return { ...e, args: e.args.map(walk) };
      case 'binary':
        return { ...e, lhs: walk(e.lhs), rhs: walk(e.rhs) };
      default:
        return e;
    }
  };
  return walk(expr);
}

/** The series' name: its legend template filled (target labels included), else its own labels; '' for none. */
function legendOf(template: string | undefined, labels: Readonly<Record<string, string>>, target: Readonly<Record<string, string>>): string {
  if (template === undefined || template.trim() === '') {
    const parts = Object.entries(labels).filter(([k]) => k !== '__name__').map(([k, v]) => `${k}="${v}"`);
    return parts.length === 0 ? '' : `{${parts.join(', ')}}`;
  }
  return template.replace(/\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g, (_, k: string) => labels[k] ?? target[k] ?? '');
}

function deepRedact(value: unknown, redact: (s: string) => string): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map((v) => deepRedact(v, redact));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deepRedact(v, redact)]));
  return value;
}

let uplotAssets: { js: string; css: string } | undefined;
function loadUplot(): { js: string; css: string } {
  if (uplotAssets === undefined) {
    const require = createRequire(import.meta.url);
    uplotAssets = {
      js: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
      css: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
    };
  }
  return uplotAssets;
}

/** The console's request handler; returns false for paths outside `basePath`. */
export function createConsoleHandler(opts: ConsoleOptions): ConsoleHandler {
  const base = (opts.basePath ?? '/console').replace(/\/$/, '');
  const redact = opts.redact ?? ((s: string) => s);
  const maxMinutes = opts.maxMinutes ?? 60;
  const rateWindow = opts.rateWindow ?? '1m';
  const targetLabels = opts.targetLabels ?? { service: opts.service, job: opts.service, instance: 'in-process' };
  const compile = (row: string, panel: PanelSpec): CompiledPanel => {
    if (CONSOLE_PANEL_KINDS[panel.kind] === 'placeholder') return { row, panel, targets: [] };
    try {
      const targets = panel.queries.map((q) => ({
        expr: answerTargetLabels(parsePromql(withRateWindow(q.expr, rateWindow)), targetLabels),
        ...(q.legend === undefined ? {} : { legend: q.legend }),
      }));
      return { row, panel, targets };
    } catch (err) {
      return { row, panel, targets: [], error: (err as Error).message };
    }
  };
  // Compiled once per dashboard, when it is first asked for.
  const compiled = new Map<string, readonly CompiledPanel[]>();
  const panelsOf = (d: DashboardSpec): readonly CompiledPanel[] => {
    let c = compiled.get(d.uid);
    if (c === undefined) compiled.set(d.uid, (c = d.rows.flatMap((r) => r.panels.map((p) => compile(r.title, p)))));
    return c;
  };

  const send = (res: ServerResponse, status: number, type: string, body: string): void => {
    res.statusCode = status;
    res.setHeader('content-type', type);
    res.setHeader('cache-control', 'no-store');
    res.setHeader('x-content-type-options', 'nosniff');
    res.end(body);
  };
  const sendJson = (res: ServerResponse, body: unknown): void => send(res, 200, 'application/json; charset=utf-8', JSON.stringify(deepRedact(body, redact)));

  /** @throws what the evaluator throws (e.g. a function it does not implement) */
  const evaluate = (expr: Expr, timeMs: number): readonly Sample[] => {
    const v = evaluatePromql(expr, { windows: opts.monitor.windows, timeMs });
    return v.kind === 'vector' ? v.samples : v.kind === 'scalar' ? [{ labels: {}, value: v.value }] : [];
  };
  const instant = (expr: Expr, timeMs: number): readonly Sample[] => {
    try {
      return evaluate(expr, timeMs);
    } catch {
      return [];
    }
  };

  const dashboards = (uid: string | null, minutes: number) => {
    const list = opts.dashboards.map((d) => ({ uid: d.uid, title: d.title }));
    const d = opts.dashboards.find((x) => x.uid === uid) ?? opts.dashboards[0];
    const now = Number.isFinite(opts.monitor.windows.lastIngestMs) ? opts.monitor.windows.lastIngestMs : Date.now();
    const step = Math.max(1000, opts.monitor.sampleIntervalMs);
    const count = Math.min(2000, Math.floor((minutes * 60_000) / step));
    const times: number[] = [];
    for (let i = count; i >= 0; i -= 1) times.push(now - i * step);
    if (d === undefined) return { stepMs: step, timestamps: [], dashboards: list, dashboard: null };
    const rows = d.rows.map((r) => ({ title: r.title, panels: [] as PanelData[] }));
    for (const p of panelsOf(d)) {
      const series = new Map<string, (number | null)[]>();
      // Only the latest value is shown for these kinds: one evaluation instead of the whole range.
      const latestOnly = CONSOLE_PANEL_KINDS[p.panel.kind] !== 'chart';
      let error = p.error;
      p.targets.forEach((target) => {
        for (let i = latestOnly ? times.length - 1 : 0; i < times.length; i += 1) {
          let samples: readonly Sample[];
          try {
            samples = evaluate(target.expr, times[i]!);
          } catch (err) {
            // A function or aggregation the evaluator does not implement: said once, in the panel.
            error ??= (err as Error).message;
            return;
          }
          for (const s of samples) {
            const name = legendOf(target.legend, s.labels, targetLabels);
            let values = series.get(name);
            if (values === undefined) series.set(name, (values = new Array<number | null>(times.length).fill(null)));
            values[i] = Number.isFinite(s.value) ? s.value : null;
          }
        }
      });
      rows[d.rows.findIndex((r) => r.title === p.row)]!.panels.push({
        title: p.panel.title,
        kind: p.panel.kind,
        draw: CONSOLE_PANEL_KINDS[p.panel.kind],
        unit: p.panel.unit,
        description: p.panel.description ?? '',
        rareEvent: p.panel.rareEvent ?? '',
        thresholds: p.panel.thresholds ?? [],
        min: p.panel.min ?? null,
        max: p.panel.max ?? null,
        exprs: p.panel.queries.map((q) => q.expr),
        error,
        series: [...series].map(([name, values]) => ({ name, values })),
      });
    }
    // Start at the first step any chart has data for, so a young process fills the width instead of a corner.
    const charted = rows.flatMap((r) => r.panels).filter((p) => p.draw === 'chart');
    let first = times.length - 1;
    for (const p of charted) for (const s of p.series) {
      const i = s.values.findIndex((v) => v !== null);
      if (i !== -1 && i < first) first = i;
    }
    first = Math.max(0, Math.min(first, times.length - 2));
    for (const p of rows.flatMap((r) => r.panels)) for (const s of p.series) s.values = s.values.slice(first);
    return { stepMs: step, timestamps: times.slice(first).map((t) => t / 1000), dashboards: list, dashboard: { uid: d.uid, title: d.title, rows } };
  };

  const state = async () => {
    const now = opts.monitor.windows.lastIngestMs;
    const sloValues = (record: string) => new Map(instant(parsePromql(record), now).map((s) => [s.labels.slo ?? '', s.value]));
    const burn = sloValues('tillwatch:slo_burn_rate:ratio');
    const budget = sloValues('tillwatch:slo_error_budget_remaining:ratio');
    const objective = sloValues('tillwatch:slo_objective:ratio');
    const errors1h = sloValues('tillwatch:slo_errors:ratio_rate1h');
    const section = async <T>(f: (() => Promise<T>) | undefined): Promise<T | { error: string } | undefined> => {
      if (f === undefined) return undefined;
      try {
        return await f();
      } catch (err) {
        return { error: (err as Error).message };
      }
    };
    return {
      service: opts.service,
      evaluatedAt: Number.isFinite(now) ? new Date(now).toISOString() : null,
      alerts: opts.monitor.engine.alerts().map((a) => ({
        name: a.name,
        state: a.state,
        severity: a.labels.severity ?? '',
        labels: a.labels,
        summary: a.annotations.summary ?? '',
        activeSince: new Date(a.activeAtMs).toISOString(),
        value: a.value,
      })),
      slos: [...objective.keys()].sort().map((slo) => ({
        slo,
        objective: objective.get(slo),
        errorRatio1h: errors1h.get(slo) ?? null,
        burnRate1h: burn.get(slo) ?? null,
        budgetRemaining: budget.get(slo) ?? null,
      })),
      health: await section(opts.health),
      deadLetters: await section(opts.deadLetters),
      monitor: opts.monitor.status(),
    };
  };

  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://console.local');
    const path = url.pathname;
    if (path !== base && !path.startsWith(`${base}/`)) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, 'application/json', '{"error":"method not allowed"}');
      return true;
    }
    const sub = path.slice(base.length) || '/';
    if (sub === '/') {
      if (!path.endsWith('/')) {
        res.statusCode = 308;
        res.setHeader('location', `${base}/`);
        res.end();
        return true;
      }
      send(res, 200, 'text/html; charset=utf-8', consolePage(opts.service));
      return true;
    }
    if (sub === '/uplot.js' || sub === '/uplot.css') {
      try {
        const a = loadUplot();
        send(res, 200, sub.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8', sub.endsWith('.js') ? a.js : a.css);
      } catch {
        send(res, 500, 'application/json', '{"error":"the console needs the optional peer dependency uplot: npm install uplot"}');
      }
      return true;
    }
    if (sub === '/api/dashboards') {
      const minutes = Math.min(maxMinutes, Math.max(1, Number(url.searchParams.get('minutes') ?? 15) || 15));
      sendJson(res, dashboards(url.searchParams.get('uid'), minutes));
      return true;
    }
    if (sub === '/api/state') {
      state().then(
        (body) => sendJson(res, body),
        (err: unknown) => send(res, 500, 'application/json', JSON.stringify({ error: redact((err as Error).message) })),
      );
      return true;
    }
    send(res, 404, 'application/json', '{"error":"not found"}');
    return true;
  };
}

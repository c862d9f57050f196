/**
 * The live console: a page on the management endpoints that draws the spec's dashboards from the in-process
 * windows with uPlot (an optional peer, served from the service's own node_modules: the page loads nothing from
 * elsewhere), with the current alerts, SLO budgets and burn rates, dependency health and the dead-letter queues.
 *
 * | path | answer |
 * | --- | --- |
 * | `<base>/` | the page |
 * | `<base>/api/dashboards?minutes=15` | every panel's series over the range, one shared time axis |
 * | `<base>/api/state` | alerts, SLOs, health, dead letters, the monitor's own status |
 * | `<base>/uplot.js`, `<base>/uplot.css` | uPlot |
 *
 * Everything in the JSON passes the service's redactor. A section callback that fails shows its error message
 * (redacted) in its place; the handler never throws into the server.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { DashboardSpec } from '@tillwatch/spec';
import { evaluatePromql, type Sample } from '../promql/evaluate-promql.ts';
import { parsePromql, type Expr } from '../promql/parse-promql.ts';
import type { WindowsMonitor } from '../windows-monitor.ts';
import { consolePage } from './console-page.ts';

export interface ConsoleOptions {
  readonly monitor: WindowsMonitor;
  readonly dashboards: readonly DashboardSpec[];
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

interface CompiledPanel {
  readonly dashboard: DashboardSpec;
  readonly panel: DashboardSpec['panels'][number];
  readonly targets: readonly { readonly expr: Expr; readonly legend?: string }[];
  readonly error?: string;
}

function legendOf(template: string | undefined, labels: Readonly<Record<string, string>>): string {
  if (template === undefined) {
    const parts = Object.entries(labels).filter(([k]) => k !== '__name__').map(([k, v]) => `${k}="${v}"`);
    return parts.length === 0 ? 'value' : `{${parts.join(', ')}}`;
  }
  return template.replace(/\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g, (_, k: string) => labels[k] ?? '');
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
  const panels: CompiledPanel[] = opts.dashboards.flatMap((dashboard) =>
    dashboard.panels.map((panel) => {
      try {
        return { dashboard, panel, targets: panel.targets.map((t) => ({ expr: parsePromql(t.expr), ...(t.legend === undefined ? {} : { legend: t.legend }) })) };
      } catch (err) {
        return { dashboard, panel, targets: [], error: (err as Error).message };
      }
    }),
  );

  const send = (res: ServerResponse, status: number, type: string, body: string): void => {
    res.statusCode = status;
    res.setHeader('content-type', type);
    res.setHeader('cache-control', 'no-store');
    res.setHeader('x-content-type-options', 'nosniff');
    res.end(body);
  };
  const sendJson = (res: ServerResponse, body: unknown): void => send(res, 200, 'application/json; charset=utf-8', JSON.stringify(deepRedact(body, redact)));

  const instant = (expr: Expr, timeMs: number): readonly Sample[] => {
    try {
      const v = evaluatePromql(expr, { windows: opts.monitor.windows, timeMs });
      return v.kind === 'vector' ? v.samples : v.kind === 'scalar' ? [{ labels: {}, value: v.value }] : [];
    } catch {
      return [];
    }
  };

  const dashboards = (minutes: number) => {
    const now = Number.isFinite(opts.monitor.windows.lastIngestMs) ? opts.monitor.windows.lastIngestMs : Date.now();
    const step = Math.max(1000, opts.monitor.sampleIntervalMs);
    const count = Math.min(2000, Math.floor((minutes * 60_000) / step));
    const times: number[] = [];
    for (let i = count; i >= 0; i -= 1) times.push(now - i * step);
    const out = opts.dashboards.map((d) => ({ uid: d.uid, title: d.title, panels: [] as unknown[] }));
    for (const p of panels) {
      const series = new Map<string, (number | null)[]>();
      p.targets.forEach((target) => {
        times.forEach((t, i) => {
          for (const s of instant(target.expr, t)) {
            const name = legendOf(target.legend, s.labels);
            let values = series.get(name);
            if (values === undefined) series.set(name, (values = new Array<number | null>(times.length).fill(null)));
            values[i] = Number.isFinite(s.value) ? s.value : null;
          }
        });
      });
      out[opts.dashboards.indexOf(p.dashboard)]!.panels.push({
        title: p.panel.title,
        kind: p.panel.kind ?? 'timeseries',
        unit: p.panel.unit,
        description: p.panel.description ?? '',
        exprs: p.panel.targets.map((t) => t.expr),
        error: p.error,
        series: [...series].map(([name, values]) => ({ name, values })),
      });
    }
    // Start at the first step any panel has data for, so a young process fills the width instead of a corner.
    let first = times.length - 1;
    for (const d of out) for (const p of d.panels as { series: { values: (number | null)[] }[] }[]) for (const s of p.series) {
      const i = s.values.findIndex((v) => v !== null);
      if (i !== -1 && i < first) first = i;
    }
    first = Math.max(0, Math.min(first, times.length - 2));
    for (const d of out) for (const p of d.panels as { series: { values: (number | null)[] }[] }[]) for (const s of p.series) s.values = s.values.slice(first);
    return { stepMs: step, timestamps: times.slice(first).map((t) => t / 1000), dashboards: out };
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
      sendJson(res, dashboards(minutes));
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

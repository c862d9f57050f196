/**
 * `tillwatch check` for the generated Grafana dashboards: each file must be a dashboard the Grafana Foundation
 * SDK can build (its panel types are SDK panel kinds, its rows and grid fit Grafana's 24 columns, every
 * target is a Prometheus query on the provisioned datasource), and every query must parse: they are written to
 * a temporary rules file (one recording rule per query, `$__rate_interval` as 5m) for `promtool check rules`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultDashboard, type Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { withRateWindow } from '@tillwatch/spec';
import { stringify } from 'yaml';

/** Panel types the generator renders through the SDK (each an SDK module with a PanelBuilder). */
const SDK_PANEL_TYPES = new Set(['row', 'timeseries', 'stat', 'gauge', 'piechart', 'bargauge']);

interface JsonPanel {
  type?: string;
  title?: string;
  gridPos?: { x: number; y: number; w: number; h: number };
  targets?: { expr?: string; refId?: string; datasource?: { type?: string } }[];
  datasource?: { type?: string };
}

/** Problems of one dashboard document (empty when it is a valid dashboard). */
export function dashboardProblems(doc: unknown, file: string): string[] {
  const problems: string[] = [];
  if (typeof doc !== 'object' || doc === null) return [`${file}: not a JSON object`];
  const d = doc as Partial<Dashboard> & { panels?: JsonPanel[] };
  // Every field the SDK's Dashboard type requires (its defaults name them) must be there.
  for (const k of Object.keys(defaultDashboard())) if (!(k in d)) problems.push(`${file}: missing dashboard field "${k}"`);
  if (typeof d.uid !== 'string' || d.uid === '') problems.push(`${file}: no uid`);
  if (!Array.isArray(d.panels) || d.panels.length === 0) return [...problems, `${file}: no panels`];
  const titles = new Set<string>();
  for (const p of d.panels) {
    const at = `${file}: panel "${p.title ?? '?'}"`;
    if (!SDK_PANEL_TYPES.has(p.type ?? '')) problems.push(`${at}: type ${JSON.stringify(p.type)} is not a panel kind the SDK renders`);
    const g = p.gridPos;
    if (g === undefined || g.x < 0 || g.w <= 0 || g.x + g.w > 24 || g.h <= 0) problems.push(`${at}: gridPos ${JSON.stringify(g)} does not fit 24 columns`);
    if (p.type === 'row') continue;
    if (titles.has(p.title ?? '')) problems.push(`${at}: title used twice`);
    titles.add(p.title ?? '');
    if (p.datasource?.type !== 'prometheus') problems.push(`${at}: datasource is not the Prometheus datasource`);
    if (!Array.isArray(p.targets) || p.targets.length === 0) problems.push(`${at}: no query`);
    for (const t of p.targets ?? []) if (typeof t.expr !== 'string' || t.expr.trim() === '') problems.push(`${at}: target ${t.refId ?? '?'} has no expr`);
  }
  return problems;
}

/** Every query of every dashboard file in `dir`, as [file, panel title, expr]. */
export function dashboardQueries(dir: string): [string, string, string][] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .flatMap((f) => {
      const d = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { panels?: JsonPanel[] };
      return (d.panels ?? []).flatMap((p) => (p.targets ?? []).map((t): [string, string, string] => [f, p.title ?? '', t.expr ?? '']));
    });
}

export interface DashboardCheck {
  readonly ok: boolean;
  readonly output: string;
}

/** Checks `<bundle>/grafana/dashboards`; undefined when the bundle has none. */
export function checkDashboards(bundleDir: string, promtool: string): DashboardCheck | undefined {
  const dir = join(bundleDir, 'grafana', 'dashboards');
  if (!existsSync(dir)) return undefined;
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  const problems: string[] = [];
  for (const f of files) {
    try {
      problems.push(...dashboardProblems(JSON.parse(readFileSync(join(dir, f), 'utf8')), f));
    } catch (err) {
      problems.push(`${f}: ${(err as Error).message}`);
    }
  }
  if (problems.length > 0) return { ok: false, output: problems.join('\n') };
  const queries = dashboardQueries(dir);
  const tmp = mkdtempSync(join(tmpdir(), 'tillwatch-panels-'));
  try {
    const rules = join(tmp, 'panels.yml');
    writeFileSync(rules, stringify({ groups: [{ name: 'panel-queries', rules: queries.map(([, , expr], i) => ({ record: `tillwatch:panel_query_${i}`, expr: withRateWindow(expr, '5m') })) }] }));
    const r = spawnSync(promtool, ['check', 'rules', rules], { encoding: 'utf8', timeout: 120_000 });
    if (r.status !== 0) {
      const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
      // Name the panel of every query promtool refused (rule N is query N).
      const named = out.replace(/rule (\d+)/g, (m, n: string) => {
        const q = queries[Number(n) - 1];
        return q ? `${m} (${q[0]}: "${q[1]}")` : m;
      });
      return { ok: false, output: `promtool refused a panel query:\n${named}` };
    }
    return { ok: true, output: `${files.length} dashboards, ${queries.length} queries parse` };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

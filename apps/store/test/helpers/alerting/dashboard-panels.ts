/**
 * The store's generated dashboards against a Prometheus-compatible query API: each panel's queries, read from
 * the generated Grafana JSON, are run with `$__rate_interval` replaced by a rate window, and the panels without
 * data in any query are listed, split into those whose spec says they show rare events (`rareEvent`) and the rest.
 */
import { join } from 'node:path';
import { dashboardPanels, storeDashboards, withRateWindow } from '@tillwatch/spec';
import store from '../../../../../deploy/tillwatch.config.ts';
import { dashboardQueries } from '../../../../../packages/cli/src/check/check-dashboards.ts';

export interface PanelData {
  /** `<file>: <title>` -> its queries. */
  readonly panels: ReadonlyMap<string, readonly string[]>;
  readonly withData: number;
  /** Empty panels about rare events, with the reason their spec gives. */
  readonly emptyRare: readonly string[];
  /** Empty panels that should have shown data. */
  readonly missing: readonly string[];
}

/** Runs every panel's queries of `<bundleDir>/grafana/dashboards` through `run`. */
export async function dashboardPanelData(bundleDir: string, rateWindow: string, run: (expr: string) => Promise<[Record<string, string>, number][]>): Promise<PanelData> {
  // The specs say which panels may be empty; the generated JSON is what Grafana shows (and the live console draws).
  const specs = storeDashboards({ service: store.service, slos: store.slos, ownCatalogue: store.catalogue });
  const rare = new Map<string, string>(specs.flatMap((d) => dashboardPanels(d).filter((p) => p.rareEvent !== undefined).map((p) => [`${d.uid}.json: ${p.title}`, p.rareEvent ?? ''] as const)));
  const panels = new Map<string, string[]>();
  for (const [file, title, expr] of dashboardQueries(join(bundleDir, 'grafana', 'dashboards'))) panels.set(`${file}: ${title}`, [...(panels.get(`${file}: ${title}`) ?? []), expr]);
  const empty: string[] = [];
  let withData = 0;
  for (const [panel, exprs] of panels) {
    let has = false;
    for (const expr of exprs) if ((await run(withRateWindow(expr, rateWindow))).some(([, v]) => Number.isFinite(v))) has = true;
    if (has) withData++;
    else empty.push(panel);
  }
  return { panels, withData, emptyRare: empty.filter((p) => rare.has(p)).map((p) => `${p} -- ${rare.get(p)}`), missing: empty.filter((p) => !rare.has(p)) };
}

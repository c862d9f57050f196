/** Checks dashboards: unique uids and titles, known kinds and units, and every metric a query reads is in the catalogue. */
import { unknownSeries } from '../alerts/catalogue-series.ts';
import type { Catalogue } from '../catalogue.ts';
import { SLO_RECORD } from '../conventions.ts';
import { SLI_WINDOWS } from '../slo/burn-windows.ts';
import type { AlertSpecProblem } from '../alerts/spec-problem.ts';
import { PANEL_KINDS, PANEL_UNITS, withRateWindow, type DashboardSpec } from './panel-spec.ts';

const UID = /^[a-z0-9][a-z0-9-]{0,39}$/;
/** Series a panel may read that are not catalogue metrics: the SLO recordings and Prometheus' own. */
const RECORDED: ReadonlySet<string> = new Set([
  SLO_RECORD.objective,
  SLO_RECORD.errorBudget,
  SLO_RECORD.budgetRemaining,
  SLO_RECORD.burnRate,
  ...SLI_WINDOWS.flatMap((w) => [SLO_RECORD.errorRatio(w), SLO_RECORD.eventRate(w)]),
]);

export function validateDashboards(dashboards: readonly DashboardSpec[], cat: Catalogue): AlertSpecProblem[] {
  const problems: AlertSpecProblem[] = [];
  const uids = new Set<string>();
  for (const d of dashboards) {
    const at = `dashboards.${d.uid}`;
    const bad = (path: string, message: string, code: AlertSpecProblem['code'] = 'TW_ERR_ALERTS_INVALID_SPEC') => problems.push({ path, code, message });
    if (!UID.test(d.uid)) bad(at, `uid must match ${UID}, got ${JSON.stringify(d.uid)}`, 'TW_ERR_ALERTS_UNSAFE_NAME');
    if (uids.has(d.uid)) bad(at, `uid ${d.uid} is used twice`);
    uids.add(d.uid);
    const titles = new Set<string>();
    for (const p of d.rows.flatMap((r) => r.panels)) {
      const pat = `${at}.${p.title}`;
      if (titles.has(p.title)) bad(pat, `panel title "${p.title}" is used twice in dashboard ${d.uid}`);
      titles.add(p.title);
      if (!PANEL_KINDS.includes(p.kind)) bad(pat, `kind must be one of ${PANEL_KINDS.join(', ')}, got ${JSON.stringify(p.kind)}`);
      if (!PANEL_UNITS.includes(p.unit)) bad(pat, `unit must be one of ${PANEL_UNITS.join(', ')}, got ${JSON.stringify(p.unit)}`);
      if (p.queries.length === 0) bad(pat, 'a panel needs at least one query');
      for (const q of p.queries) {
        for (const name of unknownSeries(withRateWindow(q.expr, '5m'), RECORDED, cat)) bad(pat, `query reads "${name}", which is not a catalogue metric`, 'TW_ERR_ALERTS_UNKNOWN_METRIC');
      }
    }
  }
  return problems;
}

/**
 * Step: multiwindow, multi-burn-rate alerts (SRE Workbook ch. 5, table 5-8), one rule per window pair so each
 * can be tested and silenced on its own. Event SLIs carry the minimum-traffic guard: the long window must hold
 * at least `minEvents` events.
 */
import { pascalCase, BURN_WINDOWS, DEFAULT_MIN_EVENTS, burnFactor, type BurnWindow, type SloSpec, durationSeconds, BURN_LABEL, LONG_WINDOW_LABEL, SLO_RECORD } from '@tillwatch/spec';
import { groupOf, type Model } from '../model/model.ts';
import { sloSelector } from './slo-selector.ts';

const SEVERITY = { page: 'critical', ticket: 'warning' } as const;

function pct(x: number): string {
  return `${Math.round(x * 100_000) / 1000}%`;
}

function burnAlertName(slo: SloSpec, w: BurnWindow): string {
  return `${pascalCase(slo.name)}ErrorBudgetBurn${w.kind === 'page' ? 'Page' : 'Ticket'}`;
}

export function sloAlerts(model: Model): void {
  const service = model.config.service;
  for (const slo of model.slos) {
    const sel = sloSelector(service, slo.name);
    const budget = Math.round((1 - slo.target) * 1e9) / 1e9;
    const group = groupOf(model, `slo-${slo.name}`, `tillwatch-slo-alerts-${service}-${slo.name}`);
    for (const w of BURN_WINDOWS) {
      const factor = burnFactor(w, slo.period);
      const threshold = `(${factor} * ${budget})`;
      const minEvents = slo.minEvents ?? DEFAULT_MIN_EVENTS;
      const guard =
        slo.sli.kind === 'events' ? `\nand\n${SLO_RECORD.eventRate(w.long)}${sel} * ${durationSeconds(w.long)} >= ${minEvents}` : '';
      const expr = `${SLO_RECORD.errorRatio(w.long)}${sel} > ${threshold}\nand\n${SLO_RECORD.errorRatio(w.short)}${sel} > ${threshold}${guard}`;
      const spent = `${w.budgetPercent}% of the ${slo.period} error budget`;
      const badFixture = Math.min(1, factor * budget * 1.2);
      const quietFixture = factor * budget * 0.9;
      const fixture = (ratio: number) =>
        slo.sli.kind === 'events' ? slo.sli.fixture(600 * ratio, 600 * (1 - ratio)) : slo.sli.fixture(ratio >= factor * budget);
      group.alerts.push({
        name: burnAlertName(slo, w),
        severity: SEVERITY[w.kind],
        for: w.for,
        expr,
        labels: { severity: SEVERITY[w.kind], team: slo.team, [BURN_LABEL]: w.kind, [LONG_WINDOW_LABEL]: w.long },
        summary: `${service} ${slo.name} SLO: error budget burning ${factor}x too fast (${w.long} and ${w.short} windows)`,
        description: `SLO "${slo.title}" (target ${pct(slo.target)} over ${slo.period}). At this rate ${spent} is spent within ${w.long}. Error ratio over ${w.long}: {{ $value | humanizePercentage }}.${slo.sli.kind === 'events' ? ` Needs at least ${minEvents} events in ${w.long}, so a quiet store does not alert on one failure.` : ''}`,
        runbook: slo.runbook,
        file: `slo-${slo.name}`,
        group: group.name,
        test:
          slo.sli.kind === 'events'
            ? { firing: fixture(badFixture), quiet: fixture(quietFixture), trueAfterMinutes: 1 }
            : { firing: slo.sli.fixture(true), quiet: slo.sli.fixture(false), trueAfterMinutes: 0 },
        selector: { [LONG_WINDOW_LABEL]: w.long },
        waitsFor: [],
        origin: 'slo',
        slo: slo.name,
      });
    }
  }
}

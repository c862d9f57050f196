/** SLOs and error budgets: one row per SLO, read from the recording rules the generator writes for it. */
import { SLO_RECORD } from '../../conventions.ts';
import type { SloSpec } from '../../slo/slo-spec.ts';
import { defineDashboard, type DashboardSpec } from '../panel-spec.ts';
import type { DashboardContext } from './context.ts';

export function sloDashboard(ctx: DashboardContext, slos: readonly SloSpec[]): DashboardSpec {
  return defineDashboard({
    uid: `${ctx.service}-slos`,
    title: `${ctx.service} / SLOs and error budgets`,
    tags: ['tillwatch', 'slo'],
    rows: slos.map((slo) => {
      const sel = `{service="${ctx.service}",slo="${slo.name}"}`;
      const budget = 1 - slo.target;
      return {
        title: `${slo.name}: ${slo.title}`,
        panels: [
          {
            title: `${slo.name}: error budget remaining`,
            kind: 'gauge',
            unit: 'percentunit',
            description: `Share of the ${slo.period} error budget (${(budget * 100).toFixed(3)}% of events) not yet spent.`,
            queries: [{ expr: `${SLO_RECORD.budgetRemaining}${sel}` }],
            thresholds: [{ color: 'red' }, { value: 0.25, color: 'yellow' }, { value: 0.5, color: 'green' }],
            max: 1,
          },
          {
            title: `${slo.name}: error ratio`,
            kind: 'timeseries',
            unit: 'percentunit',
            description: `Bad share of events (or of minutes) against the objective's budget ${(budget * 100).toFixed(3)}%.`,
            queries: [
              { expr: `${SLO_RECORD.errorRatio('5m')}${sel}`, legend: '5m' },
              { expr: `${SLO_RECORD.errorRatio('1h')}${sel}`, legend: '1h' },
              { expr: `${SLO_RECORD.errorBudget}${sel}`, legend: 'budget' },
            ],
          },
          {
            title: `${slo.name}: burn rate`,
            kind: 'timeseries',
            unit: 'short',
            description: 'How many times faster than "exactly on budget" the budget is spent (1 = on budget; the fastest page fires at 14.4).',
            queries: [{ expr: `${SLO_RECORD.burnRate}${sel}`, legend: 'burn rate' }],
            thresholds: [{ color: 'green' }, { value: 1, color: 'yellow' }, { value: 14.4, color: 'red' }],
          },
        ],
      };
    }),
  });
}

/**
 * Step: SLI recording rules for every SLO over every window (5m ... 3d), event rates over the long windows
 * (for the minimum-traffic guard), and the SLO's meta rules: objective, error budget, burn rate and the error
 * budget remaining over the period.
 */
import { type Duration, BURN_WINDOWS, SLI_WINDOWS, WINDOW_PLACEHOLDER, type SloSpec, CURRENT_BURN_WINDOW, GROUP_PREFIX, SLO_LABELS, SLO_RECORD } from '@tillwatch/spec';
import { groupOf, type Model } from '../model/model.ts';
import { sloSelector } from './slo-selector.ts';

/**
 * Error ratio of an SLI over a window. Event SLIs divide rates; time SLIs average a 0/1 signal sampled each minute.
 * A window without events has no ratio (the division by `total > 0` leaves no sample) rather than 0/0 = NaN: one
 * NaN in the period would make the budget's `avg_over_time` NaN for the whole period (30 days after a quiet
 * night, or a fresh Prometheus scraping before the first payment).
 */
function errorRatioExpr(slo: SloSpec, window: Duration): string {
  const sli = slo.sli;
  const fill = (s: string) => s.replaceAll(WINDOW_PLACEHOLDER, window);
  if (sli.kind === 'events') return `${fill(sli.bad)}\n/\n(${fill(sli.total)} > 0)`;
  return `avg_over_time(${sli.badInstant}[${window}:1m])`;
}

export function sloRecordings(model: Model): void {
  const service = model.config.service;
  for (const slo of model.slos) {
    const labels = { [SLO_LABELS.service]: service, [SLO_LABELS.slo]: slo.name };
    const sel = sloSelector(service, slo.name);
    const file = `slo-${slo.name}`;
    const sli = groupOf(model, file, `${GROUP_PREFIX}-slo-sli-${service}-${slo.name}`);
    for (const w of SLI_WINDOWS) sli.recordings.push({ record: SLO_RECORD.errorRatio(w), expr: errorRatioExpr(slo, w), labels });
    if (slo.sli.kind === 'events') {
      const longs = [...new Set(BURN_WINDOWS.map((b) => b.long))];
      for (const w of longs) sli.recordings.push({ record: SLO_RECORD.eventRate(w), expr: slo.sli.total.replaceAll(WINDOW_PLACEHOLDER, w), labels });
    }
    const meta = groupOf(model, file, `${GROUP_PREFIX}-slo-meta-${service}-${slo.name}`);
    const budget = Math.round((1 - slo.target) * 1e9) / 1e9;
    meta.recordings.push(
      { record: SLO_RECORD.objective, expr: `vector(${slo.target})`, labels },
      { record: SLO_RECORD.errorBudget, expr: `vector(${budget})`, labels },
      { record: SLO_RECORD.burnRate, expr: `${SLO_RECORD.errorRatio(CURRENT_BURN_WINDOW)}${sel} / ${budget}`, labels },
      {
        // The period's error ratio is the mean of the 5m ratios over the period (sloth does the same); until
        // Prometheus holds a whole period it is the mean over what it has.
        record: SLO_RECORD.budgetRemaining,
        expr: `1 - (avg_over_time(${SLO_RECORD.errorRatio('5m')}${sel}[${slo.period}]) / ${budget})`,
        labels,
      },
    );
  }
}

/**
 * Checks SLO specs: safe names, target and period, latency thresholds on bucket boundaries, and that every
 * metric the SLI reads exists in the catalogue.
 */
import type { Catalogue } from '../catalogue.ts';
import { unknownSeries } from '../alerts/catalogue-series.ts';
import { SAFE_NAME, shown } from '../alerts/names.ts';
import type { AlertSpecProblem } from '../alerts/spec-problem.ts';
import { BURN_WINDOWS, burnFactor, SLO_PERIODS } from './burn-windows.ts';
import { WINDOW_PLACEHOLDER, type SloSpec } from './slo-spec.ts';

const SLO_KEYS = new Set(['name', 'kind', 'title', 'target', 'period', 'team', 'runbook', 'sli', 'minEvents', 'latency']);

function sliExpressions(slo: SloSpec): string[] {
  const sli = slo.sli;
  if (sli === undefined || sli === null) return [];
  return sli.kind === 'events' ? [sli.bad, sli.total] : [sli.badInstant];
}

/**
 * Every problem with a list of SLOs; empty when they are fine.
 * @param slos the SLOs of one service.
 * @param path where they sit in the config, for messages.
 * @param cat the catalogue the SLIs may read: default the built-in one.
 */
export function validateSlos(slos: readonly SloSpec[], path = 'slos', cat?: Catalogue): AlertSpecProblem[] {
  const problems: AlertSpecProblem[] = [];
  if (!Array.isArray(slos)) return [{ path, code: 'TW_ERR_ALERTS_INVALID_SPEC', message: `slos must be an array, got ${shown(slos)}` }];
  const seen = new Set<string>();
  slos.forEach((slo, i) => {
    const at = `${path}[${i}]`;
    const bad = (code: AlertSpecProblem['code'], message: string, sub = '') => problems.push({ path: at + sub, code, message });
    if (typeof slo !== 'object' || slo === null) return bad('TW_ERR_ALERTS_INVALID_SPEC', `an SLO must be an object, got ${shown(slo)}`);
    for (const k of Object.keys(slo)) if (!SLO_KEYS.has(k)) bad('TW_ERR_ALERTS_UNKNOWN_KEY', `unknown key "${k}" (known: ${[...SLO_KEYS].join(', ')})`);
    if (typeof slo.name !== 'string' || !SAFE_NAME.test(slo.name)) {
      bad('TW_ERR_ALERTS_UNSAFE_NAME', `name must be lower-case letters, digits, - or _ (${SAFE_NAME}), got ${shown(slo.name)}`, '.name');
    } else if (seen.has(slo.name)) bad('TW_ERR_ALERTS_INVALID_SPEC', `SLO name "${slo.name}" is used twice`, '.name');
    else seen.add(slo.name);
    if (typeof slo.team !== 'string' || !SAFE_NAME.test(slo.team)) bad('TW_ERR_ALERTS_UNSAFE_NAME', `team must match ${SAFE_NAME}, got ${shown(slo.team)}`, '.team');
    if (typeof slo.title !== 'string' || slo.title.trim() === '' || /[\r\n]/.test(slo.title) || slo.title.includes('{{')) {
      bad('TW_ERR_ALERTS_UNSAFE_NAME', `title must be one line without template braces, got ${shown(slo.title)}`, '.title');
    }
    if (typeof slo.target !== 'number' || !(slo.target > 0 && slo.target < 1)) bad('TW_ERR_ALERTS_INVALID_SPEC', `target must be a ratio strictly between 0 and 1 (0.999 for 99.9%), got ${shown(slo.target)}`, '.target');
    if (!SLO_PERIODS.includes(slo.period)) bad('TW_ERR_ALERTS_INVALID_SPEC', `period must be one of ${SLO_PERIODS.join(', ')}, got ${shown(slo.period)}`, '.period');
    if (typeof slo.target === 'number' && slo.target > 0 && slo.target < 1 && SLO_PERIODS.includes(slo.period)) {
      // A burn-rate alert fires when the error ratio reaches factor x (1 - target); at or above 100% it never can.
      const fastest = Math.max(...BURN_WINDOWS.map((w) => burnFactor(w, slo.period)));
      if (fastest * (1 - slo.target) >= 1) {
        bad(
          'TW_ERR_ALERTS_INVALID_SPEC',
          `target ${slo.target} is too low for burn-rate alerts: the fastest page (a ${fastest}x burn) would need more than 100% of events to be bad, so it could never fire; use a target of at least ${Math.ceil((1 - 1 / fastest) * 1000) / 1000}`,
          '.target',
        );
      }
    }
    if (slo.minEvents !== undefined && !(Number.isInteger(slo.minEvents) && slo.minEvents >= 1)) bad('TW_ERR_ALERTS_INVALID_SPEC', `minEvents must be an integer of at least 1, got ${shown(slo.minEvents)}`, '.minEvents');
    if (typeof slo.runbook !== 'string' || slo.runbook.trim() === '') bad('TW_ERR_ALERTS_INVALID_SPEC', 'runbook must be non-empty markdown', '.runbook');
    if (slo.latency !== undefined) {
      const { metric, thresholdSeconds } = slo.latency;
      const buckets = metric?.buckets ?? [];
      if (metric?.type !== 'histogram') bad('TW_ERR_ALERTS_INVALID_SPEC', `latency.metric must be a histogram handle, got ${shown(metric?.name)}`, '.latency.metric');
      else if (!buckets.includes(thresholdSeconds)) {
        bad(
          'TW_ERR_ALERTS_NOT_A_BUCKET',
          `latency threshold ${shown(thresholdSeconds)} s is not a bucket boundary of ${metric.name} (boundaries: ${buckets.join(', ')}); the SLI would be an estimate. Pick a boundary or add it to the histogram's buckets`,
          '.latency.thresholdSeconds',
        );
      }
    }
    const sli = slo.sli;
    if (sli === undefined || (sli.kind !== 'events' && sli.kind !== 'time')) return bad('TW_ERR_ALERTS_INVALID_SPEC', 'sli must be an events or time SLI (use availabilitySlo(), latencySlo(), eventRatioSlo() ...)', '.sli');
    if (typeof sli.fixture !== 'function') bad('TW_ERR_ALERTS_INVALID_SPEC', 'sli.fixture must build test series (every alert has a promtool test)', '.sli.fixture');
    for (const expr of sliExpressions(slo)) {
      if (typeof expr !== 'string' || expr.trim() === '') {
        bad('TW_ERR_ALERTS_INVALID_SPEC', 'SLI expressions must be non-empty PromQL', '.sli');
        continue;
      }
      if (sli.kind === 'events' && !expr.includes(WINDOW_PLACEHOLDER)) bad('TW_ERR_ALERTS_INVALID_SPEC', `SLI expression must use the ${WINDOW_PLACEHOLDER} placeholder for its range: ${expr}`, '.sli');
      for (const name of unknownSeries(expr.replaceAll(WINDOW_PLACEHOLDER, '5m'), undefined, cat)) {
        bad('TW_ERR_ALERTS_UNKNOWN_METRIC', `SLI reads "${name}", which is not a catalogue metric (see docs/metrics.md)`, '.sli');
      }
    }
  });
  return problems;
}

/** Checks alert specs: names, severities, durations, templates, and that every metric they read exists. */
import { SLO_KINDS } from '../slo/slo-spec.ts';
import { ALERT_SEVERITIES, type AlertSpec } from './alert-spec.ts';
import type { Catalogue } from '../catalogue.ts';
import { unknownSeries } from './catalogue-series.ts';
import { isDuration } from './duration.ts';
import { ALERT_NAME, LABEL_NAME, SAFE_NAME, shown } from './names.ts';
import type { AlertSpecProblem } from './spec-problem.ts';

/** Labels the generator sets itself; an alert may not set them. */
const RESERVED_ALERT_LABELS: readonly string[] = ['alertname', 'severity', 'team', 'service', 'slo', 'burn'];

const ALERT_KEYS = new Set(['name', 'severity', 'for', 'expr', 'summary', 'description', 'runbook', 'team', 'group', 'labels', 'objective', 'test']);

export interface ValidateAlertsOptions {
  /** Recording-rule names the expressions may read besides catalogue metrics. */
  readonly recorded?: ReadonlySet<string>;
  /** The catalogue the expressions may read: default the built-in one; the generator passes its union with the service's own. */
  readonly catalogue?: Catalogue;
}

/**
 * Every problem with a list of alerts; empty when they are fine.
 * @param alerts the alerts.
 * @param path where they sit in the config, for messages (e.g. `alerts.extra`).
 */
export function validateAlerts(alerts: readonly AlertSpec[], path = 'alerts', options: ValidateAlertsOptions = {}): AlertSpecProblem[] {
  const problems: AlertSpecProblem[] = [];
  const seen = new Set<string>();
  alerts.forEach((a, i) => {
    const at = `${path}[${i}]${typeof a?.name === 'string' && ALERT_NAME.test(a.name) ? ` (${a.name})` : ''}`;
    const bad = (code: AlertSpecProblem['code'], message: string) => problems.push({ path: at, code, message });
    if (typeof a !== 'object' || a === null) return bad('TW_ERR_ALERTS_INVALID_SPEC', `an alert must be an object, got ${shown(a)}`);
    for (const k of Object.keys(a)) if (!ALERT_KEYS.has(k)) bad('TW_ERR_ALERTS_UNKNOWN_KEY', `unknown key "${k}" (known: ${[...ALERT_KEYS].join(', ')})`);
    if (typeof a.name !== 'string' || !ALERT_NAME.test(a.name)) bad('TW_ERR_ALERTS_UNSAFE_NAME', `name must be PascalCase letters and digits (${ALERT_NAME}), got ${shown(a.name)}`);
    else if (seen.has(a.name)) bad('TW_ERR_ALERTS_INVALID_SPEC', `alert name ${a.name} is used twice`);
    else seen.add(a.name);
    if (!ALERT_SEVERITIES.includes(a.severity)) bad('TW_ERR_ALERTS_INVALID_SPEC', `severity must be one of ${ALERT_SEVERITIES.join(', ')}, got ${shown(a.severity)}`);
    if (!isDuration(a.for)) bad('TW_ERR_ALERTS_INVALID_SPEC', `for must be a duration such as 5m, got ${shown(a.for)}`);
    for (const key of ['team', 'group'] as const) {
      if (typeof a[key] !== 'string' || !SAFE_NAME.test(a[key])) bad('TW_ERR_ALERTS_UNSAFE_NAME', `${key} must match ${SAFE_NAME}, got ${shown(a[key])}`);
    }
    if (a.objective !== undefined && !(SLO_KINDS as readonly string[]).includes(a.objective)) bad('TW_ERR_ALERTS_INVALID_SPEC', `objective must be an SLO kind (${SLO_KINDS.join(', ')}), got ${shown(a.objective)}`);
    if (typeof a.expr !== 'string' || a.expr.trim() === '') bad('TW_ERR_ALERTS_INVALID_SPEC', 'expr must be a non-empty PromQL string');
    else {
      for (const name of unknownSeries(a.expr, options.recorded, options.catalogue)) {
        bad('TW_ERR_ALERTS_UNKNOWN_METRIC', `expr reads "${name}", which is not a catalogue metric (see docs/metrics.md); declare it in your catalogue or fix the name`);
      }
    }
    if (typeof a.summary !== 'string' || a.summary.trim() === '' || /[\r\n]/.test(a.summary)) bad('TW_ERR_ALERTS_INVALID_SPEC', `summary must be one non-empty line, got ${shown(a.summary)}`);
    for (const key of ['description', 'runbook'] as const) {
      if (typeof a[key] !== 'string' || a[key].trim() === '') bad('TW_ERR_ALERTS_INVALID_SPEC', `${key} must be a non-empty string`);
    }
    for (const [k, v] of Object.entries(a.labels ?? {})) {
      if (!LABEL_NAME.test(k) || k.startsWith('__')) bad('TW_ERR_ALERTS_UNSAFE_NAME', `label name ${shown(k)} is not a valid Prometheus label name`);
      if (RESERVED_ALERT_LABELS.includes(k)) bad('TW_ERR_ALERTS_INVALID_SPEC', `label "${k}" is set by the generator`);
      if (typeof v !== 'string' || /[\r\n{}]/.test(v)) bad('TW_ERR_ALERTS_UNSAFE_NAME', `label ${k} must be one line without braces, got ${shown(v)}`);
    }
    const test = a.test;
    if (typeof test !== 'object' || test === null || !Array.isArray(test.firing) || !Array.isArray(test.quiet) || test.firing.length === 0) {
      bad('TW_ERR_ALERTS_INVALID_SPEC', 'test must give firing (non-empty) and quiet input series: every alert has a promtool test');
    } else {
      for (const s of [...test.firing, ...test.quiet]) {
        for (const name of unknownSeries(s.series, undefined, options.catalogue)) bad('TW_ERR_ALERTS_UNKNOWN_METRIC', `test series reads "${name}", which is not a catalogue metric`);
      }
    }
  });
  return problems;
}

/**
 * Writer: a promtool unit test for every alert
 * (https://prometheus.io/docs/prometheus/latest/configuration/unit_testing_rules/). Each alert gets two tests:
 * on its `firing` series it is not firing just before `for` has passed and is firing just after; on its `quiet`
 * series (just under the threshold) it never fires. Firing is read from the ALERTS series, so the test pins the
 * alert's routing labels (severity, team) without depending on annotation values.
 */
import { durationMinutes } from '@tillwatch/spec';
import type { Model, ModelAlert } from '../model/model.ts';
import { yamlFile } from './yaml-file.ts';

function alertsSelector(a: ModelAlert): string {
  const labels = { alertname: a.name, alertstate: 'firing', severity: a.severity, ...(a.labels.team !== undefined ? { team: a.labels.team } : {}), ...a.selector };
  return `count(ALERTS{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',')}})`;
}

function alertTests(a: ModelAlert): unknown[] {
  const forMin = durationMinutes(a.for);
  const trueAfter = a.test.trueAfterMinutes ?? 1;
  const fireAt = trueAfter + forMin + 1;
  const expr = alertsSelector(a);
  const checks: unknown[] = [];
  if (forMin >= 1) checks.push({ expr, eval_time: `${trueAfter + forMin - 1}m`, exp_samples: [] });
  checks.push({ expr, eval_time: `${fireAt}m`, exp_samples: [{ labels: '{}', value: a.test.firingAlerts ?? 1 }] });
  return [
    { name: `${a.name}${a.selector.long_window ? ` (${a.selector.long_window})` : ''} fires once its condition has held for ${a.for}`, interval: '1m', input_series: a.test.firing, promql_expr_test: checks },
    {
      name: `${a.name}${a.selector.long_window ? ` (${a.selector.long_window})` : ''} stays silent just under its threshold`,
      interval: '1m',
      input_series: a.test.quiet,
      promql_expr_test: [
        { expr, eval_time: `${fireAt}m`, exp_samples: [] },
        { expr, eval_time: `${fireAt + 10}m`, exp_samples: [] },
      ],
    },
  ];
}

export function renderTestsFiles(model: Model): Map<string, string> {
  const byFile = new Map<string, ModelAlert[]>();
  const groupsByFile = new Map<string, string[]>();
  for (const g of model.groups) {
    byFile.set(g.file, [...(byFile.get(g.file) ?? []), ...g.alerts]);
    groupsByFile.set(g.file, [...(groupsByFile.get(g.file) ?? []), g.name]);
  }
  const out = new Map<string, string>();
  for (const [file, alerts] of byFile) {
    if (alerts.length === 0) continue;
    // Without group_eval_order promtool evaluates a file's groups in random (Go map) order at each step, so
    // an alert could read its recording rules one interval late and a "fires at minute N" test would flake.
    // The order here is the file's: recordings before the alerts that read them.
    const doc = { rule_files: [`../rules/${file}.yml`], evaluation_interval: '1m', group_eval_order: groupsByFile.get(file), tests: alerts.flatMap(alertTests) };
    out.set(`prometheus/tests/${file}.yml`, yamlFile(doc, `promtool unit tests for rules/${file}.yml`));
  }
  return out;
}

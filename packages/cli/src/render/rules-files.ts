/** Writer: one Prometheus rules file per rule file name (https://prometheus.io/docs/prometheus/latest/configuration/recording_rules/). */
import type { Model, ModelAlert } from '../model/model.ts';
import { yamlFile } from './yaml-file.ts';
import { alertAnchor } from './alerts-doc.ts';

function annotations(model: Model, a: ModelAlert): Record<string, string> {
  const base = model.config.alerts?.runbookBaseUrl;
  const out: Record<string, string> = { summary: a.summary, description: a.description };
  if (base !== undefined) out.runbook_url = `${base}#${alertAnchor(a.name)}`;
  else out.runbook = `docs/alerts.md#${alertAnchor(a.name)}`;
  return out;
}

/** One group of a Prometheus rules file, as plain data: what the YAML files hold, and what tillwatch/windows evaluates. */
export interface RuleFileGroupData {
  readonly name: string;
  readonly rules: readonly RuleData[];
}

/** A recording rule (`record`) or an alerting rule (`alert`). */
export interface RuleData {
  readonly record?: string;
  readonly alert?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** The rule groups of every rules file, by file name (without .yml), in output order. */
export function ruleFileGroups(model: Model): Map<string, RuleFileGroupData[]> {
  const files = new Map<string, RuleFileGroupData[]>();
  for (const g of model.groups) {
    const rules: RuleData[] = [
      ...g.recordings.map((r) => ({ record: r.record, expr: r.expr, ...(Object.keys(r.labels).length > 0 ? { labels: r.labels } : {}) })),
      ...g.alerts.map((a) => ({
        alert: a.name,
        expr: a.expr,
        ...(a.for === '0s' ? {} : { for: a.for }),
        labels: a.labels,
        annotations: annotations(model, a),
      })),
    ];
    const list = files.get(g.file) ?? [];
    list.push({ name: g.name, rules });
    files.set(g.file, list);
  }
  return files;
}

export function renderRulesFiles(model: Model): Map<string, string> {
  const out = new Map<string, string>();
  for (const [file, groups] of ruleFileGroups(model)) out.set(`prometheus/rules/${file}.yml`, yamlFile({ groups }, `Prometheus rules (${file})`));
  return out;
}

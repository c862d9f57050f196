/**
 * The generator's model: what the pipeline steps fill in and the writers render. Plain data, no YAML.
 */
import type { AlertSeverity, AlertTestSpec, Catalogue, TillwatchDeployConfig, StoreThresholds, SloKind, SloSpec } from '@tillwatch/spec';

export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** An alert ready to render: static labels resolved, with its test and its docs. */
export interface ModelAlert {
  readonly name: string;
  readonly severity: AlertSeverity;
  readonly for: string;
  readonly expr: string;
  /** Static labels, including severity, team and service. */
  readonly labels: Readonly<Record<string, string>>;
  readonly summary: string;
  readonly description: string;
  readonly runbook: string;
  /** Rules file (without .yml) and group it is written to. */
  readonly file: string;
  readonly group: string;
  readonly test: AlertTestSpec;
  /** Extra labels that single this rule out among rules sharing its name (SLO windows). */
  readonly selector: Readonly<Record<string, string>>;
  /** Planned catalogue metrics it reads: it waits for their features. */
  readonly waitsFor: readonly string[];
  /** `pack`, `slo` or `extra`. */
  readonly origin: 'pack' | 'slo' | 'extra';
  /** For SLO alerts, the SLO name. */
  readonly slo?: string;
  /** For threshold alerts, the kind of SLO measuring the same objective (its burn page inhibits this alert). */
  readonly objective?: SloKind;
}

export interface RuleGroup {
  readonly file: string;
  readonly name: string;
  readonly recordings: RecordingRule[];
  readonly alerts: ModelAlert[];
}

export interface Model {
  readonly config: TillwatchDeployConfig;
  /** The built-in catalogue plus the service's own: what rules, SLOs and docs may read. */
  readonly catalogue: Catalogue;
  readonly thresholds: StoreThresholds;
  readonly slos: readonly SloSpec[];
  /** Groups in output order; files hold one or more groups. */
  readonly groups: RuleGroup[];
}

/** The group of that name in that file, created on first use. */
export function groupOf(model: Model, file: string, name: string): RuleGroup {
  let g = model.groups.find((x) => x.name === name && x.file === file);
  if (g === undefined) {
    g = { file, name, recordings: [], alerts: [] };
    model.groups.push(g);
  }
  return g;
}

export function allAlerts(model: Model): ModelAlert[] {
  return model.groups.flatMap((g) => g.alerts);
}

/**
 * `tillwatch/windows`: rolling windows of the service's own metrics, the generated alert and SLO rules evaluated
 * on them in process, notifiers for when no Prometheus is deployed, and persistence in the service's database.
 * Needs the optional peer `@prometheus-io/lezer-promql` (the PromQL grammar). Every public export is listed here.
 */
export { SeriesWindows, DEFAULT_TIERS, labelsKey } from './series-windows.ts';
export type { Labels, RawSample, TierSpec, Point, RangeSummary, WindowsSnapshot, SeriesWindowsOptions } from './series-windows.ts';
export { readRegistrySamples } from './registry-samples.ts';
export type { SampleSource, SeriesFilter } from './registry-samples.ts';
export { parsePromql, parseDurationMs, PromqlParseError } from './promql/parse-promql.ts';
export type { Expr, Matcher } from './promql/parse-promql.ts';
export { evaluatePromql, bucketQuantile, PromqlEvalError } from './promql/evaluate-promql.ts';
export type { Value, Sample, RangeSeries, EvalContext } from './promql/evaluate-promql.ts';
export { RuleEngine } from './rules/rule-engine.ts';
export type { RuleFileGroup, RuleFileRule, ActiveAlert, AlertTransition, AlertState, SkippedRule, RuleCost } from './rules/rule-engine.ts';
export { expandAlertTemplate } from './rules/alert-template.ts';
export { webhookNotifier, slackNotifier, pagerDutyNotifier, emailNotifier, severityRouter } from './notify/notifiers.ts';
export type { AlertNotifier, AlertNotification, AlertEmail } from './notify/notifiers.ts';
export { sqlWindowsPersistence } from './windows-persistence.ts';
export type { SqlClient, WindowsPersistence } from './windows-persistence.ts';
export { WindowsMonitor } from './windows-monitor.ts';
export type { WindowsMonitorOptions, WindowsMonitorStatus, FailureKind } from './windows-monitor.ts';
export { createConsoleHandler, CONSOLE_PANEL_KINDS } from './console/console-handler.ts';
export type { ConsoleOptions, ConsoleHandler } from './console/console-handler.ts';

/** Alerts as code (tillwatch/v1): alert specs, the default store pack, the deploy config and their validation. */
export { defineAlert, ALERT_SEVERITIES } from './alert-spec.ts';
export type { AlertSpec, AlertSeverity, AlertTestSpec } from './alert-spec.ts';
export { isDuration, durationSeconds, durationMinutes } from './duration.ts';
export type { Duration } from './duration.ts';
export { promqlMetricNames, promqlSelectors } from './promql-metric-names.ts';
export type { PromqlMatcher, PromqlSelector } from './promql-metric-names.ts';
export { catalogueSeries, unknownSeries, metricsRead, PROMETHEUS_SERIES } from './catalogue-series.ts';
export { counterSeries, gaugeSeries, histogramSeries, timestampSeries, stalledTimestampSeries, TEST_SERIES_MINUTES } from './test-series.ts';
export type { SeriesFixture, ObservationGroup } from './test-series.ts';
export { DEFAULT_STORE_THRESHOLDS, DURATION_THRESHOLDS } from './store-thresholds.ts';
export type { StoreThresholds } from './store-thresholds.ts';
export { storeAlertPack } from './store-pack.ts';
export type { PackContext } from './store-pack.ts';
export type { TillwatchDeployConfig, SecretRef, PagerDutyReceiver, SlackReceiver, EmailReceiver, InhibitionSpec, StoreHours, TeamReceivers, KubernetesConfig, SecretKeyRef, ComposeConfig } from './deploy-config.ts';
export { validateAlerts } from './validate-alerts.ts';
export { SAFE_NAME, ALERT_NAME, LABEL_NAME, pascalCase, shown } from './names.ts';
export { formatProblems } from './spec-problem.ts';
export type { AlertSpecProblem, AlertsErrorCode } from './spec-problem.ts';

/**
 * @tillwatch/spec: tillwatch's typed spec (tillwatch/v1). Pure data and types, no dependencies: the
 * conventions, the built-in metric catalogue and the API a service uses to declare its own metrics,
 * SLO and alert specs with their builders and validators, the default alert pack, and the error and
 * warning codes with the error base class. The runtime (`tillwatch`), the CLI (`@tillwatch/cli`) and a
 * service's own deploy config all read it. Every public export is listed here by name.
 */
export {
  SPEC_VERSION,
  OTHER_LABEL_VALUE,
  UNKNOWN_LABEL_VALUE,
  OVERFLOW_LABEL_VALUE,
  DEFAULT_SERIES_BUDGET,
  LABEL_NAMES,
  LABEL_VALUES,
  BUCKETS,
  UNMATCHED_ROUTE,
  REDACTION_FAILED_LABEL_VALUE,
  UNTRACED_SERVER,
  DEFAULT_METRICS_PATH,
  DEFAULT_HEALTH_BASE_PATH,
  HEALTH_PROBES,
  managementPaths,
  SLO_RECORD,
  PACK_RECORD,
  SLO_LABELS,
  BURN_LABEL,
  LONG_WINDOW_LABEL,
  CURRENT_BURN_WINDOW,
  GROUP_PREFIX,
} from './conventions.ts';
export type {
  SpecVersion,
  HealthProbe,
  ManagementPaths,
  InvalidObservationReason,
  SpanDropReason,
  Channel,
  OrderFailureReason,
  VoidReason,
  PaymentMethod,
  PaymentOperation,
  PaymentFailureReason,
  PaymentResolution,
  StockReleaseReason,
  AgeVerificationResult,
  AgeVerificationMethod,
  OfflineSyncOutcome,
  PrintOutcome,
  PrintJobType,
  AgentType,
  DisconnectReason,
  ConnectionQuality,
  SyncErrorType,
  DeviceClass,
  DeadLetterReason,
  DeliveryAttemptResult,
  DeliveryOutcome,
  DeliveryFailureReason,
} from './conventions.ts';

export { catalogue, listMetrics, findMetric } from './catalogue.ts';
export type { Catalogue } from './catalogue.ts';
export { defineCatalogue, mergeCatalogues } from './define-catalogue.ts';
export type { CatalogueGroup, DefinedCatalogue } from './define-catalogue.ts';
export { defineMetric, promqlString } from './metric-spec.ts';
export type {
  MetricSpec,
  MetricHandle,
  AnyMetricHandle,
  MetricType,
  MetricUnit,
  MetricStatus,
  MetricOwner,
  LabelSpecs,
  LabelMatcher,
  HistogramSeriesNames,
} from './metric-spec.ts';
export { closedLabel, openLabel, isClosedLabel, labelCardinality } from './label-spec.ts';
export type { LabelSpec, ClosedLabelSpec, OpenLabelSpec } from './label-spec.ts';
export { METRIC_GROUPS } from './metric-group.ts';
export type { MetricGroup, MetricGroupInfo } from './metric-group.ts';
export { SHARED_LABELS, MAX_LOCATIONS } from './shared-labels.ts';
export { worstCaseLabelSets, seriesBudget } from './series-bound.ts';
export { validateCatalogue } from './validate-catalogue.ts';
export type { SpecProblem } from './validate-catalogue.ts';

export * from './alerts/index.ts';
export { RETENTION_CLASSES, DEFAULT_RETENTION_DAYS, RETENTION_CLASS_OF_LINE } from './retention.ts';
export type { RetentionClass } from './retention.ts';
export * from './slo/index.ts';
export * from './dashboards/index.ts';
export * from './synthetic/index.ts';
export * from './budgets/index.ts';

export { errorCodes, warningCodes, deprecationCodes } from './errors/codes.ts';
export type { CodeInfo, ErrorCode, WarningCode } from './errors/codes.ts';
export { TillwatchError, isTillwatchError } from './errors/tillwatch-error.ts';
export { brandGuard } from './errors/brand-guard.ts';
export { TillwatchConfigError, isTillwatchConfigError } from './errors/config-error.ts';
export type { ConfigIssue } from './errors/config-error.ts';

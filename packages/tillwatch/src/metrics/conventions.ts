/**
 * The runtime's view of the names it exports. The names themselves are declared once, in the spec
 * (`src/spec/conventions.ts`, sloth's `pkg/common/conventions` discipline), which rules, dashboards
 * and docs also read; this module only gives the core's own metrics short handles.
 */
import { METRIC_NAMES as SPEC_NAMES, OVERFLOW_LABEL_VALUE } from '@tillwatch/spec';

/** Route label of requests that matched no route: raw paths must never become label values (unbounded cardinality). */
export const UNMATCHED_ROUTE = '__unmatched__';

/** Every label of the one series a metric's new label sets fold into once its series budget is spent. */
export { OVERFLOW_LABEL_VALUE };

/** Label value used when the label redactor itself failed: the raw value is never exported. */
export const REDACTION_FAILED_LABEL_VALUE = '__redaction_failed__';

/** Metric names, before `metrics.prefix` is applied. */
export const METRIC_NAMES = {
  httpRequestsTotal: SPEC_NAMES.http.requests,
  httpRequestDurationSeconds: SPEC_NAMES.http.requestDuration,
  httpRequestsInFlight: SPEC_NAMES.http.requestsInFlight,
  sinkErrorsTotal: SPEC_NAMES.tillwatch.sinkErrors,
  seriesDroppedTotal: SPEC_NAMES.tillwatch.seriesDropped,
  invalidObservationsTotal: SPEC_NAMES.tillwatch.invalidObservations,
  collectErrorsTotal: SPEC_NAMES.tillwatch.collectErrors,
} as const;

/** Label names used by tillwatch's own metrics. */
export const LABEL_NAMES = {
  method: 'method',
  route: 'route',
  statusCode: 'status_code',
  sink: 'sink',
  metric: 'metric',
  reason: 'reason',
} as const;

/**
 * Why an observation was ignored; the `reason` label of `tillwatch_metrics_invalid_observations_total`.
 * - `label_names`: a label the metric was not declared with.
 * - `label_value`: a label value that is not a string, number, boolean or bigint.
 * - `value`: NaN, ±Infinity, a non-number, or a negative counter increment / histogram observation.
 * - `exemplar`: an exemplar with invalid label names, non-printable values or over 128 characters (dropped; the observation is kept).
 */
export type InvalidObservationReason = 'label_names' | 'label_value' | 'value' | 'exemplar';

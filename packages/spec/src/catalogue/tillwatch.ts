/** tillwatch's metrics about itself: the metrics guard and the sinks (core), and the span export queue (@tillwatch/otel, while tracing is on). */
import { LABEL_NAMES, LABEL_VALUES } from '../conventions.ts';
import { closedLabel, openLabel } from '../label-spec.ts';
import { SHARED_LABELS } from '../shared-labels.ts';
import { defineMetric } from '../metric-spec.ts';

const common = { group: 'tillwatch', owner: 'core', type: 'counter', unit: 'count' } as const;

export const tillwatchMetrics = {
  seriesDropped: defineMetric({
    ...common,
    name: 'tillwatch_metrics_series_dropped_total',
    help: 'Observations folded into the __overflow__ series because the metric reached its series budget (TWWRN003).',
    question: 'Is a label fed with unbounded values (an id, a raw path), so that a metric lost detail?',
    labels: { [LABEL_NAMES.metric]: SHARED_LABELS.metric },
  }),
  invalidObservations: defineMetric({
    ...common,
    name: 'tillwatch_metrics_invalid_observations_total',
    help: 'Observations ignored: undeclared labels, unusable label values, invalid numbers (NaN, negative counter increments) or exemplars.',
    question: 'Is instrumentation code passing bad values that silently never reach a dashboard?',
    labels: {
      [LABEL_NAMES.metric]: SHARED_LABELS.metric,
      [LABEL_NAMES.reason]: closedLabel('Why the observation was ignored.', LABEL_VALUES.invalidObservationReason),
    },
  }),
  collectErrors: defineMetric({
    ...common,
    name: 'tillwatch_metrics_collect_errors_total',
    help: "Gauge collect callbacks that threw or rejected during a scrape (the gauge kept its last values).",
    question: 'Is a gauge stale because the code that reads it at scrape time is failing?',
    labels: { [LABEL_NAMES.metric]: SHARED_LABELS.metric },
  }),
  sinkErrors: defineMetric({
    ...common,
    name: 'tillwatch_sink_errors_total',
    help: 'Telemetry writes that failed and were dropped (log destination, error reporter, exporter).',
    question: 'Are logs or error reports being lost?',
    labels: { [LABEL_NAMES.sink]: openLabel('The sink that failed, e.g. log or error_reporter.', 'sinks are configured, at most 10', 10) },
  }),
  spansDropped: defineMetric({
    ...common,
    owner: 'otel',
    name: 'tillwatch_trace_spans_dropped_total',
    help: 'Spans that never reached the OTLP collector, by reason: the bounded export queue was full, or the collector refused, failed or timed out.',
    question: 'Are traces incomplete because the collector is down or too slow for the span rate?',
    labels: { [LABEL_NAMES.reason]: closedLabel('Why the spans were dropped.', LABEL_VALUES.spanDropReason) },
  }),
} as const;

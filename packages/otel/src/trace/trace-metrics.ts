/**
 * Names of the metrics tracing adds to an instance's registry (before `metrics.prefix`). Defined here
 * rather than in the spec catalogue because they exist only when tracing is on.
 */
export const TRACE_METRIC_NAMES = {
  /** Counter, label `reason`: `queue_full` (the bounded export queue was full) or `export_failed` (the collector refused, failed or timed out). */
  spansDroppedTotal: 'tillwatch_trace_spans_dropped_total',
} as const;

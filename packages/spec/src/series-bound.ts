/** Worst-case series of a metric, from its label declarations. */
import { DEFAULT_SERIES_BUDGET } from './conventions.ts';
import { labelCardinality, type LabelSpec } from './label-spec.ts';
import type { AnyMetricHandle } from './metric-spec.ts';

/**
 * Distinct label sets the declarations allow: the product of each label's cardinality (a closed set counts
 * its implicit `other`). For a histogram, each label set costs `buckets + 3` series in Prometheus
 * (`_bucket` per bound and `+Inf`, `_sum`, `_count`).
 */
export function worstCaseLabelSets(metric: AnyMetricHandle): number {
  let n = 1;
  for (const label of Object.values(metric.labels) as LabelSpec[]) n *= labelCardinality(label);
  return n;
}

/** Label sets the runtime allows before folding into `__overflow__`. */
export function seriesBudget(metric: AnyMetricHandle): number {
  return metric.maxSeries ?? DEFAULT_SERIES_BUDGET;
}

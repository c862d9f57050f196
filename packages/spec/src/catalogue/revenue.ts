/**
 * Revenue as counters in major currency units (12.34) with a `currency` label.
 *
 * Why counters: revenue per hour and average transaction value are `increase()` and ratios of counters,
 * correct across scrapes and restarts; a gauge of "today's revenue" would reset at midnight and on every
 * deploy. Why major units: PromQL results read directly as money, and the exponent differs per currency
 * (JPY has 0 decimals, KWD 3), so minor-unit series would not even add up within one label. The recorders
 * take exact integer minor units from the business code and convert with the ISO 4217 exponent.
 */
import { LABEL_NAMES } from '../conventions.ts';
import { SHARED_LABELS } from '../shared-labels.ts';
import { defineMetric } from '../metric-spec.ts';

const common = { group: 'revenue', owner: 'commerce', type: 'counter', unit: 'currency' } as const;

export const revenueMetrics = {
  revenue: defineMetric({
    ...common,
    name: 'revenue_total',
    help: 'Gross revenue of completed orders in major currency units, by location, channel and currency.',
    question: 'Is revenue per hour dropping at a location compared with the same hour last week?',
    labels: {
      [LABEL_NAMES.location]: SHARED_LABELS.location,
      [LABEL_NAMES.channel]: SHARED_LABELS.channel,
      [LABEL_NAMES.currency]: SHARED_LABELS.currency,
    },
    // 500 locations x 5 channels x a handful of currencies actually used (one per location in practice).
    maxSeries: 5000,
  }),
  refunded: defineMetric({
    ...common,
    name: 'revenue_refunded_total',
    help: 'Money refunded to customers in major currency units, by location and currency.',
    question: 'Is the refund amount unusual for a location (net revenue = revenue - refunded)?',
    labels: { [LABEL_NAMES.location]: SHARED_LABELS.location, [LABEL_NAMES.currency]: SHARED_LABELS.currency },
    maxSeries: 5000,
  }),
} as const;

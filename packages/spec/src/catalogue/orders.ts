/**
 * Orders: one counter per outcome, plus value and size distributions of completed orders.
 * Histograms carry no `location`: every label value of a histogram costs a series per bucket, and per-location
 * averages derive exactly from the revenue and order counters instead.
 */
import { BUCKETS, LABEL_NAMES, LABEL_VALUES } from '../conventions.ts';
import { closedLabel } from '../label-spec.ts';
import { SHARED_LABELS } from '../shared-labels.ts';
import { defineMetric } from '../metric-spec.ts';

const common = { group: 'orders', owner: 'commerce' } as const;
const byLocationAndChannel = { [LABEL_NAMES.location]: SHARED_LABELS.location, [LABEL_NAMES.channel]: SHARED_LABELS.channel } as const;

export const ordersMetrics = {
  completed: defineMetric({
    ...common,
    name: 'orders_completed_total',
    type: 'counter',
    unit: 'count',
    help: 'Orders completed (paid and closed), by location and channel.',
    question: 'How many orders per hour is each location taking, and through which channel?',
    labels: byLocationAndChannel,
    // 500 locations x 5 channels: the declared bound, above the runtime default of 2000.
    maxSeries: 2500,
  }),
  failed: defineMetric({
    ...common,
    name: 'orders_failed_total',
    type: 'counter',
    unit: 'count',
    help: 'Orders that could not be completed, by location, channel and reason.',
    question: 'Is the order failure rate above 2%, and why (payment, stock, age verification)?',
    labels: {
      ...byLocationAndChannel,
      [LABEL_NAMES.reason]: closedLabel('Why the order failed.', LABEL_VALUES.orderFailureReason),
    },
    maxSeries: 5000,
  }),
  voided: defineMetric({
    ...common,
    name: 'orders_voided_total',
    type: 'counter',
    unit: 'count',
    help: 'Orders voided before completion (manager approval required), by location, channel and reason.',
    question: 'Is one location voiding unusually many orders (training, fraud)?',
    labels: {
      ...byLocationAndChannel,
      [LABEL_NAMES.reason]: closedLabel('Why the order was voided.', LABEL_VALUES.voidReason),
    },
    maxSeries: 5000,
  }),
  value: defineMetric({
    ...common,
    name: 'orders_value',
    type: 'histogram',
    unit: 'currency',
    help: 'Total of each completed order in major currency units (12.34), by channel and currency.',
    question: 'Has the basket size shifted (median and p90 order value), for example after a price change?',
    labels: { [LABEL_NAMES.channel]: SHARED_LABELS.channel, [LABEL_NAMES.currency]: SHARED_LABELS.currency },
    buckets: BUCKETS.orderValueCurrency,
  }),
  items: defineMetric({
    ...common,
    name: 'orders_items',
    type: 'histogram',
    unit: 'items',
    help: 'Units sold per completed order, by channel.',
    question: 'How many items does a typical basket hold, per channel?',
    labels: { [LABEL_NAMES.channel]: SHARED_LABELS.channel },
    buckets: BUCKETS.orderItems,
  }),
} as const;

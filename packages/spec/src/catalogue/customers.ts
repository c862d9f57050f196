/** Customers identified on orders, and the loyalty programme. No customer id is ever a label. */
import { LABEL_NAMES } from '../conventions.ts';
import { SHARED_LABELS } from '../shared-labels.ts';
import { defineMetric } from '../metric-spec.ts';

const common = { group: 'customers', owner: 'commerce', type: 'counter' } as const;
const byLocationAndChannel = { [LABEL_NAMES.location]: SHARED_LABELS.location, [LABEL_NAMES.channel]: SHARED_LABELS.channel } as const;
const byLocation = { [LABEL_NAMES.location]: SHARED_LABELS.location } as const;

export const customersMetrics = {
  new: defineMetric({
    ...common,
    name: 'customers_new_total',
    unit: 'count',
    help: 'Orders by a customer seen for the first time, by location and channel.',
    question: 'How many new customers does each location and channel win per day?',
    labels: byLocationAndChannel,
    maxSeries: 2500,
  }),
  returning: defineMetric({
    ...common,
    name: 'customers_returning_total',
    unit: 'count',
    help: 'Orders by a customer seen before, by location and channel.',
    question: 'What share of orders comes from returning customers?',
    labels: byLocationAndChannel,
    maxSeries: 2500,
  }),
  pointsEarned: defineMetric({
    ...common,
    name: 'loyalty_points_earned_total',
    unit: 'points',
    help: 'Loyalty points credited to customers, by location.',
    question: 'How fast is the loyalty liability growing?',
    labels: byLocation,
  }),
  pointsRedeemed: defineMetric({
    ...common,
    name: 'loyalty_points_redeemed_total',
    unit: 'points',
    help: 'Loyalty points spent by customers, by location.',
    question: 'What share of earned points is redeemed (redemption rate)?',
    labels: byLocation,
  }),
} as const;

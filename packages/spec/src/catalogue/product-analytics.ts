/**
 * Product analytics with bounded labels: flags and experiments are declared in code, API versions are
 * the ones served, device classes a closed set, regions configured. Never a user, session or user agent.
 */
import { LABEL_NAMES, LABEL_VALUES } from '../conventions.ts';
import { closedLabel, openLabel } from '../label-spec.ts';
import { defineMetric } from '../metric-spec.ts';

const common = { group: 'productAnalytics', owner: 'commerce', type: 'counter', unit: 'count' } as const;
const flag = openLabel('Feature flag key.', 'flags are declared in code, at most 50 live at once', 50);
const experiment = openLabel('Experiment key.', 'experiments are declared in code, at most 20 running at once', 20);
const variant = openLabel('Variant served (on/off for a boolean flag).', 'variants are declared with the flag or experiment, at most 5 each', 5);

export const productAnalyticsMetrics = {
  flagEvaluations: defineMetric({
    ...common,
    name: 'feature_flag_evaluations_total',
    help: 'Feature-flag evaluations, by flag and variant served.',
    question: 'Is a flag actually reaching the share of traffic it was rolled out to?',
    labels: { [LABEL_NAMES.flag]: flag, [LABEL_NAMES.variant]: variant },
  }),
  experimentAssignments: defineMetric({
    ...common,
    name: 'experiment_assignments_total',
    help: 'Subjects assigned to an experiment variant, by experiment and variant.',
    question: 'Is the experiment split as designed (sample-ratio mismatch)?',
    labels: { [LABEL_NAMES.experiment]: experiment, [LABEL_NAMES.variant]: variant },
  }),
  experimentConversions: defineMetric({
    ...common,
    name: 'experiment_conversions_total',
    help: 'Conversions (the experiment goal reached), by experiment and variant.',
    question: 'Which variant converts better (conversions / assignments)?',
    labels: { [LABEL_NAMES.experiment]: experiment, [LABEL_NAMES.variant]: variant },
  }),
  apiVersionRequests: defineMetric({
    ...common,
    name: 'api_version_requests_total',
    help: 'API requests by the API version the client asked for.',
    question: 'Who still calls a deprecated API version, and can it be retired?',
    labels: { [LABEL_NAMES.apiVersion]: openLabel('API version, e.g. v1.', 'versions served by the API, at most 10', 10) },
  }),
  deviceClassRequests: defineMetric({
    ...common,
    name: 'client_device_requests_total',
    help: 'API requests by client device class (derived from the user agent, which is never a label).',
    question: 'Are errors or slowness concentrated on one kind of device (kiosks, phones)?',
    labels: { [LABEL_NAMES.deviceClass]: closedLabel('Class of client device.', LABEL_VALUES.deviceClass) },
  }),
  regionRequests: defineMetric({
    ...common,
    name: 'client_region_requests_total',
    help: 'API requests by client region (configured regions or countries, never an IP or city).',
    question: 'Where does traffic come from, and did a region drop off?',
    labels: { [LABEL_NAMES.region]: openLabel('Region or country code.', 'regions are configured, at most 50', 50) },
  }),
} as const;

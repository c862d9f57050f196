/**
 * HTTP RED metrics, exported by the core (src/metrics) for every adapter. Declared here with exactly the
 * names and labels the core registers, so rules and dashboards can refer to them through handles.
 */
import { BUCKETS, LABEL_NAMES, LABEL_VALUES } from '../conventions.ts';
import { closedLabel, openLabel } from '../label-spec.ts';
import { defineMetric } from '../metric-spec.ts';


const labels = {
  [LABEL_NAMES.method]: closedLabel('HTTP request method.', LABEL_VALUES.httpMethod),
  [LABEL_NAMES.route]: openLabel(
    'Route template as the framework matched it (/orders/:id), or __unmatched__; never the raw path.',
    'route templates are registered in code, at most 200 per service',
    200,
  ),
  [LABEL_NAMES.statusCode]: openLabel('Response status code, or 499 when the client went away first.', 'three-digit status codes, at most 60 in practice', 60),
} as const;

export const httpMetrics = {
  requests: defineMetric({
    name: 'http_requests_total',
    type: 'counter',
    unit: 'count',
    group: 'http',
    owner: 'core',
    help: 'HTTP requests completed, by method, route template and status code.',
    question: 'How much traffic does each route get, and what share of it fails (5xx)?',
    labels,
  }),
  requestDuration: defineMetric({
    name: 'http_request_duration_seconds',
    type: 'histogram',
    unit: 'seconds',
    group: 'http',
    owner: 'core',
    help: 'Time from request start to response end, by method, route template and status code.',
    question: 'Are requests slow (p95, p99), and on which route?',
    labels,
    buckets: BUCKETS.httpSeconds,
  }),
  requestsInFlight: defineMetric({
    name: 'http_requests_in_flight',
    type: 'gauge',
    unit: 'count',
    group: 'http',
    owner: 'core',
    help: 'Requests started and not yet finished.',
    question: 'Is the service saturated or are requests hanging?',
    labels: {},
  }),
} as const;

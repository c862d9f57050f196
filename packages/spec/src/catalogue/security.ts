/**
 * Security events, recorded by `tillwatch/security` (docs/security.md). Client IPs, user names and origins are never
 * labels: per-client thresholds (brute force, password spray, rate limiting) are tracked in memory with bounded
 * summaries and exported as counts of offending clients; the clients themselves are in the (pseudonymised) log lines.
 */
import { LABEL_NAMES, LABEL_VALUES } from '../conventions.ts';
import { closedLabel } from '../label-spec.ts';
import { defineMetric } from '../metric-spec.ts';

const common = { group: 'security', owner: 'core' } as const;
const authReason = closedLabel('Why authentication failed.', LABEL_VALUES.authFailureReason);

export const securityMetrics = {
  failedLogins: defineMetric({
    ...common,
    name: 'auth_failed_logins_total',
    type: 'counter',
    unit: 'count',
    help: 'Login attempts that failed, by reason.',
    question: 'Is someone guessing passwords?',
    labels: { [LABEL_NAMES.reason]: authReason },
  }),
  authFailures: defineMetric({
    ...common,
    name: 'auth_failures_total',
    type: 'counter',
    unit: 'count',
    help: 'Requests rejected by authentication or authorisation, by reason.',
    question: 'Are there more than 50 auth failures a minute (an attack or a broken client)?',
    labels: { [LABEL_NAMES.reason]: authReason },
  }),
  bruteForceSources: defineMetric({
    ...common,
    name: 'auth_brute_force_sources',
    type: 'gauge',
    unit: 'count',
    help: 'Client addresses with more than 5 failed logins in the last 15 minutes (the addresses are logged, not labelled).',
    question: 'Is a brute-force attack under way?',
    labels: {},
  }),
  passwordSpraySources: defineMetric({
    ...common,
    name: 'auth_password_spray_sources',
    type: 'gauge',
    unit: 'count',
    help: 'Client addresses whose failed logins in the last 15 minutes named 10 or more distinct user names (the addresses are logged, not labelled).',
    question: 'Is someone trying one password against many accounts (a spray that per-user lockouts never see)?',
    labels: {},
  }),
  rateLimited: defineMetric({
    ...common,
    name: 'rate_limited_requests_total',
    type: 'counter',
    unit: 'count',
    help: 'Requests refused by the rate limiter.',
    question: 'Is the rate limiter refusing traffic?',
    labels: {},
  }),
  rateLimitedClients: defineMetric({
    ...common,
    name: 'rate_limited_clients',
    type: 'gauge',
    unit: 'count',
    help: 'Distinct clients currently being rate limited.',
    question: 'Are more than 10 clients rate limited (abuse, or a limit set too low)?',
    labels: {},
  }),
  corsViolations: defineMetric({
    ...common,
    name: 'cors_violations_total',
    type: 'counter',
    unit: 'count',
    help: 'Requests refused by the CORS policy (the origin is logged, not labelled).',
    question: 'Is a site trying to call the API from a browser it should not?',
    labels: {},
  }),
  events: defineMetric({
    ...common,
    name: 'security_events_total',
    type: 'counter',
    unit: 'count',
    help: 'Security events, by type and severity.',
    question: 'Are high or critical security events occurring?',
    labels: {
      [LABEL_NAMES.eventType]: closedLabel('Kind of security event.', LABEL_VALUES.securityEventType),
      [LABEL_NAMES.severity]: closedLabel('Severity.', LABEL_VALUES.severity),
    },
  }),
} as const;

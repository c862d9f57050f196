/** Security (recorded by `tillwatch/security`). Client addresses are never labels: offenders are counted, and logged. */
import { catalogue } from '../../catalogue.ts';
import { defineAlert, type AlertSpec } from '../alert-spec.ts';
import { durationMinutes } from '../duration.ts';
import { counterSeries, gaugeSeries } from '../test-series.ts';
import { n, type PackContext } from './pack-context.ts';

const m = catalogue.metrics;

export function securityAlerts(ctx: PackContext): AlertSpec[] {
  const t = ctx.thresholds;
  const team = ctx.teams.security;
  return [
    defineAlert({
      name: 'BruteForceSuspected',
      severity: 'warning',
      for: '0s',
      group: 'security',
      team,
      // The catalogue has no per-IP label by design; the security module counts addresses with more than
      // 5 failed logins in 15 minutes and exports how many there are (auth_brute_force_sources).
      expr: `max(${m.security.bruteForceSources}) > 0`,
      summary: 'Brute-force login attempts in progress',
      description: '{{ $value }} client address(es) had more than 5 failed logins in the last 15 minutes.',
      runbook: `1. Find the sources in the security log lines (\`security_event: brute_force\`); they are pseudonymised, never labelled.
2. Block them at the edge (WAF, rate limiter) if they are not one of the stores' NAT addresses.
3. Check whether any attempt succeeded afterwards for the same user names; force a password reset if so.`,
      test: { firing: [gaugeSeries(m.security.bruteForceSources, {}, 1)], quiet: [gaugeSeries(m.security.bruteForceSources, {}, 0)], trueAfterMinutes: 0 },
    }),
    defineAlert({
      name: 'PasswordSpraySuspected',
      severity: 'critical',
      for: '0s',
      group: 'security',
      team,
      // Per-user lockouts never trip on a spray: each account sees one or two guesses. The security module counts,
      // per source, the distinct user names of its failed logins in 15 minutes (auth_password_spray_sources).
      expr: `max(${m.security.passwordSpraySources}) > 0`,
      summary: 'Password spray across user names in progress',
      description: '{{ $value }} client address(es) failed logins for 10 or more distinct user names in the last 15 minutes.',
      runbook: `1. Find the sources in the security log lines (\`security_event: password_spray\`); they are pseudonymised, never labelled.
2. Block them at the edge; a spray usually rotates addresses, so also watch \`sum(rate(auth_failed_logins_total[5m]))\`.
3. Look for \`login_succeeded\` events from the same sources during the spray: those accounts are compromised; reset them.`,
      test: { firing: [gaugeSeries(m.security.passwordSpraySources, {}, 1)], quiet: [gaugeSeries(m.security.passwordSpraySources, {}, 0)], trueAfterMinutes: 0 },
    }),
    defineAlert({
      name: 'AuthFailuresHigh',
      severity: 'critical',
      for: '1m',
      group: 'security',
      team,
      expr: `sum(rate(${m.security.authFailures}[${t.rateWindow}])) * 60 > ${n(t.authFailuresPerMinute)}`,
      summary: `More than ${n(t.authFailuresPerMinute)} authentication failures a minute`,
      description: '{{ $value | humanize }} requests a minute are rejected by authentication or authorisation.',
      runbook: `1. Which reason: \`sum by (reason) (rate(auth_failures_total[5m]))\`.
2. \`expired_token\`/\`invalid_token\` from everywhere after a deploy or key rotation: a broken client or signing key, not an attack.
3. \`invalid_credentials\`/\`unknown_user\`: credential stuffing; see BruteForceSuspected and block at the edge.`,
      test: {
        firing: [counterSeries(m.security.authFailures, { reason: 'invalid_token' }, t.authFailuresPerMinute * 1.2)],
        quiet: [counterSeries(m.security.authFailures, { reason: 'invalid_token' }, t.authFailuresPerMinute * 0.9)],
        // rate() underestimates until its window is full of samples.
        trueAfterMinutes: durationMinutes(t.rateWindow),
      },
    }),
    defineAlert({
      name: 'RateLimitedClientsHigh',
      severity: 'warning',
      for: '5m',
      group: 'security',
      team,
      expr: `sum(${m.security.rateLimitedClients}) > ${n(t.rateLimitedClients)}`,
      summary: `More than ${n(t.rateLimitedClients)} clients are rate limited`,
      description: '{{ $value }} distinct clients are being rate limited.',
      runbook: `1. Abuse (scrapers, credential stuffing) or a limit set too low for a busy store's NAT address?
2. Compare with \`rate(rate_limited_requests_total[5m])\` and the rate-limit log lines (addresses are logged).
3. Raise the limit for known store addresses rather than globally.`,
      test: {
        firing: [gaugeSeries(m.security.rateLimitedClients, {}, t.rateLimitedClients + 1)],
        quiet: [gaugeSeries(m.security.rateLimitedClients, {}, t.rateLimitedClients)],
        trueAfterMinutes: 0,
      },
    }),
    defineAlert({
      name: 'CorsViolations',
      severity: 'warning',
      for: '0s',
      group: 'security',
      team,
      expr: `sum(increase(${m.security.corsViolations}[15m])) > ${n(t.corsViolationsPer15m)}`,
      summary: `More than ${n(t.corsViolationsPer15m)} CORS violations in 15 minutes`,
      description: '{{ $value | humanize }} cross-origin requests were refused in the last 15 minutes.',
      runbook: `1. Find the origins in the CORS log lines (origins are logged, not labelled).
2. A new store front-end or domain that is missing from the allowed origins? Add it.
3. An unknown site calling the API from browsers: phishing or a scraper; keep refusing and tell security.`,
      test: {
        firing: [counterSeries(m.security.corsViolations, {}, (t.corsViolationsPer15m * 1.2) / 15)],
        quiet: [counterSeries(m.security.corsViolations, {}, (t.corsViolationsPer15m * 0.9) / 15)],
        trueAfterMinutes: 16,
      },
    }),
  ];
}

/** Golden case: one SLO, an env secret, an extra alert in raw PromQL, a disabled and an overridden pack alert. */
import { defineAlert, counterSeries, type TillwatchDeployConfig } from '@tillwatch/spec';
import { baseConfig } from './base-config.ts';

export default {
  ...baseConfig,
  alerts: {
    thresholds: { paymentFailureRatio: 0.02, httpP95Seconds: 2 },
    disable: ['CorsViolations'],
    overrides: { MemoryHigh: { severity: 'warning', for: '15m' } },
    runbookBaseUrl: 'https://runbooks.example.com/kiosk/alerts.md',
    extra: [
      defineAlert({
        name: 'KioskRefundsSpike',
        severity: 'info',
        for: '10m',
        group: 'kiosk',
        team: 'kiosk-team',
        // Raw PromQL (the escape hatch): checked against the catalogue by name.
        expr: 'sum(rate(payments_successes_total{operation="refund"}[5m])) * 60 > 5',
        summary: 'More than 5 refunds a minute',
        description: '{{ $value | humanize }} refunds a minute.',
        runbook: '1. Check the refund log lines for one cashier.',
        test: {
          firing: [counterSeries('payments_successes_total', { method: 'card', operation: 'refund' }, 6)],
          quiet: [counterSeries('payments_successes_total', { method: 'card', operation: 'refund' }, 4.5)],
          trueAfterMinutes: 5,
        },
      }),
    ],
  },
  alertmanager: {
    ...baseConfig.alertmanager,
    receivers: { ...baseConfig.alertmanager.receivers, pagerduty: { routingKey: { env: 'PAGERDUTY_ROUTING_KEY' }, url: 'http://127.0.0.1:9999/v2/enqueue' } },
    repeatInterval: { critical: '30m' },
    groupWait: '5s',
    groupInterval: '1m',
    inhibitions: [{ source: { alertname: 'DbPoolNearlyExhausted' }, target: { alertname: 'SlowQueries' }, equal: ['service'] }],
  },
} satisfies TillwatchDeployConfig;

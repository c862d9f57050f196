/**
 * The liquor POS's alerts (tillwatch/v1): the default store pack over the built-in catalogue, with the pack's
 * data-layer alerts (DbQueryFailureRateHigh, SlowQueries, DbPoolNearlyExhausted, CacheHitRateLow,
 * DependencyDown) reading what server.ts records. Generate its Prometheus and Alertmanager bundle with
 *   npx tillwatch generate --config examples/nestjs-prisma-redis/tillwatch.config.ts --out <dir>
 * The business alerts of the pack (payments, printing, offline queue...) read series this small service does not
 * export, so they are disabled here; `tillwatch check --live <url>/metrics` confirms every rule left selects
 * something the service exports.
 */
import type { TillwatchDeployConfig } from '@tillwatch/spec';

export default {
  version: 'tillwatch/v1',
  service: 'liquor-pos',
  team: 'pos-platform',
  slos: [],
  alerts: {
    disable: [
      'HttpLatencyP95High',
      'HttpLatencyP99High',
      'PaymentFailureRateHigh',
      'PaymentsOutcomeUnknown',
      'PaymentReconciliationStale',
      'OrderFailureRateHigh',
      'PrinterAgentsDisconnected',
      'PrintSuccessRateLow',
      'BruteForceSuspected',
      'PasswordSpraySuspected',
      'AuthFailuresHigh',
      'RateLimitedClientsHigh',
      'CorsViolations',
      'SyntheticJourneyFailing',
      'OfflineQueueBacklog',
      'OfflineQueueStale',
      'SalesSyncStalled',
      'BackupMissing',
      'EventFailuresHigh',
      'DeadLettersPresent',
      'DeadLettersGrowing',
      'DeliveryQueueStale',
      'DeliveryFailureRateHigh',
    ],
  },
  // Only the data-layer dashboard: the others read the store's commerce, security, printing, sync and journey
  // series (the service dashboard's journey panels read the synthetic runner's), which this service does not have.
  dashboards: { disable: ['service', 'commerce', 'security', 'printing', 'sync-delivery', 'slos'] },
  prometheus: {
    scrape: { targets: ['liquor-pos:3000'] },
    alertmanagers: ['alertmanager:9093'],
  },
  alertmanager: {
    receivers: {
      pagerduty: { routingKey: { file: '/etc/alertmanager/secrets/pagerduty_routing_key' } },
      slack: { apiUrl: { file: '/etc/alertmanager/secrets/slack_webhook_url' }, channel: '#pos-alerts' },
      email: { to: 'pos-platform@example.com', from: 'alertmanager@example.com', smarthost: 'smtp.example.com:587' },
    },
  },
} satisfies TillwatchDeployConfig;

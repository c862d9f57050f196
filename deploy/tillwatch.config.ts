/**
 * The reference store's alerts and SLOs (tillwatch/v1). `npm run generate` turns this into the bundle next to
 * it (prometheus/, alertmanager/, docs/); `npm run check:deploy` runs promtool and amtool over it, and a golden
 * test keeps the committed bundle in sync with this file.
 */
import { type TillwatchDeployConfig, availabilitySlo, latencySlo, orderSuccessSlo, paymentSuccessSlo, printSuccessSlo, syncFreshnessSlo } from '@tillwatch/spec';
import { storeMetrics } from '../apps/store/src/store-metrics.ts';

const team = 'store-ops';

export default {
  version: 'tillwatch/v1',
  service: 'store',
  team,
  catalogue: storeMetrics,
  slos: [
    availabilitySlo({ name: 'availability', target: 0.999, period: '30d', team }),
    latencySlo({ name: 'latency', target: 0.99, period: '30d', team, thresholdSeconds: 1 }),
    paymentSuccessSlo({ name: 'payment-success', target: 0.995, period: '30d', team: 'payments' }),
    orderSuccessSlo({ name: 'order-success', target: 0.995, period: '30d', team }),
    printSuccessSlo({ name: 'print-success', target: 0.99, period: '30d', team }),
    syncFreshnessSlo({ name: 'sync-freshness', target: 0.99, period: '30d', team, pipeline: 'sales_to_warehouse', maxAgeSeconds: 900 }),
  ],
  alerts: {
    teams: { commerce: team, platform: team, security: 'security' },
  },
  kubernetes: {
    namespace: 'store',
    image: 'ghcr.io/example/tillwatch-store:1.0.0',
    replicas: 2,
    lifecycle: { drainDelayMs: 5000, shutdownTimeoutMs: 10_000 },
    resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '512Mi' } },
    env: { LOCATIONS: 'store-001,store-002' },
    secrets: {
      env: { JWT_SECRET: { secret: 'store-secrets', key: 'jwt-secret' }, DATABASE_URL: { secret: 'store-secrets', key: 'database-url' } },
      metricsToken: { secret: 'store-secrets', key: 'metrics-token' },
    },
  },
  // The local stack (compose/compose.yaml): the store's sources, run by a Node image from the repository mounted at
  // /app after `npm ci && npm run build` (docs/stack.md). With Postgres there is no PGlite directory to back up.
  compose: {
    image: 'node:24-bookworm-slim',
    source: '../..',
    command: ['node', 'apps/store/src/main.ts'],
    env: { LOCATIONS: 'store-001,store-002', BACKUP_DIR: 'off', NODE_OPTIONS: '--conditions=tillwatch-source' },
  },
  prometheus: {
    scrape: { targets: ['store:3000'], bearerTokenFile: '/etc/prometheus/secrets/metrics_token', intervalSeconds: 15 },
    evaluationIntervalSeconds: 15,
    externalLabels: { environment: 'production', region: 'eu-west-1' },
    alertmanagers: ['alertmanager-0:9093', 'alertmanager-1:9093'],
  },
  // Two Prometheus replicas alerting both Alertmanager nodes and writing to VictoriaMetrics (docs/scale-out.md).
  scaleOut: { prometheusReplicas: 2, replicaLabel: 'replica', victoriaMetrics: { url: 'http://victoria-metrics:8428', retentionPeriod: '400d' } },
  alertmanager: {
    peers: ['alertmanager-0:9094', 'alertmanager-1:9094'],
    receivers: {
      pagerduty: { routingKey: { file: '/etc/alertmanager/secrets/pagerduty_routing_key' } },
      slack: { apiUrl: { file: '/etc/alertmanager/secrets/slack_webhook_url' }, channel: '#store-alerts' },
      email: {
        to: 'store-ops@example.com',
        from: 'alertmanager@example.com',
        smarthost: 'smtp.example.com:587',
        authUsername: 'alertmanager@example.com',
        authPassword: { file: '/etc/alertmanager/secrets/smtp_password' },
      },
    },
    // Payments own their SLO and page their own PagerDuty service; security reads its own channel.
    teams: {
      payments: {
        pagerduty: { routingKey: { file: '/etc/alertmanager/secrets/pagerduty_routing_key_payments' } },
        slack: { apiUrl: { file: '/etc/alertmanager/secrets/slack_webhook_url' }, channel: '#payments-alerts' },
      },
      security: { slack: { apiUrl: { file: '/etc/alertmanager/secrets/slack_webhook_url' }, channel: '#security-alerts' } },
    },
    storeHours: { timeZone: 'Europe/London', weekdays: ['monday:saturday'], start: '08:00', end: '22:00' },
  },
} satisfies TillwatchDeployConfig;

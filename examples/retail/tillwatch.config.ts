/**
 * The retail service's alerts and SLOs (tillwatch/v1), over tillwatch's built-in catalogue plus the team's
 * own metrics (metrics.ts). Generate its Prometheus and Alertmanager bundle with
 *   npx tillwatch generate --config examples/retail/tillwatch.config.ts --out <dir>
 * A rule that names a metric neither catalogue declares fails the build (handles) or the generator (raw PromQL).
 */
import {
  availabilitySlo,
  counterSeries,
  defineAlert,
  eventRatioSlo,
  histogramSeries,
  WINDOW_PLACEHOLDER as w,
  type TillwatchDeployConfig,
} from '@tillwatch/spec';
import { retail } from './metrics.ts';

const team = 'retail';
const r = retail.metrics.recommendations;
const v = retail.metrics.voice;

/** Average confidence from the histogram's sum and count: exact, unlike a quantile interpolated inside a bucket. */
const averageConfidence = `sum(rate(${r.confidence.sum}[10m])) / sum(rate(${r.confidence.count}[10m]))`;

export default {
  version: 'tillwatch/v1',
  service: 'retail',
  team,
  catalogue: retail,
  slos: [
    availabilitySlo({ name: 'availability', target: 0.995, period: '30d', team }),
    eventRatioSlo({
      name: 'intent-accuracy',
      kind: 'custom',
      target: 0.99,
      period: '30d',
      team,
      title: '99% of voice commands are understood with a confidence above 0.7',
      runbook: '1. Look at the intents with low confidence (`intent_confidence` by intent in the logs).\n2. Check whether a new product name or promotion is confusing the model; retrain or add synonyms.',
      bad: `sum(rate(${v.intentConfidence.bucket}{le="0.7"}[${w}]))`,
      total: `sum(rate(${v.intentConfidence.count}[${w}]))`,
      fixture: (bad, good) => histogramSeries(v.intentConfidence, {}, [{ perMinute: good, seconds: 0.9 }, { perMinute: bad, seconds: 0.5 }]),
    }),
  ],
  alerts: {
    extra: [
      defineAlert({
        name: 'LowRecommendationQuality',
        severity: 'warning',
        for: '30m',
        group: 'recommendations',
        team,
        expr: `${averageConfidence} < 0.5`,
        summary: 'Average recommendation confidence below 0.5',
        description: 'Recommendations served over the last 10 minutes had an average confidence of {{ $value | humanize }}.',
        runbook: `1. Share of the popular-products fallback: \`sum by (strategy) (rate(${r.served}[10m]))\`; a rising fallback means the model has no data for these customers.
2. Check the last model deployment and the feature pipeline's freshness; roll back the model if the drop started with it.`,
        test: {
          firing: [counterSeries(r.confidence.sum, { strategy: 'collaborative' }, 4), counterSeries(r.confidence.count, { strategy: 'collaborative' }, 10)],
          quiet: [counterSeries(r.confidence.sum, { strategy: 'collaborative' }, 5.5), counterSeries(r.confidence.count, { strategy: 'collaborative' }, 10)],
        },
      }),
      defineAlert({
        name: 'VoiceConversionDrop',
        severity: 'warning',
        for: '1h',
        group: 'voice',
        team,
        expr: `sum(rate(${v.ordersCreated}[1h])) / sum(rate(${v.commands}[1h])) < 0.1`,
        summary: 'Voice-to-order conversion below 10%',
        description: 'Only {{ $value | humanizePercentage }} of voice commands led to an order over the last hour.',
        runbook: `1. Intents: \`sum by (intent) (rate(${v.commands}[1h]))\`; many \`help\` or \`cancel\` commands mean customers give up.
2. Intent confidence: the intent-accuracy SLO and \`${v.intentConfidence.count}\`; a drop points at the speech model.
3. Check the order API the assistant calls (its 5xx and latency).`,
        test: {
          firing: [counterSeries(v.commands, { intent: 'order' }, 100), counterSeries(v.ordersCreated, {}, 5)],
          quiet: [counterSeries(v.commands, { intent: 'order' }, 100), counterSeries(v.ordersCreated, {}, 15)],
        },
      }),
    ],
  },
  prometheus: {
    scrape: { targets: ['retail:8080'] },
    alertmanagers: ['alertmanager:9093'],
  },
  alertmanager: {
    receivers: {
      pagerduty: { routingKey: { file: '/etc/alertmanager/secrets/pagerduty_routing_key' } },
      slack: { apiUrl: { file: '/etc/alertmanager/secrets/slack_webhook_url' }, channel: '#retail-alerts' },
      email: { to: 'retail@example.com', from: 'alertmanager@example.com', smarthost: 'smtp.example.com:587' },
    },
  },
} satisfies TillwatchDeployConfig;

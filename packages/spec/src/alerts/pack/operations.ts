/** Store operations: offline queue, warehouse sync, backups, internal events, delivery queues and dead letters. */
import { catalogue } from '../../catalogue.ts';
import { defineAlert, type AlertSpec } from '../alert-spec.ts';
import { counterSeries, gaugeSeries, stalledTimestampSeries, timestampSeries } from '../test-series.ts';
import { n, type PackContext } from './pack-context.ts';

const m = catalogue.metrics;

function hours(seconds: number): string {
  return seconds % 3600 === 0 ? `${seconds / 3600} h` : seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`;
}

export function operationsAlerts(ctx: PackContext): AlertSpec[] {
  const t = ctx.thresholds;
  const team = ctx.teams.commerce;
  const at = { location: 'store-1' } as const;
  return [
    defineAlert({
      name: 'SyntheticJourneyFailing',
      severity: 'critical',
      // A failing checkout journey is the incident the order-success page already pages for: with real traffic
      // that page fires about a minute into a checkout outage and inhibits this alert. Three minutes lets it win
      // that race; when traffic is too low for the page's minimum-traffic guard, this alert is the page.
      for: '3m',
      objective: 'order-success',
      group: 'synthetic',
      team,
      // By journey and instance: the store's own runner sets `journey`; a blackbox exporter probe has no journey
      // but its own `instance`, so its failures alert too.
      expr: `max by (journey, instance) (${m.synthetic.success}) == 0`,
      summary: 'Synthetic journey {{ $labels.journey }} fails{{ if $labels.instance }} ({{ $labels.instance }}){{ end }}',
      description: 'The scripted journey {{ $labels.journey }} has failed on every run for three minutes: a customer doing the same cannot complete it.',
      runbook: `1. Which step: \`sum by (journey, step) (increase(probe_step_failures_total[10m]))\`.
2. \`login\`: authentication or the database. \`ring_up\`: catalogue, stock or the database. \`pay\`: the payment provider (follow PaymentFailureRateHigh). \`complete\`: the database or age verification rules. \`receipt_printed\`: printer agents of the journey's location (PrinterAgentsDisconnected) or the printing queue.
3. Slow rather than failing: \`probe_step_duration_seconds\` by step.
4. The journeys run real sales on the synthetic location; void or exclude them in reports if needed.`,
      test: {
        firing: [gaugeSeries(m.synthetic.success, { journey: 'checkout' }, 0)],
        quiet: [gaugeSeries(m.synthetic.success, { journey: 'checkout' }, 1)],
        trueAfterMinutes: 0,
      },
    }),
    defineAlert({
      name: 'OfflineQueueBacklog',
      severity: 'warning',
      for: '10m',
      group: 'operations',
      team,
      expr: `max by (location) (${m.offlineQueue.depth}) > ${n(t.offlineQueueDepth)}`,
      summary: `Offline queue at {{ $labels.location }} holds more than ${n(t.offlineQueueDepth)} operations`,
      description: '{{ $value }} offline operations from {{ $labels.location }} are waiting to be applied.',
      runbook: `1. Is the queue draining (depth falling) or growing? Growing: the apply worker is stuck or failing.
2. Rejected operations: \`sum by (result) (rate(offline_sync_operations_total{location="<location>"}[15m]))\`.
3. Check the database (the worker applies operations in transactions) and the worker's error logs.`,
      test: {
        firing: [gaugeSeries(m.offlineQueue.depth, at, t.offlineQueueDepth + 1)],
        quiet: [gaugeSeries(m.offlineQueue.depth, at, t.offlineQueueDepth)],
        trueAfterMinutes: 0,
      },
    }),
    defineAlert({
      name: 'OfflineQueueStale',
      severity: 'warning',
      for: '5m',
      group: 'operations',
      team,
      expr: `max by (location) (${m.offlineQueue.oldestAge}) > ${n(t.offlineQueueAgeSeconds)}`,
      summary: `Offline sales at {{ $labels.location }} waiting more than ${hours(t.offlineQueueAgeSeconds)}`,
      description: 'The oldest offline operation from {{ $labels.location }} has waited {{ $value | humanizeDuration }}; stock and revenue figures are stale.',
      runbook: `1. Same checks as OfflineQueueBacklog: a stuck operation blocks the ones behind it.
2. Look for one operation failing repeatedly (a poison message) in the worker logs; reject or fix it.`,
      test: {
        firing: [gaugeSeries(m.offlineQueue.oldestAge, at, t.offlineQueueAgeSeconds + 60)],
        quiet: [gaugeSeries(m.offlineQueue.oldestAge, at, t.offlineQueueAgeSeconds - 60)],
        trueAfterMinutes: 0,
      },
    }),
    defineAlert({
      name: 'SalesSyncStalled',
      severity: 'warning',
      for: '1m',
      group: 'operations',
      team,
      expr: `time() - max by (pipeline) (${m.sync.lastSuccess}) > ${n(t.syncStalledSeconds)}`,
      summary: `Sync pipeline {{ $labels.pipeline }} has not delivered for ${hours(t.syncStalledSeconds)}`,
      description: 'The last successful batch of {{ $labels.pipeline }} was {{ $value | humanizeDuration }} ago.',
      runbook: `1. Why batches fail: \`sum by (error_type) (rate(sync_errors_total{pipeline="<pipeline>"}[15m]))\`.
2. \`auth\`: rotate the warehouse credentials. \`rate_limited\`: lower the batch rate. \`network\`/\`server_error\`: the warehouse side.
3. No errors and no batches: the sync worker is not running.`,
      test: {
        firing: [stalledTimestampSeries(m.sync.lastSuccess, { pipeline: 'sales_to_warehouse' }, t.syncStalledSeconds + 60)],
        quiet: [timestampSeries(m.sync.lastSuccess, { pipeline: 'sales_to_warehouse' }, t.syncStalledSeconds - 60)],
        trueAfterMinutes: 0,
      },
    }),
    defineAlert({
      name: 'BackupMissing',
      severity: 'critical',
      for: '0s',
      group: 'operations',
      team: ctx.teams.platform,
      expr: `time() - max by (target) (${m.backups.lastSuccess}) > ${n(t.backupMaxAgeSeconds)}`,
      summary: `No successful backup of {{ $labels.target }} in ${hours(t.backupMaxAgeSeconds)}`,
      description: 'The last successful backup of {{ $labels.target }} finished {{ $value | humanizeDuration }} ago.',
      runbook: `1. Did the job run? Check the scheduler and \`backup_failures_total\`.
2. Failing: disk space at the destination, credentials, or the database refusing the dump.
3. Run a backup by hand now, then fix the schedule.`,
      test: {
        firing: [stalledTimestampSeries(m.backups.lastSuccess, { target: 'database' }, t.backupMaxAgeSeconds + 60)],
        quiet: [stalledTimestampSeries(m.backups.lastSuccess, { target: 'database' }, t.backupMaxAgeSeconds - 3600)],
        trueAfterMinutes: 0,
      },
    }),
    defineAlert({
      name: 'EventFailuresHigh',
      severity: 'warning',
      for: '0s',
      group: 'operations',
      team,
      expr: `sum(increase(${m.outbound.eventFailures}[1h])) > ${n(t.eventFailuresPerHour)}`,
      summary: `More than ${n(t.eventFailuresPerHour)} events or deliveries failed in the last hour`,
      description: '{{ $value | humanize }} event handlers or delivery attempts failed in the last hour.',
      runbook: `1. Which events and why: \`sum by (event, reason) (increase(event_failures_total[1h]))\`.
2. The rows behind them, newest first: \`tillwatch dlq failures --state retrying\` (the event-failure table, errors redacted).
3. One event type with \`invalid_request\`/\`rejected\`: bad data from one producer. Every type with \`timeout\`/\`unavailable\`: a shared dependency is down.
4. Failed side effects (receipts, warehouse sales) that reached the dead-letter queue are replayed with \`tillwatch dlq replay\` once the cause is fixed.`,
      test: {
        firing: [counterSeries(m.outbound.eventFailures, { event: 'order.completed', reason: 'internal' }, (t.eventFailuresPerHour * 1.2) / 60)],
        quiet: [counterSeries(m.outbound.eventFailures, { event: 'order.completed', reason: 'internal' }, (t.eventFailuresPerHour * 0.9) / 60)],
        trueAfterMinutes: 61,
      },
    }),
    defineAlert({
      name: 'DeadLettersPresent',
      severity: 'info',
      for: '30m',
      group: 'operations',
      team,
      expr: `max by (queue) (${m.deadLetter.depth}) > 0`,
      summary: 'Dead letters waiting in {{ $labels.queue }}',
      description: '{{ $value }} messages in the {{ $labels.queue }} dead-letter queue are waiting for review or replay.',
      runbook: `1. Inspect them: \`tillwatch dlq list --queue <queue>\` (reason, attempts, last error), \`tillwatch dlq show <id>\` for one.
2. Fix the cause (provider credentials, bad data), then \`tillwatch dlq replay --queue <queue> --all\` (or by id): replay is idempotent, each message keeps its idempotency key.
3. Discard only what can never succeed, with \`tillwatch dlq purge <id>\`, and note why (replay and purge are audited).`,
      test: { firing: [gaugeSeries(m.deadLetter.depth, { queue: 'receipt_notifications' }, 1)], quiet: [gaugeSeries(m.deadLetter.depth, { queue: 'receipt_notifications' }, 0)], trueAfterMinutes: 0 },
    }),
    defineAlert({
      name: 'DeadLettersGrowing',
      severity: 'warning',
      for: '0s',
      group: 'operations',
      team,
      expr: `sum by (queue) (increase(${m.deadLetter.deadLettered}[15m])) > 0`,
      summary: 'Messages are being dead-lettered in {{ $labels.queue }}',
      description: '{{ $value | humanize }} messages were dead-lettered in the last 15 minutes: customers may not be getting receipts.',
      runbook: `1. Why: \`sum by (reason) (increase(dlq_dead_lettered_total{queue="<queue>"}[15m]))\`.
2. \`max_retries\`/\`expired\`: the downstream provider (SMS, e-mail, warehouse) failed for longer than the retry budget; check its status and \`dlq_retries_total\`. Replay once it is back.
3. \`non_retryable\`/\`poison_message\`: bad data from one producer (a 4xx from the provider); fix it, then replay or purge.`,
      test: {
        firing: [counterSeries(m.deadLetter.deadLettered, { queue: 'receipt_notifications', reason: 'max_retries' }, 0.2)],
        quiet: [counterSeries(m.deadLetter.deadLettered, { queue: 'receipt_notifications', reason: 'max_retries' }, 0)],
      },
    }),
    defineAlert({
      name: 'DeliveryQueueStale',
      severity: 'warning',
      for: '5m',
      group: 'operations',
      team,
      expr: `max by (queue) (${m.delivery.oldestAge}) > ${n(t.deliveryQueueAgeSeconds)}`,
      summary: `A message in {{ $labels.queue }} has waited more than ${hours(t.deliveryQueueAgeSeconds)}`,
      description: 'The oldest undelivered message in {{ $labels.queue }} is {{ $value | humanizeDuration }} old.',
      runbook: `1. Retrying or not attempted at all? \`sum by (result) (rate(delivery_attempts_total{queue="<queue>"}[15m]))\`: no attempts means no worker is running (check the service's logs and \`delivery_queue_depth\`).
2. Attempts failing: see DeliveryFailureRateHigh; the message will reach the dead-letter queue when its retry budget is spent.
3. One message stuck behind a long backoff is expected during a provider outage; many messages is a backlog.`,
      test: {
        firing: [gaugeSeries(m.delivery.oldestAge, { queue: 'receipt_notifications' }, t.deliveryQueueAgeSeconds + 60)],
        quiet: [gaugeSeries(m.delivery.oldestAge, { queue: 'receipt_notifications' }, t.deliveryQueueAgeSeconds - 60)],
        trueAfterMinutes: 0,
      },
    }),
    defineAlert({
      name: 'DeliveryFailureRateHigh',
      severity: 'warning',
      for: '10m',
      group: 'operations',
      team,
      expr: `sum by (queue) (rate(${m.delivery.attempts.select({ result: { ne: 'success' } })}[${t.rateWindow}])) / sum by (queue) (rate(${m.delivery.attempts}[${t.rateWindow}])) > ${n(t.deliveryFailureRatio)}`,
      summary: `More than ${n(t.deliveryFailureRatio * 100)}% of delivery attempts fail in {{ $labels.queue }}`,
      description: `{{ $value | humanizePercentage }} of delivery attempts in {{ $labels.queue }} failed over the last ${t.rateWindow}.`,
      runbook: `1. Why: \`sum by (event, reason) (rate(event_failures_total[15m]))\`.
2. \`unavailable\`/\`server_error\`/\`timeout\`: the provider is struggling; retries back off on their own, nothing to do unless it lasts longer than the retry budget.
3. \`rate_limited\`: lower the worker's concurrency or ask the provider for a higher limit.
4. \`permanent_error\` results: rejected messages go straight to the dead-letter queue; see DeadLettersGrowing.`,
      test: {
        firing: [
          counterSeries(m.delivery.attempts, { queue: 'receipt_notifications', result: 'success' }, 100 * (1 - t.deliveryFailureRatio * 1.2)),
          counterSeries(m.delivery.attempts, { queue: 'receipt_notifications', result: 'retryable_error' }, 100 * t.deliveryFailureRatio * 1.2),
        ],
        quiet: [
          counterSeries(m.delivery.attempts, { queue: 'receipt_notifications', result: 'success' }, 100 * (1 - t.deliveryFailureRatio * 0.8)),
          counterSeries(m.delivery.attempts, { queue: 'receipt_notifications', result: 'retryable_error' }, 100 * t.deliveryFailureRatio * 0.8),
        ],
      },
    }),
  ];
}

/** Store operations: offline queue, warehouse sync, backups, internal events, dead letters. */
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
      severity: 'warning',
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
      summary: `More than ${n(t.eventFailuresPerHour)} event handlers failed in the last hour`,
      description: '{{ $value | humanize }} internal event handlers threw in the last hour.',
      runbook: `1. Which events: \`sum by (event) (increase(event_failures_total[1h]))\`.
2. Read the handler's error logs; a handler that always fails for one event is a bug, one that fails for all is a dependency.
3. Failed side effects (loyalty points, receipts) may need replaying from the dead-letter queue.`,
      test: {
        firing: [counterSeries(m.outbound.eventFailures, { event: 'order.completed' }, (t.eventFailuresPerHour * 1.2) / 60)],
        quiet: [counterSeries(m.outbound.eventFailures, { event: 'order.completed' }, (t.eventFailuresPerHour * 0.9) / 60)],
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
      runbook: `1. Inspect the messages with the DLQ tool (\`tillwatch dlq list --queue <queue>\`, when it lands) and their last error.
2. Fix the cause, then replay; discard only what can never succeed (and note why).`,
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
2. \`max_retries\`: the downstream provider (SMS, e-mail, webhook) is failing; check its status and \`dlq_retries_total\`.
3. \`non_retryable\`/\`poison_message\`: bad data from one producer; fix it and replay.`,
      test: {
        firing: [counterSeries(m.deadLetter.deadLettered, { queue: 'receipt_notifications', reason: 'max_retries' }, 0.2)],
        quiet: [counterSeries(m.deadLetter.deadLettered, { queue: 'receipt_notifications', reason: 'max_retries' }, 0)],
      },
    }),
  ];
}

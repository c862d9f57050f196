/** Sync and delivery: the warehouse pipeline, offline terminals, durable queues, dead letters, outbound messages. */
import { defineDashboard, type DashboardSpec } from '../panel-spec.ts';
import { perMinute, quantile, sel, type DashboardContext } from './context.ts';

export function syncDeliveryDashboard(ctx: DashboardContext): DashboardSpec {
  const s = (more = '') => sel(ctx, more);
  return defineDashboard({
    uid: `${ctx.service}-sync-delivery`,
    title: `${ctx.service} / Sync and delivery`,
    tags: ['tillwatch', 'sync', 'delivery'],
    rows: [
      {
        title: 'Sync pipelines',
        panels: [
          { title: 'Pipeline staleness', kind: 'timeseries', unit: 's', description: 'Seconds since the last successful batch, by pipeline.', queries: [{ expr: `time() - max by (pipeline) (sync_last_success_timestamp_seconds${s()})`, legend: '{{pipeline}}' }] },
          { title: 'Records synced per minute', kind: 'timeseries', unit: 'short', queries: [{ expr: perMinute(ctx, 'sync_records_total', 'pipeline'), legend: '{{pipeline}}' }] },
          { title: 'Batch duration p95', kind: 'timeseries', unit: 's', queries: [{ expr: quantile(ctx, 0.95, 'sync_batch_duration_seconds', 'pipeline'), legend: '{{pipeline}}' }] },
          { title: 'Sync errors per minute', kind: 'timeseries', unit: 'short', queries: [{ expr: perMinute(ctx, 'sync_errors_total', 'pipeline, error_type'), legend: '{{pipeline}} {{error_type}}' }], rareEvent: 'a reachable warehouse rejects no batch' },
        ],
      },
      {
        title: 'Offline terminals',
        panels: [
          { title: 'Offline queue depth', kind: 'timeseries', unit: 'short', queries: [{ expr: `sum by (location) (offline_queue_depth${s()})`, legend: '{{location}}' }] },
          { title: 'Offline operations per minute by result', kind: 'timeseries', unit: 'short', queries: [{ expr: perMinute(ctx, 'offline_sync_operations_total', 'result'), legend: '{{result}}' }] },
        ],
      },
      {
        title: 'Durable delivery',
        panels: [
          { title: 'Queue depth', kind: 'timeseries', unit: 'short', queries: [{ expr: `sum by (queue) (delivery_queue_depth${s()})`, legend: '{{queue}}' }] },
          { title: 'Oldest message age', kind: 'timeseries', unit: 's', queries: [{ expr: `max by (queue) (delivery_queue_oldest_age_seconds${s()})`, legend: '{{queue}}' }] },
          { title: 'Delivery attempts per minute by result', kind: 'timeseries', unit: 'short', queries: [{ expr: perMinute(ctx, 'delivery_attempts_total', 'queue, result'), legend: '{{queue}} {{result}}' }] },
          { title: 'Dead letters waiting', kind: 'stat', unit: 'short', queries: [{ expr: `sum(dlq_depth${s()})` }], thresholds: [{ color: 'green' }, { value: 1, color: 'yellow' }] },
          { title: 'Dead-lettered per hour', kind: 'timeseries', unit: 'short', queries: [{ expr: `sum by (queue, reason) (increase(dlq_dead_lettered_total${s()}[1h]))`, legend: '{{queue}} {{reason}}' }], rareEvent: 'messages are dead-lettered only after every retry failed' },
          { title: 'Outbound messages per minute', kind: 'timeseries', unit: 'short', queries: [{ expr: perMinute(ctx, 'outbound_messages_total', 'channel, outcome'), legend: '{{channel}} {{outcome}}' }] },
          { title: 'Event failures per hour', kind: 'timeseries', unit: 'short', queries: [{ expr: `sum by (event, reason) (increase(event_failures_total${s()}[1h]))`, legend: '{{event}} {{reason}}' }], rareEvent: 'a failure row is written only when a provider call fails' },
        ],
      },
    ],
  });
}

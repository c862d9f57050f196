/** `commerce.orders`: one call per order outcome. */
import { type Channel, type OrderFailureReason, type VoidReason, catalogue } from '@tillwatch/spec';
import { closedNormalizer, currencyCode, openValue, type LabelInput } from '../metrics/label-normalizer.ts';
import { minorToMajor } from './money.ts';
import { neverThrow } from './never-throw.ts';
import type { RecorderContext } from './recorder-context.ts';

export interface OrderCompleted {
  readonly location: string;
  readonly channel: LabelInput<Channel>;
  /** Order total in integer minor units (cents): exact, the way the till stores it. */
  readonly valueMinor: number;
  /** ISO 4217 code; default: the `currency` option of `createCommerceMetrics`. */
  readonly currency?: string;
  /** Units sold (sum of line quantities). */
  readonly items: number;
}

export interface OrderFailed {
  readonly location: string;
  readonly channel: LabelInput<Channel>;
  readonly reason: LabelInput<OrderFailureReason>;
}

export interface OrderVoided {
  readonly location: string;
  readonly channel: LabelInput<Channel>;
  readonly reason: LabelInput<VoidReason>;
}

export interface OrdersRecorder {
  /**
   * An order was paid and closed: counts it, observes its value and size, and adds its value to
   * `revenue_total`. Never throws; a NaN or negative value or item count is counted by the runtime as an
   * invalid observation while the order itself is still counted.
   * @example commerce.orders.completed({ location: 'store-12', channel: 'in_store', valueMinor: 2599, items: 3 });
   */
  completed(event: OrderCompleted): void;
  /** An order could not be completed. Never throws. */
  failed(event: OrderFailed): void;
  /** An order was voided before completion. Never throws. */
  voided(event: OrderVoided): void;
}

export function createOrdersRecorder(ctx: RecorderContext): OrdersRecorder {
  const m = catalogue.metrics;
  const completed = ctx.metrics.register(m.orders.completed);
  const failed = ctx.metrics.register(m.orders.failed);
  const voided = ctx.metrics.register(m.orders.voided);
  const value = ctx.metrics.register(m.orders.value);
  const items = ctx.metrics.register(m.orders.items);
  const revenue = ctx.metrics.register(m.revenue.revenue);
  const channelOf = closedNormalizer(m.orders.completed.labels.channel);
  const failureReasonOf = closedNormalizer(m.orders.failed.labels.reason);
  const voidReasonOf = closedNormalizer(m.orders.voided.labels.reason);

  return {
    completed: neverThrow((e: OrderCompleted) => {
      const location = openValue(e.location);
      const channel = channelOf(e.channel);
      const currency = currencyCode(e.currency ?? ctx.currency);
      completed.inc({ location, channel });
      const amount = minorToMajor(e.valueMinor, currency);
      value.observe({ channel, currency }, amount);
      items.observe({ channel }, e.items);
      revenue.inc({ location, channel, currency }, amount);
    }),
    failed: neverThrow((e: OrderFailed) => {
      failed.inc({ location: openValue(e.location), channel: channelOf(e.channel), reason: failureReasonOf(e.reason) });
    }),
    voided: neverThrow((e: OrderVoided) => {
      voided.inc({ location: openValue(e.location), channel: channelOf(e.channel), reason: voidReasonOf(e.reason) });
    }),
  };
}

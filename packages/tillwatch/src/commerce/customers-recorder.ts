/** `commerce.customers`: customers identified on orders, and loyalty points. */
import { type Channel, catalogue } from '@tillwatch/spec';
import { closedNormalizer, openValue, type LabelInput } from '../metrics/label-normalizer.ts';
import { neverThrow } from './never-throw.ts';
import type { RecorderContext } from './recorder-context.ts';

export interface CustomerSeen {
  readonly location: string;
  readonly channel: LabelInput<Channel>;
  /** True when this is the customer's first order. */
  readonly firstOrder: boolean;
}

export interface LoyaltyPoints {
  readonly location: string;
  readonly points: number;
}

export interface CustomersRecorder {
  /** A known customer placed an order: counted as new or returning. Never throws. */
  identified(event: CustomerSeen): void;
  /** Loyalty points were credited. Never throws. */
  pointsEarned(event: LoyaltyPoints): void;
  /** Loyalty points were spent. Never throws. */
  pointsRedeemed(event: LoyaltyPoints): void;
}

export function createCustomersRecorder(ctx: RecorderContext): CustomersRecorder {
  const m = catalogue.metrics.customers;
  const created = ctx.metrics.register(m.new);
  const returning = ctx.metrics.register(m.returning);
  const earned = ctx.metrics.register(m.pointsEarned);
  const redeemed = ctx.metrics.register(m.pointsRedeemed);
  const channelOf = closedNormalizer(m.new.labels.channel);
  return {
    identified: neverThrow((e: CustomerSeen) => {
      const labels = { location: openValue(e.location), channel: channelOf(e.channel) };
      (e.firstOrder === true ? created : returning).inc(labels);
    }),
    pointsEarned: neverThrow((e: LoyaltyPoints) => earned.inc({ location: openValue(e.location) }, e.points)),
    pointsRedeemed: neverThrow((e: LoyaltyPoints) => redeemed.inc({ location: openValue(e.location) }, e.points)),
  };
}

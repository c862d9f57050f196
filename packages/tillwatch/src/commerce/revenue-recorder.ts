/** `commerce.revenue`: money leaving again. Revenue itself is added by `commerce.orders.completed`. */
import { catalogue } from '@tillwatch/spec';
import { currencyCode, openValue } from '../metrics/label-normalizer.ts';
import { minorToMajor } from './money.ts';
import { neverThrow } from './never-throw.ts';
import type { RecorderContext } from './recorder-context.ts';

export interface Refund {
  readonly location: string;
  /** Amount refunded in integer minor units (cents). */
  readonly amountMinor: number;
  /** ISO 4217 code; default: the `currency` option. */
  readonly currency?: string;
}

export interface RevenueRecorder {
  /**
   * Money was refunded to a customer: adds to `revenue_refunded_total`. The provider call itself is recorded
   * with `commerce.payments` (operation `refund`). Never throws.
   */
  refunded(event: Refund): void;
}

export function createRevenueRecorder(ctx: RecorderContext): RevenueRecorder {
  const refunded = ctx.metrics.register(catalogue.metrics.revenue.refunded);
  return {
    refunded: neverThrow((e: Refund) => {
      const currency = currencyCode(e.currency ?? ctx.currency);
      refunded.inc({ location: openValue(e.location), currency }, minorToMajor(e.amountMinor, currency));
    }),
  };
}

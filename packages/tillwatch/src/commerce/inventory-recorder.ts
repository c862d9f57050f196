/** `commerce.inventory`: stock movements and stock health per location, never per SKU. */
import { type StockReleaseReason, catalogue } from '@tillwatch/spec';
import { closedNormalizer, openValue, type LabelInput } from './label-normalizer.ts';
import { neverThrow } from './never-throw.ts';
import type { RecorderContext } from './recorder-context.ts';
import { registerCounter, registerGauge } from './register-metric.ts';

export interface StockReserved {
  readonly location: string;
  /** Units reserved. */
  readonly quantity: number;
}

export interface StockReleased extends StockReserved {
  readonly reason: LabelInput<StockReleaseReason>;
}

export interface StockLevels {
  readonly location: string;
  /** Products at or below their reorder point. */
  readonly lowStockProducts: number;
  /** Products with nothing left to sell; omit when unknown. */
  readonly outOfStockProducts?: number;
}

export interface InventoryRecorder {
  /** Stock was reserved for an open order. Never throws. */
  reserved(event: StockReserved): void;
  /** Reserved stock went back on the shelf (void, failure, expiry). Never throws. */
  released(event: StockReleased): void;
  /** Sets the stock-health gauges of a location, e.g. after each stock change or from a periodic job. Never throws. */
  stockLevels(event: StockLevels): void;
}

export function createInventoryRecorder(ctx: RecorderContext): InventoryRecorder {
  const m = catalogue.metrics.inventory;
  const reserved = registerCounter(ctx.factory, m.reserved);
  const released = registerCounter(ctx.factory, m.released);
  const lowStock = registerGauge(ctx.factory, m.lowStock);
  const outOfStock = registerGauge(ctx.factory, m.outOfStock);
  const reasonOf = closedNormalizer(m.released.labels.reason);
  return {
    reserved: neverThrow((e: StockReserved) => reserved.inc({ location: openValue(e.location) }, e.quantity)),
    released: neverThrow((e: StockReleased) => released.inc({ location: openValue(e.location), reason: reasonOf(e.reason) }, e.quantity)),
    stockLevels: neverThrow((e: StockLevels) => {
      const location = openValue(e.location);
      lowStock.set({ location }, e.lowStockProducts);
      if (e.outOfStockProducts !== undefined) outOfStock.set({ location }, e.outOfStockProducts);
    }),
  };
}

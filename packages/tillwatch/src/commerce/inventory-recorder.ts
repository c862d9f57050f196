/** `commerce.inventory`: stock movements and stock health per location, never per SKU. */
import { type StockReleaseReason, catalogue } from '@tillwatch/spec';
import { closedNormalizer, openValue, type LabelInput } from '../metrics/label-normalizer.ts';
import { neverThrow } from './never-throw.ts';
import type { RecorderContext } from './recorder-context.ts';

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
  const reserved = ctx.metrics.register(m.reserved);
  const released = ctx.metrics.register(m.released);
  const lowStock = ctx.metrics.register(m.lowStock);
  const outOfStock = ctx.metrics.register(m.outOfStock);
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

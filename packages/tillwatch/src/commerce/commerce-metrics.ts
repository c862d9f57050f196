/**
 * The commerce recorders: one intention-revealing call per business event, bound to the catalogue
 * (@tillwatch/spec) and registered with a tillwatch `Metrics` instance. Business code never touches a metric
 * name, a label key or a currency exponent; recording never throws; closed-set labels fold unknown values
 * into `other`, and open ones are bounded by the runtime's per-metric series budget.
 *
 * Only metrics with `owner: 'commerce'` and `status: 'exported'` are registered here; the core registers its
 * own, and planned metrics are registered by their features when they land.
 */
import { createComplianceRecorder, type ComplianceRecorder } from './compliance-recorder.ts';
import { createCustomersRecorder, type CustomersRecorder } from './customers-recorder.ts';
import { createInventoryRecorder, type InventoryRecorder } from './inventory-recorder.ts';
import { currencyCode } from '../metrics/label-normalizer.ts';
import { createOfflineQueueRecorder, type OfflineQueueRecorder } from './offline-queue-recorder.ts';
import { createOrdersRecorder, type OrdersRecorder } from './orders-recorder.ts';
import { createOutboundRecorder, type OutboundRecorder } from './outbound-recorder.ts';
import { createPaymentsRecorder, type PaymentsRecorder } from './payments-recorder.ts';
import { createPrintingRecorder, type PrintingRecorder } from './printing-recorder.ts';
import { createProductAnalyticsRecorder, type ProductAnalyticsRecorder } from './product-analytics-recorder.ts';
import { systemClock, type CommerceClock } from './recorder-context.ts';
import type { MetricRegistrar } from '../metrics/metric-registrar.ts';
import { createRevenueRecorder, type RevenueRecorder } from './revenue-recorder.ts';
import { createSyncRecorder, type SyncRecorder } from './sync-recorder.ts';

export interface CommerceMetricsOptions {
  /** ISO 4217 code for money events that do not name one. Default `USD`. */
  readonly currency?: string;
  /** Clocks for durations and timestamps; tests pass fixed ones. Default: `performance.now()` and `Date.now()`. */
  readonly clock?: CommerceClock;
}

export interface CommerceMetrics {
  readonly orders: OrdersRecorder;
  readonly payments: PaymentsRecorder;
  readonly revenue: RevenueRecorder;
  readonly inventory: InventoryRecorder;
  readonly compliance: ComplianceRecorder;
  readonly customers: CustomersRecorder;
  readonly offlineQueue: OfflineQueueRecorder;
  readonly printing: PrintingRecorder;
  readonly sync: SyncRecorder;
  readonly outbound: OutboundRecorder;
  readonly analytics: ProductAnalyticsRecorder;
}

/**
 * Registers the commerce metrics with `metrics` and returns their recorders. Call it once at start-up;
 * calling it again on the same instance returns recorders bound to the same series.
 *
 * @param metrics the tillwatch instance's `Metrics` (`tw.metrics`), or anything with its `register` method.
 * @throws TillwatchError TW_ERR_METRICS_DUPLICATE when the application already registered one of these names
 *   with a different definition (start-up only; recording never throws).
 * @example
 * const commerce = createCommerceMetrics(tw.metrics, { currency: 'EUR' });
 * commerce.orders.completed({ location: 'store-12', channel: 'in_store', valueMinor: 2599, items: 3 });
 * const attempt = commerce.payments.start({ method: 'card' });
 * attempt.succeeded();
 */
export function createCommerceMetrics(metrics: MetricRegistrar, options: CommerceMetricsOptions = {}): CommerceMetrics {
  const ctx = { metrics, currency: currencyCode(options.currency ?? 'USD'), clock: options.clock ?? systemClock };
  return Object.freeze({
    orders: createOrdersRecorder(ctx),
    payments: createPaymentsRecorder(ctx),
    revenue: createRevenueRecorder(ctx),
    inventory: createInventoryRecorder(ctx),
    compliance: createComplianceRecorder(ctx),
    customers: createCustomersRecorder(ctx),
    offlineQueue: createOfflineQueueRecorder(ctx),
    printing: createPrintingRecorder(ctx),
    sync: createSyncRecorder(ctx),
    outbound: createOutboundRecorder(ctx),
    analytics: createProductAnalyticsRecorder(ctx),
  });
}

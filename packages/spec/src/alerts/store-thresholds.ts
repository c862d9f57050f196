/**
 * The default rule pack's thresholds: numbers retail and restaurant operations teams page and warn on,
 * overridable per deployment through `alerts.thresholds` in the deploy config.
 */
import type { Duration } from './duration.ts';

export interface StoreThresholds {
  /**
   * Range of the rate() and increase() windows of the ratio and per-minute alerts. 5m smooths scrape jitter; an
   * end-to-end test with a 1 s scrape interval may use 1m so alerts resolve quickly after a scenario ends.
   */
  readonly rateWindow: Duration;
  /** ServiceDown: scrape target down this long. Default 2 minutes. */
  readonly serviceDownFor: Duration;
  /** HttpErrorRateHigh: share of 5xx. Default 5% for 5 minutes. */
  readonly httpErrorRatio: number;
  readonly httpErrorFor: Duration;
  /** HttpLatencyP95High / P99High in seconds. Default 3 s and 5 s (both bucket boundaries of the HTTP histogram). */
  readonly httpP95Seconds: number;
  readonly httpP99Seconds: number;
  readonly httpLatencyFor: Duration;
  /** SlowQueries: queries over the slow-query threshold (1 s) per minute. */
  readonly slowQueriesPerMinute: number;
  /** DbPoolNearlyExhausted: in-use connections over the pool maximum. Default 90%. */
  readonly dbPoolUtilisation: number;
  /** DbQueryFailureRateHigh. Default 5%. */
  readonly dbQueryFailureRatio: number;
  /** CacheHitRateLow. Default under 80% (15 minutes). */
  readonly cacheHitRatio: number;
  /** PaymentFailureRateHigh (critical). Default 1%. */
  readonly paymentFailureRatio: number;
  /** PaymentsOutcomeUnknown: a payment's outcome at the provider unknown this long. Default 15 minutes. */
  readonly paymentUnknownFor: Duration;
  /** PaymentReconciliationStale: seconds since the last finished reconciliation run. Default 15 minutes. */
  readonly paymentReconciliationMaxAgeSeconds: number;
  /** OrderFailureRateHigh (critical). Default 2%. */
  readonly orderFailureRatio: number;
  /** Orders a location must see within `rateWindow` before its failure ratio may page (quiet-store guard). */
  readonly orderFailureMinOrders: number;
  /** AuthFailuresHigh: rejected requests per minute. Default 50/min. */
  readonly authFailuresPerMinute: number;
  /** RateLimitedClientsHigh: clients rate limited at once. Default 10. */
  readonly rateLimitedClients: number;
  /** CorsViolations: refused cross-origin requests in 15 minutes. */
  readonly corsViolationsPer15m: number;
  /** PrinterAgentsDisconnected: no agent at a location this long. Default 5 minutes. */
  readonly printerAgentsDisconnectedFor: Duration;
  /** PrintSuccessRateLow. Default under 80% for 5 minutes. */
  readonly printSuccessRatio: number;
  /** OfflineQueueBacklog: operations waiting. */
  readonly offlineQueueDepth: number;
  /** OfflineQueueStale: age of the oldest waiting operation, seconds. */
  readonly offlineQueueAgeSeconds: number;
  /** SalesSyncStalled: seconds since the last successful batch. Default 15 minutes. */
  readonly syncStalledSeconds: number;
  /** BackupMissing: seconds since the last successful backup. Default 25 hours. */
  readonly backupMaxAgeSeconds: number;
  /** MemoryHigh: resident memory in bytes. Default 2 GB for 30 minutes (2 GiB here). */
  readonly memoryBytes: number;
  readonly memoryFor: Duration;
  /** EventFailuresHigh: failed event handlers and delivery attempts per hour. Default 5. */
  readonly eventFailuresPerHour: number;
  /** DeliveryQueueStale: age of the oldest undelivered message of a delivery queue, seconds. */
  readonly deliveryQueueAgeSeconds: number;
  /** DeliveryFailureRateHigh: share of failed delivery attempts of one queue. */
  readonly deliveryFailureRatio: number;
}

export const DEFAULT_STORE_THRESHOLDS: StoreThresholds = Object.freeze({
  rateWindow: '5m',
  serviceDownFor: '2m',
  httpErrorRatio: 0.05,
  httpErrorFor: '5m',
  httpP95Seconds: 3,
  httpP99Seconds: 5,
  httpLatencyFor: '5m',
  slowQueriesPerMinute: 1,
  dbPoolUtilisation: 0.9,
  dbQueryFailureRatio: 0.05,
  cacheHitRatio: 0.8,
  paymentFailureRatio: 0.01,
  paymentUnknownFor: '15m',
  paymentReconciliationMaxAgeSeconds: 900,
  orderFailureRatio: 0.02,
  orderFailureMinOrders: 20,
  authFailuresPerMinute: 50,
  rateLimitedClients: 10,
  corsViolationsPer15m: 10,
  printerAgentsDisconnectedFor: '5m',
  printSuccessRatio: 0.8,
  offlineQueueDepth: 100,
  offlineQueueAgeSeconds: 900,
  syncStalledSeconds: 900,
  backupMaxAgeSeconds: 25 * 3600,
  memoryBytes: 2 * 1024 ** 3,
  memoryFor: '30m',
  eventFailuresPerHour: 5,
  deliveryQueueAgeSeconds: 900,
  deliveryFailureRatio: 0.25,
} as const);

/** Threshold keys that are durations (the rest are numbers). */
export const DURATION_THRESHOLDS: readonly (keyof StoreThresholds)[] = ['rateWindow', 'serviceDownFor', 'httpErrorFor', 'httpLatencyFor', 'printerAgentsDisconnectedFor', 'memoryFor', 'paymentUnknownFor'];

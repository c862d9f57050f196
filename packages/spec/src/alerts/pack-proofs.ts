/**
 * How each alert of the default pack is known to work beyond its promtool unit test (which feeds synthetic series):
 * either a test that makes it fire under its real fault (a real service, a real Prometheus or the in-process rule
 * engine, the fault injected for real: a proxy resetting Redis, a stopped provider, a brute-force run), or the
 * capability it is waiting for. Paths are relative to the tillwatch repository; a test there fails when an alert of
 * the pack has no entry, or names a file that does not mention it (packages/spec/test/pack-proofs.test.ts). The
 * alert catalogue (docs/alerts.md) shows the column.
 */
export type AlertProof = { readonly provenBy: string } | { readonly waiting: string };

const STORE_DATA = 'apps/store/test/data-alerts-e2e.test.ts';
const EXAMPLE_POS = 'packages/tillwatch/test/example-nestjs-prisma-redis.test.ts';
const STORE_PAYMENTS = 'apps/store/test/alerting-e2e.test.ts';
const STORE_SECURITY = 'apps/store/test/security-alerts-e2e.test.ts';
const STORE_DELIVERY = 'apps/store/test/delivery-alerts-e2e.test.ts';

export const PACK_ALERT_PROOFS: Readonly<Record<string, AlertProof>> = {
  ServiceDown: { provenBy: EXAMPLE_POS },
  HttpErrorRateHigh: { provenBy: EXAMPLE_POS },
  HttpLatencyP95High: { waiting: 'a request-latency fault the shared test machine can tell from its own load; the store end-to-end run treats it as machine-bound' },
  HttpLatencyP99High: { waiting: 'a request-latency fault the shared test machine can tell from its own load; the store end-to-end run treats it as machine-bound' },
  MemoryHigh: { waiting: 'a memory-pressure fault that does not starve the other suites on the test machine' },
  SlowQueries: { provenBy: STORE_DATA },
  DbPoolNearlyExhausted: { provenBy: EXAMPLE_POS },
  DbQueryFailureRateHigh: { provenBy: EXAMPLE_POS },
  CacheHitRateLow: { provenBy: EXAMPLE_POS },
  DependencyDown: { provenBy: STORE_DATA },
  PaymentFailureRateHigh: { provenBy: STORE_PAYMENTS },
  PaymentsOutcomeUnknown: { waiting: 'an end-to-end alert run that loses capture answers (payment-outcomes.test.ts proves the metric moves, not the alert)' },
  PaymentReconciliationStale: { waiting: 'an end-to-end alert run with the reconciler stopped for longer than its threshold' },
  OrderFailureRateHigh: { provenBy: STORE_PAYMENTS },
  PrinterAgentsDisconnected: { waiting: 'a printer-agent disconnect in an end-to-end alert run (printing.test.ts proves the gauge)' },
  PrintSuccessRateLow: { waiting: 'a failing printer agent in an end-to-end alert run (printing.test.ts proves the counter)' },
  BruteForceSuspected: { provenBy: STORE_SECURITY },
  PasswordSpraySuspected: { provenBy: STORE_SECURITY },
  AuthFailuresHigh: { waiting: 'a login-failure run that holds more than 50 failures a minute for its window; the brute-force run (10 s, stopped once BruteForceSuspected lands) stays under it even with `for: 0s`' },
  RateLimitedClientsHigh: { provenBy: STORE_SECURITY },
  CorsViolations: { provenBy: STORE_SECURITY },
  SyntheticJourneyFailing: { provenBy: 'apps/store/test/synthetic-journeys.test.ts' },
  OfflineQueueBacklog: { waiting: 'an offline-terminal backlog in an end-to-end alert run (offline.test.ts proves the gauge)' },
  OfflineQueueStale: { waiting: 'an offline-terminal backlog held past its age threshold in an end-to-end alert run' },
  SalesSyncStalled: { waiting: 'the sync-stall scenario under a real Prometheus for longer than its 15-minute threshold' },
  BackupMissing: { waiting: 'a controllable clock: it fires 25 hours after the last backup' },
  EventFailuresHigh: { provenBy: STORE_DELIVERY },
  DeadLettersPresent: { provenBy: STORE_DELIVERY },
  DeadLettersGrowing: { provenBy: STORE_DELIVERY },
  DeliveryQueueStale: { waiting: 'a stalled delivery worker in an end-to-end alert run' },
  DeliveryFailureRateHigh: { provenBy: STORE_DELIVERY },
};

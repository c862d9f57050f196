/**
 * `tillwatch/delivery`: durable delivery with retries, dead letters, an event-failure table and the
 * metrics and alerts around them (docs/delivery.md). The queue libraries (pg-boss, BullMQ) are optional
 * peer dependencies, imported only when their backend is created.
 */
export { createDelivery, Delivery, DeliveryQueue } from './delivery.ts';
export type { DeliveryOptions, QueueOptions, EnqueueOptions, WorkOptions, DeliveryJob } from './delivery.ts';
export { retryPolicy, RetryPolicy, DEFAULT_RETRY_POLICY } from './retry-policy.ts';
export type { RetryPolicyOptions, ResolvedRetryPolicyOptions, RetryDecision } from './retry-policy.ts';
export { DeliveryError, isDeliveryError, classifyError, reasonOfHttpStatus, parseRetryAfter, isRetryableReason } from './delivery-error.ts';
export type { DeliveryFailure } from './delivery-error.ts';
export { createDeliveryMetrics } from './delivery-metrics.ts';
export type { DeliveryMetrics, QueueState } from './delivery-metrics.ts';
export { sqlEventFailureStore, eventFailuresTableSql, EVENT_FAILURE_STATES } from './event-failures.ts';
export type { EventFailureStore, EventFailureRecord, EventFailureRow, EventFailureQuery, EventFailureState, SqlEventFailureStoreOptions } from './event-failures.ts';
export { deadLetterAdmin } from './dead-letter-admin.ts';
export type { DeadLetterAdmin, DeadLetterView, DeadLetterAuditRecord, DeadLetterAuditSink, DeadLetterActionResult, DeadLetterAdminOptions } from './dead-letter-admin.ts';
export { asEnvelope, sqlExecutor } from './delivery-backend.ts';
export type {
  DeliveryBackend,
  BackendJob,
  BackendDeadLetters,
  BackendQueueStats,
  DeadLetterSelection,
  DeadLetterPage,
  Envelope,
  QueueSettings,
  Settlement,
  SqlExecutor,
  StoredDeadLetter,
  WorkSettings,
} from './delivery-backend.ts';
export { pgBossBackend, deadLetterQueueOf } from './backends/pg-boss-backend.ts';
export type { PgBossBackendOptions, PgPoolLike, PGliteLike } from './backends/pg-boss-backend.ts';
export { bullmqBackend } from './backends/bullmq-backend.ts';
export type { BullmqBackendOptions } from './backends/bullmq-backend.ts';

/**
 * The store's durable delivery (tillwatch/delivery over pg-boss): in the store's own database, so a message
 * is enqueued in the same transaction as the order change that causes it. On PGlite (the embedded default)
 * pg-boss runs in process on the same PGlite instance; on Postgres it shares the store's pool.
 *
 * Features declare their queues on `deps.delivery` while they register; store.ts starts it after the
 * migrations and before the store reports started, so nothing enqueues before the queues exist.
 */
import type { Tillwatch } from 'tillwatch';
import { createDelivery, pgBossBackend, sqlEventFailureStore, type DeadLetterAuditSink, type Delivery } from 'tillwatch/delivery';
import type { Db, Logger } from '../deps.ts';
import { readDeliverySettings } from './delivery-options.ts';

export async function createStoreDelivery(tw: Tillwatch, db: Db, env: Readonly<Record<string, string | undefined>>, logger: Logger, audit?: DeadLetterAuditSink): Promise<Delivery> {
  const s = readDeliverySettings(env);
  const log = logger.child({ module: 'delivery' });
  const onLibraryEvent = (kind: 'error' | 'warning', payload: unknown): void => {
    log.warn({ code: 'TWWRN203', library: 'pg-boss', kind, detail: payload }, `pg-boss ${kind}`);
  };
  const connection = db.pool ? { pool: db.pool } : { pglite: db.pglite as NonNullable<Db['pglite']> };
  const backend = await pgBossBackend({ ...connection, superviseIntervalSeconds: s.superviseIntervalSeconds, onLibraryEvent });
  return createDelivery({
    tillwatch: tw,
    backend,
    eventFailures: sqlEventFailureStore({ db, redactor: tw.redactor }),
    retry: { maxAttempts: s.maxAttempts, baseDelayMs: s.baseDelayMs, maxDelayMs: s.maxDelayMs, retryBudgetMs: s.retryBudgetMs },
    leaseSeconds: s.leaseSeconds,
    pollIntervalMs: s.pollIntervalMs,
    statsIntervalMs: s.statsIntervalMs,
    ...(audit ? { audit } : {}),
  });
}

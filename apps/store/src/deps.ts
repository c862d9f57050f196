/**
 * What every part of the store is handed at start-up: one object, built once by startStore
 * (store.ts), never a module-level singleton. Features (features/<name>/plugin.ts) receive it as their
 * second argument.
 */
import type { Tillwatch } from 'tillwatch';
import type { Delivery } from 'tillwatch/delivery';
import type { Dependencies } from 'tillwatch/dependencies';
import type { SecurityEvents } from 'tillwatch/security';
import type { Cache } from './cache/cache.ts';
import type { CommerceMetrics } from './commerce.ts';
import type { StoreConfig } from './config.ts';
import type { Db } from './db/db.ts';
import type { StoreEvents } from './events.ts';
import type { StoreSecurityConfig } from './security/security-config.ts';
import type { StoreAudit } from './audit/store-audit.ts';

export type { Cache } from './cache/cache.ts';
export type { CommerceMetrics } from './commerce.ts';
export type { StoreConfig } from './config.ts';
export type { Db, Queryable } from './db/db.ts';
export type { StoreEvents, OrderCompletedEvent, OrderVoidedEvent, OrderRefundedEvent, OrderEventItem, SaleCompletingEvent } from './events.ts';
export type { Delivery } from 'tillwatch/delivery';

/** tillwatch's pino logger (child loggers: `deps.logger.child({ module: 'printing' })`). */
export type Logger = Tillwatch['logger'];

export interface StoreDeps {
  readonly tw: Tillwatch;
  readonly logger: Logger;
  readonly db: Db;
  readonly cache: Cache;
  readonly commerce: CommerceMetrics;
  readonly events: StoreEvents;
  readonly config: StoreConfig;
  /** Security events (tillwatch/security): logins, lockouts, token failures, privilege escalation, rate limits, CORS. */
  readonly security: SecurityEvents;
  /** Login throttles, rate limit, CORS origins and the source-address mode (security/security-config.ts). */
  readonly securityConfig: StoreSecurityConfig;
  /** The tamper-evident audit trail: `audit.record(tx, user, { action, target, before, after })` inside the change's transaction. */
  readonly audit: StoreAudit;
  /**
   * Durable delivery (tillwatch/delivery over pg-boss in the store's database): features declare their
   * queues on it while they register; it is started before the store reports started.
   */
  readonly delivery: Delivery;
  /**
   * External dependencies (tillwatch/dependencies): the payment provider is registered at start-up; features
   * add theirs (`deps.dependencies.add`) and call them through the dependency's timed `fetch`.
   */
  readonly dependencies: Dependencies;
  /**
   * Resolves true once the store has started (migrations applied, seed done, delivery started), false
   * when start-up failed; never rejects. Workers that read or write the schema or a queue wait on it.
   */
  readonly started: Promise<boolean>;
}

/**
 * What every part of the store is handed at start-up: one object, built once by startStore
 * (store.ts), never a module-level singleton. Features (features/<name>/plugin.ts) receive it as their
 * second argument.
 */
import type { Tillwatch } from 'tillwatch';
import type { Cache } from './cache/cache.ts';
import type { CommerceMetrics } from './commerce.ts';
import type { StoreConfig } from './config.ts';
import type { Db } from './db/db.ts';
import type { StoreEvents } from './events.ts';

export type { Cache } from './cache/cache.ts';
export type { CommerceMetrics } from './commerce.ts';
export type { StoreConfig } from './config.ts';
export type { Db, Queryable } from './db/db.ts';
export type { StoreEvents, OrderCompletedEvent, OrderVoidedEvent, OrderRefundedEvent, OrderEventItem } from './events.ts';

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
  /**
   * Resolves true once the store has started (migrations applied, seed done), false when start-up
   * failed; never rejects. Workers that read or write the schema wait on it.
   */
  readonly started: Promise<boolean>;
}

/**
 * Start-up and shutdown of one store instance; used by main.ts and by the tests.
 *
 * Order: open the database and cache (fail fast when unreachable) -> register health checks and
 * shutdown hooks -> prepare delivery (queues live in the same database) -> build the app (features
 * declare their queues) -> listen (the startup probe answers 503, business routes 503
 * STORE_UNAVAILABLE) -> run migrations and seed -> start delivery -> `tw.markStarted()`.
 *
 * Shutdown (SIGTERM, through tillwatch's lifecycle): readiness turns 503, the server drains, then
 * the hooks run in reverse registration order: the app's onClose hooks (feature workers, WebSocket
 * servers) first, then delivery (workers stop; a message in hand finishes or comes back after its
 * lease), then the cache, then the database, so nothing still running loses its storage.
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { pgliteCheck, postgresCheck, redisCheck, type Tillwatch } from 'tillwatch';
import { instrumentPg, instrumentPglite } from 'tillwatch/pg';
import { instrumentIoredis } from 'tillwatch/redis';
import { createDependencies } from 'tillwatch/dependencies';
import { buildStoreApp } from './app.ts';
import { memoryCache, redisCache, type Cache, type CacheHooks } from './cache/cache.ts';
import { createSecurityEvents } from 'tillwatch/security';
import { createStoreCommerce, createStoreTelemetry } from './commerce.ts';
import { loadSecurityConfig } from './security/security-config.ts';
import { createStoreAudit, dlqAuditSink, startAuditCheckpoints } from './audit/store-audit.ts';
import type { StoreConfig } from './config.ts';
import { openDb, type Db } from './db/db.ts';
import { migrate, type MigrationResult } from './db/migrate.ts';
import { seed } from './db/seed.ts';
import { scheduleBackups } from './db/backup.ts';
import { scheduleAuditArchival, type AuditArchivalSchedule } from './audit/audit-archival.ts';
import { createStoreDelivery } from './delivery/store-delivery.ts';
import type { StoreDeps } from './deps.ts';
import { StoreEvents } from './events.ts';
import { createInProcessMonitoring, type InProcessMonitoring } from './http/console.ts';
import { createStartup } from './startup.ts';
import type { FeatureName, FeatureSelection } from './features/index.ts';
import type { OrderService } from './orders/order-service.ts';

export interface StartStoreOptions {
  readonly config: StoreConfig;
  readonly tw: Tillwatch;
  /** Which peripheral features to register (default all). */
  readonly features?: FeatureSelection;
  /**
   * Evaluate the deploy config's rules in process and serve the live console at /console (main.ts turns it on
   * unless NODE_ENV=production or TILLWATCH_CONSOLE=off). Default false.
   */
  readonly console?: boolean;
  /** Called after listen, before migrations (tests use it to observe the startup probe). */
  readonly beforeMigrations?: (url: string) => Promise<void>;
}

export interface RunningStore {
  readonly url: string;
  readonly port: number;
  readonly app: FastifyInstance;
  readonly deps: StoreDeps;
  readonly orders: OrderService;
  readonly features: readonly FeatureName[];
  /** The in-process monitor behind /console, when `console` is on. */
  readonly monitoring: InProcessMonitoring | undefined;
  /** Migration versions applied by this start. */
  readonly migrationsApplied: readonly string[];
  /** Closes the app, cache and database (tests; main.ts relies on tillwatch's shutdown instead). */
  close(): Promise<void>;
}

/** Opens storage, builds the app, listens, migrates, seeds, then marks the service started. */
export async function startStore(opts: StartStoreOptions): Promise<RunningStore> {
  const { config, tw } = opts;
  const logger = tw.logger.child({ module: 'store' });
  const commerce = createStoreCommerce(tw, config.currency);
  const telemetry = createStoreTelemetry(tw, commerce);
  const securityConfig = loadSecurityConfig(config.env);
  const audit = createStoreAudit(tw, config);
  const security = createSecurityEvents(tw, { sourceAddress: securityConfig.sourceAddress, hashKey: securityConfig.hashKey });

  // Every statement of the store, its migrations and its queues (pg-boss shares the pool) is timed by tillwatch/pg.
  const dbTelemetry = { pool: 'store', slowQueryMs: config.slowQueryMs };
  const db: Db = await openDb({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    statementTimeoutMs: config.dbStatementTimeoutMs,
    instrument: { pool: (pool) => instrumentPg(tw, pool, dbTelemetry), pglite: (pglite) => instrumentPglite(tw, pglite, dbTelemetry) },
  });
  tw.onShutdown('database', () => db.close());
  if (db.pool) tw.health.add(postgresCheck({ client: db.pool }));
  else if (db.pglite) tw.health.add(pgliteCheck({ db: db.pglite }));

  const cacheHooks: CacheHooks = {
    onLookup: (outcome) => {
      if (outcome !== 'error') telemetry.cacheLookup('products', outcome);
    },
    onError: (operation, err) => {
      telemetry.cacheLookup('products', 'error', operation === 'del' ? 'delete' : operation);
      logger.warn({ err, operation, code: 'STOREWRN002' }, 'cache operation failed; treated as a miss');
    },
  };
  let cache: Cache;
  try {
    cache = config.redisUrl
      ? await redisCache({ url: config.redisUrl, keyPrefix: config.redisKeyPrefix, instrument: (redis) => instrumentIoredis(tw, redis, { connection: 'cache' }) }, cacheHooks)
      : memoryCache(cacheHooks);
  } catch (err) {
    await db.close();
    throw new Error(`could not connect to Redis (REDIS_URL): ${(err as Error).message}`, { cause: err });
  }
  tw.onShutdown('cache', () => cache.close());

  let delivery: Awaited<ReturnType<typeof createStoreDelivery>>;
  try {
    delivery = await createStoreDelivery(tw, db, config.env, tw.logger, dlqAuditSink(audit, db));
  } catch (err) {
    await cache.close();
    await db.close();
    throw err;
  }
  tw.onShutdown('delivery', () => delivery.stop());
  // A listener that throws is an event failure like a failed delivery: counted by type and reason,
  // kept in the event-failure table (payload-free: the event is only named by its order).
  const events = new StoreEvents((event, err, payload) => {
    logger.error({ err, event }, 'store event listener failed');
    const orderId = (payload as { orderId?: unknown } | undefined)?.orderId;
    void delivery.recordEventFailure({ event, key: typeof orderId === 'string' ? orderId : `${event}:${Date.now()}`, error: err });
  });
  const startup = createStartup();
  // The payment provider is required: without it no card sale completes, so readiness fails.
  const dependencies = createDependencies(tw, [{ name: 'payment_provider', check: `${config.paymentProviderUrl.replace(/\/+$/, '')}/health`, checkIntervalMs: config.dependencyCheckIntervalMs }]);
  // The cache is an optimisation: when Redis is down the store serves from the database, so readiness reports
  // "degraded" (200) rather than taking every instance out of the load balancer. As a dependency its periodic
  // check (the same PING as redisCheck, never queued offline) also sets dependency_up{dependency="redis"}.
  if (cache.redis) {
    const check = redisCheck({ client: cache.redis });
    dependencies.add({ name: 'redis', required: false, check: async (signal) => void (await check.run(signal)), checkIntervalMs: config.dependencyCheckIntervalMs });
  }
  const deps: StoreDeps = { tw, logger: tw.logger, db, cache, commerce, events, config, security, securityConfig, audit, delivery, dependencies, started: startup.started };
  let monitoring: InProcessMonitoring | undefined;
  try {
    monitoring = opts.console === true ? await createInProcessMonitoring(deps) : undefined;
  } catch (err) {
    await delivery.stop().catch(() => {});
    await cache.close();
    await db.close();
    throw err;
  }
  const built = await buildStoreApp(deps, { features: opts.features, startup, telemetry, monitoring });
  const { app } = built;
  // Registered after the database: shutdown hooks run in reverse, so the reconciler stops first.
  tw.onShutdown('payment reconciler', () => built.reconciler.stop());
  tw.onShutdown('store app', async () => {
    try {
      await app.close();
    } catch (err) {
      logger.warn({ err }, 'closing the app failed');
    }
  });

  let port: number;
  let result: MigrationResult;
  try {
    await app.listen({ port: config.port, host: config.host });
    port = (app.server.address() as AddressInfo).port;
    if (opts.beforeMigrations) await opts.beforeMigrations(`http://127.0.0.1:${port}`);
    result = await migrate(db);
    if (result.renumbered.length > 0) logger.info({ renumbered: result.renumbered }, 'migration versions renumbered');
    if (result.applied.length > 0) logger.info({ applied: result.applied }, 'migrations applied');
    await seed(db, config.locations);
    await built.products.refreshStockLevels(config.locations);
    await delivery.start();
    if (monitoring) {
      // Restores the persisted windows (the database is migrated by now) and starts sampling. Its hook runs
      // first on shutdown, so the last windows are saved while the database is still open.
      await monitoring.monitor.start();
      const monitor = monitoring.monitor;
      tw.onShutdown('in-process monitor', () => monitor.stop());
    }
  } catch (err) {
    // A failed start-up releases what it opened, so the caller (or a test) can exit or retry cleanly.
    startup.settle(false);
    await built.reconciler.stop();
    await app.close().catch(() => {});
    await delivery.stop().catch(() => {});
    await cache.close().catch(() => {});
    await db.close().catch(() => {});
    throw err;
  }
  startup.settle(true);
  const stopCheckpoints = startAuditCheckpoints(tw, audit, db);
  built.reconciler.start();
  if (config.backupDir !== undefined) {
    const backups = scheduleBackups(tw, db, { dir: config.backupDir, intervalMs: config.backupIntervalMs, keep: config.backupKeep, databaseUrl: config.databaseUrl });
    tw.onShutdown('backups', () => backups.stop());
    // The first backup right away (failures are logged and counted: BackupMissing pages if they go on).
    void backups.runNow().catch(() => {});
  }
  let archival: AuditArchivalSchedule | undefined;
  if (audit.archive !== undefined) {
    archival = scheduleAuditArchival(tw, audit, db);
    tw.onShutdown('audit archival', () => archival?.stop());
    // The first run right away (failures are logged and counted: BackupMissing{target="audit_archive"} if they go on).
    void archival.runNow().catch(() => {});
  }
  tw.markStarted();
  const url = `http://127.0.0.1:${port}`;
  logger.info({ port, db: db.kind, cache: cache.kind, features: built.features }, 'store started');

  let closed = false;
  return {
    url,
    port,
    app,
    deps,
    orders: built.orders,
    features: built.features,
    monitoring,
    migrationsApplied: result.applied,
    async close() {
      if (closed) return;
      closed = true;
      await monitoring?.monitor.stop();
      await built.reconciler.stop();
      await app.close();
      await archival?.stop();
      await stopCheckpoints().catch(() => {});
      await delivery.stop();
      await cache.close();
      await db.close();
    },
  };
}

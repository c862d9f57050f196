/**
 * Keeps a node-postgres `Pool` from crashing the process when its connections die.
 *
 * A pg client whose socket is reset (a database restart, a failover, a network partition ending in an RST)
 * emits `error`. While the client is idle in the pool, the pool forwards it as the pool's `error` event; while a
 * caller holds it (between `pool.connect()` and `release()`), nobody listens, and an `error` event without a
 * listener is an uncaught exception: exit 1, with every in-flight request lost. This guard listens on the pool
 * and on every client it opens, logs the failure once per connection (redacted, without the connection string)
 * and counts it in `db_connection_errors_total`. The failed client is discarded by pg itself: the query that was
 * running on it rejects, and `release(err)` (or `pool.query`) removes it from the pool.
 *
 * Pair it with bounded statements, so an outage fails requests fast instead of holding them:
 * `new Pool({ statement_timeout, query_timeout, connectionTimeoutMillis, keepAlive: true })`.
 * @example
 * ```ts
 * const pool = new pg.Pool({ connectionString, statement_timeout: 5000, query_timeout: 6000, connectionTimeoutMillis: 5000, keepAlive: true });
 * guardPgPool(pool, { tillwatch: tw });
 * tw.health.add(postgresCheck({ client: pool }));
 * ```
 */
import { catalogue } from '@tillwatch/spec';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics/metrics.ts';

/** What the guard needs from a node-postgres Pool: its events. Structural, so tillwatch does not depend on `pg`. */
export interface PgPoolEvents {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- pg declares one overload per event
  on(event: 'error' | 'connect', listener: (...args: any[]) => void): unknown;
}

export interface GuardPgPoolOptions {
  /** The instance whose logger and metrics record the failures. */
  readonly tillwatch: { readonly logger: Logger; readonly metrics: Metrics };
  /** Names the pool in log lines (default `postgres`). */
  readonly name?: string;
}

const guarded = new WeakSet<object>();

/** Attaches the error listeners (once per pool; a second call is a no-op). Never throws. */
export function guardPgPool(pool: PgPoolEvents, opts: GuardPgPoolOptions): void {
  if (guarded.has(pool)) return;
  guarded.add(pool);
  const name = opts.name ?? 'postgres';
  const logger = opts.tillwatch.logger.child({ module: 'database', pool: name });
  const errors = opts.tillwatch.metrics.register(catalogue.metrics.database.connectionErrors);
  const seen = new WeakSet<object>();
  const onError = (err: unknown, client: unknown): void => {
    // A client can emit more than one error while it dies, and the pool forwards an idle client's error too.
    if (typeof client === 'object' && client !== null) {
      if (seen.has(client)) return;
      seen.add(client);
    }
    try {
      errors.inc();
      const e = err as { code?: unknown; message?: unknown };
      logger.warn(
        { code: 'TWWRN008', error_code: typeof e?.code === 'string' ? e.code : undefined, error: typeof e?.message === 'string' ? e.message.slice(0, 200) : String(err) },
        'database connection lost; discarded (the statement it was running failed)',
      );
    } catch {
      // telemetry never throws
    }
  };
  pool.on('error', (err: unknown, client: unknown) => onError(err, client));
  pool.on('connect', (client: { on?: (event: 'error', listener: (err: unknown) => void) => unknown }) => {
    client.on?.('error', (err: unknown) => onError(err, client));
  });
}

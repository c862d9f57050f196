/**
 * node-postgres (`pg`) instrumentation: one call on a `pg.Pool` or a `pg.Client`, in place.
 *
 * - Pool: `connect` is wrapped, so every checkout is timed (`db_pool_acquire_duration_seconds`) and every client
 *   it hands out, including the ones `pool.query()` borrows internally, has its `query` timed once. Pool sizes
 *   are read at scrape time; failed connects and connections that die count as connection errors.
 * - Connections that die never crash the process. A client whose socket is reset (a database restart, a
 *   failover, a partition ending in an RST) emits `error`; while it sits idle the pool forwards it as the pool's
 *   `error`, but while a caller holds it (a transaction in progress) nobody listens, and an `error` event without
 *   a listener is an uncaught exception: exit 1, every in-flight request lost. Every client the pool opens gets a
 *   listener: the failure is counted once per connection, logged as TWWRN008 (without the connection string),
 *   and pg discards the client (the statement running on it rejects).
 * - Client: its `query` is timed; its `error` events count as connection errors.
 *
 * Promise, callback and `Submittable` (cursor, stream) forms all keep working; submittables pass through
 * untimed (their rows arrive in pieces). Structural types only: tillwatch does not depend on `pg`.
 */
import { DbTelemetry, type DbInstrumentationOptions, type DbTelemetryHost } from './db-telemetry.ts';

type AnyFn = (...args: any[]) => any;

/** What is used of a `pg.Client` (or a pool's client). */
export interface PgClientLike {
  query: AnyFn;
  on?(event: 'error', listener: (err: Error) => void): unknown;
}

/** What is used of a `pg.Pool`. */
export interface PgPoolLike {
  connect: AnyFn;
  on(event: 'error' | 'connect', listener: (...args: any[]) => void): unknown;
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
  readonly options?: { readonly max?: number };
}

const INSTRUMENTED = Symbol.for('tillwatch.db.instrumented');

function isPool(x: PgPoolLike | PgClientLike): x is PgPoolLike {
  return typeof (x as PgPoolLike).totalCount === 'number' && typeof (x as PgPoolLike).connect === 'function';
}

function now(): number {
  return performance.now();
}

/** Wraps one client's `query` so each statement is recorded once. Idempotent. */
function wrapClientQuery(client: PgClientLike, db: DbTelemetry): void {
  const marked = client as PgClientLike & { [INSTRUMENTED]?: DbTelemetry };
  if (marked[INSTRUMENTED] !== undefined) return;
  marked[INSTRUMENTED] = db;
  const original = client.query;
  client.query = function instrumentedQuery(this: unknown, config: unknown, values?: unknown, callback?: unknown): unknown {
    if (config !== null && typeof config === 'object' && typeof (config as { submit?: unknown }).submit === 'function') {
      return original.apply(this, arguments as unknown as unknown[]);
    }
    const text = typeof config === 'string' ? config : (config as { text?: unknown } | null)?.text;
    const sql = typeof text === 'string' ? text : undefined;
    const start = now();
    const cb = typeof values === 'function' ? values : typeof callback === 'function' ? callback : undefined;
    if (cb !== undefined) {
      const done = (err: unknown, res: unknown): void => {
        db.query(sql, (now() - start) / 1000, err ?? undefined);
        (cb as AnyFn)(err, res);
      };
      return typeof values === 'function' ? original.call(this, config, done) : original.call(this, config, values, done);
    }
    const result = original.apply(this, arguments as unknown as unknown[]);
    if (result === null || typeof result !== 'object' || typeof (result as Promise<unknown>).then !== 'function') return result;
    return (result as Promise<unknown>).then(
      (r) => {
        db.query(sql, (now() - start) / 1000);
        return r;
      },
      (err: unknown) => {
        db.query(sql, (now() - start) / 1000, err);
        throw err;
      },
    );
  };
}

/** Counts and logs a connection's failure once, however many `error` events it emits and whoever forwards them. */
function connectionLost(db: DbTelemetry): (err: unknown, client: unknown) => void {
  const seen = new WeakSet<object>();
  return (err, client) => {
    if (typeof client === 'object' && client !== null) {
      if (seen.has(client)) return;
      seen.add(client);
    }
    db.connectionError();
    db.connectionLost(err);
  };
}

function instrumentPool(pool: PgPoolLike, db: DbTelemetry, queries: boolean): void {
  const lost = connectionLost(db);
  pool.on('connect', (client: PgClientLike) => {
    client.on?.('error', (err: Error) => lost(err, client));
  });
  const original = pool.connect;
  pool.connect = function instrumentedConnect(this: unknown, callback?: unknown): unknown {
    const start = now();
    if (typeof callback === 'function') {
      return original.call(this, (err: unknown, client: PgClientLike | undefined, release: unknown) => {
        db.acquired((now() - start) / 1000);
        if (err) db.connectionError();
        else if (client && queries) wrapClientQuery(client, db);
        (callback as AnyFn)(err, client, release);
      });
    }
    return (original.call(this) as Promise<PgClientLike>).then(
      (client) => {
        db.acquired((now() - start) / 1000);
        if (queries) wrapClientQuery(client, db);
        return client;
      },
      (err: unknown) => {
        db.acquired((now() - start) / 1000);
        db.connectionError();
        throw err;
      },
    );
  };
  pool.on('error', (err: unknown, client: unknown) => lost(err, client));
  db.watchPool(() => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: pool.options?.max ?? 10 }));
}

/**
 * Instruments a `pg.Pool` or a `pg.Client` in place and returns it.
 * @param host the tillwatch instance (`tw`), or anything with its `metrics` and `logger`.
 * @param target the pool or client; instrumenting the same one twice does nothing more.
 * @param opts pool label, slow-query threshold, table budget.
 * @throws TillwatchConfigError TW_ERR_CONFIG_INVALID for a bad option (at start-up).
 * @example
 * const pool = instrumentPg(tw, new pg.Pool({ connectionString }), { pool: 'main', slowQueryMs: 500 });
 */
export function instrumentPg<T extends PgPoolLike | PgClientLike>(host: DbTelemetryHost, target: T, opts: DbInstrumentationOptions = {}): T {
  const marked = target as T & { [INSTRUMENTED]?: DbTelemetry };
  if (marked[INSTRUMENTED] !== undefined) return target;
  const db = new DbTelemetry(host, opts);
  if (isPool(target)) {
    marked[INSTRUMENTED] = db;
    instrumentPool(target, db, opts.queries !== false);
  } else {
    wrapClientQuery(target, db);
    const lost = connectionLost(db);
    target.on?.('error', (err: Error) => lost(err, target));
  }
  return target;
}

/**
 * One database interface over two engines: PGlite (embedded Postgres, the default: nothing to
 * install) and a real Postgres through a pg Pool (DATABASE_URL). The same SQL runs on both, so keep
 * to what both return identically: INTEGER (money is in minor units), TEXT, BOOLEAN, TIMESTAMPTZ,
 * JSONB; cast aggregates (`count(*)::int`), because pg returns BIGINT as a string.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { MEMORY_DATA_DIR } from '../config.ts';
import { withStatementErrors } from './statement-errors.ts';

/** Something SQL can be sent to: the database itself or an open transaction. */
export interface Queryable {
  /** Runs one parameterised statement ($1, $2...) and returns its rows. */
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Db extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /**
   * Runs `fn` in a transaction: committed when it resolves, rolled back when it throws (the error is
   * rethrown). Every state change of a request goes through one, so bad input changes nothing.
   */
  tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** The pg Pool (kind 'postgres'), for health checks and pool metrics. */
  readonly pool: pg.Pool | undefined;
  /** The PGlite instance (kind 'pglite'), for health checks. */
  readonly pglite: PGlite | undefined;
  /**
   * Fault injection for demos and the simulator's slow-db scenario: every statement waits this long
   * first. 0 (the default) turns it off.
   */
  setInjectedLatencyMs(ms: number): void;
  injectedLatencyMs(): number;
}

export interface OpenDbOptions {
  /** A Postgres URL; when set, PGlite is not used. */
  databaseUrl?: string | undefined;
  /** PGlite data directory, or `memory://`. */
  dataDir: string;
  /** Pool size for Postgres. */
  maxConnections?: number;
  /**
   * Postgres: the server cancels a statement running longer than this (`statement_timeout`), and the client
   * gives up 1 s later (`query_timeout`: a statement on a connection whose packets are dropped never hears
   * back from the server). Default 5000.
   */
  statementTimeoutMs?: number;
  /** Postgres: waiting for a new connection is bounded by this. Default 2000. */
  connectTimeoutMs?: number;
  /**
   * Called with the driver before the first query, after the fault-injection delay is installed on it, so
   * instrumentation wrapped around the driver measures injected latency like real latency (tillwatch/pg).
   */
  instrument?: { pool?(pool: pg.Pool): void; pglite?(db: PGlite): void };
}

/**
 * Opens the database the options select. Does not run migrations (see migrate.ts). A failed statement's
 * error carries the statement and its SQLSTATE, never its bound values (statement-errors.ts).
 */
export async function openDb(opts: OpenDbOptions): Promise<Db> {
  return withStatementErrors(await (opts.databaseUrl ? openPostgres(opts.databaseUrl, opts, opts.instrument?.pool) : openPglite(opts.dataDir, opts.instrument?.pglite)));
}

/** Connection-level failures (and cancelled statements) that mean "the database is unavailable right now". */
const UNAVAILABLE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const UNAVAILABLE_MESSAGES = /^(Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|Connection ended unexpectedly|Cannot use a pool after calling end)/;

/**
 * True when `err` says the database could not be reached or did not answer in time (the request should get a
 * 503 and be retried), rather than a statement the database refused (a bug, a constraint).
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown; cause?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  const code = typeof e.code === 'string' ? e.code : '';
  // 57014 statement cancelled (statement_timeout), 57P0x server shutting down / cannot connect now, 08xxx
  // connection exceptions, 53300 too many connections.
  if (/^(57014|57P0[1-3]|08...|53300)$/.test(code) || UNAVAILABLE_CODES.has(code)) return true;
  if (typeof e.message === 'string' && UNAVAILABLE_MESSAGES.test(e.message)) return true;
  return e.cause !== undefined && e.cause !== err && isDatabaseUnavailable(e.cause);
}

type AnyFn = (...args: any[]) => any;

/**
 * Fault injection on the driver itself: `fn` (a query method) waits `get()` ms first. Callback-style calls
 * (pg's pool.query hands its client a callback) wait the same way.
 */
function delayed(fn: AnyFn, get: () => number): AnyFn {
  return function delayedQuery(this: unknown, ...args: unknown[]): unknown {
    const ms = get();
    if (ms <= 0) return fn.apply(this, args);
    const last = args[args.length - 1];
    if (typeof last === 'function') {
      setTimeout(() => fn.apply(this, args), ms);
      return undefined;
    }
    return sleep(ms).then(() => fn.apply(this, args));
  };
}

/**
 * An in-memory PGlite starts from a cached, freshly initialised data directory (a tarball in the OS
 * temp directory, one per PGlite version): `initdb` takes seconds, loading the tarball a fraction of
 * that. Used by tests and demos that ask for `memory://`; a cache that cannot be read or written is
 * simply not used.
 */
async function openMemoryPglite(): Promise<PGlite> {
  let version = 'unknown';
  try {
    // package.json is not in the package's exports map: find it next to the resolved entry point.
    const entry = fileURLToPath(import.meta.resolve('@electric-sql/pglite'));
    version = (JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    // the cache key only
  }
  const file = join(tmpdir(), `tillwatch-store-pglite-${version}.tar`);
  if (existsSync(file)) {
    try {
      const db = new PGlite({ loadDataDir: new Blob([readFileSync(file)]) });
      await db.waitReady;
      return db;
    } catch {
      // a corrupt or partial cache: fall through to a fresh instance
    }
  }
  const db = new PGlite();
  await db.waitReady;
  try {
    const dump = await db.dumpDataDir('none');
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()));
    renameSync(tmp, file);
  } catch {
    // caching is an optimisation
  }
  return db;
}

async function openPglite(dataDir: string, instrument?: (db: PGlite) => void): Promise<Db> {
  if (dataDir !== MEMORY_DATA_DIR) mkdirSync(dataDir, { recursive: true });
  const db = dataDir === MEMORY_DATA_DIR ? await openMemoryPglite() : new PGlite(dataDir);
  await db.waitReady;
  let injected = 0;
  const get = () => injected;
  db.query = delayed(db.query, get) as PGlite['query'];
  db.exec = delayed(db.exec, get) as PGlite['exec'];
  const transaction = db.transaction;
  db.transaction = function delayedTransaction(this: PGlite, fn: AnyFn) {
    return transaction.call(this, (t) => {
      t.query = delayed(t.query, get) as typeof t.query;
      t.exec = delayed(t.exec, get) as typeof t.exec;
      return fn(t);
    });
  } as PGlite['transaction'];
  instrument?.(db);
  let closed = false;
  return {
    kind: 'pglite',
    pool: undefined,
    pglite: db,
    async query<T>(sql: string, params?: unknown[]): Promise<T[]> {
      return (await db.query<T>(sql, params as unknown[] | undefined)).rows;
    },
    async exec(sql: string): Promise<void> {
      await db.exec(sql);
    },
    async tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
      return db.transaction(async (t) =>
        fn({
          async query<R>(sql: string, params?: unknown[]): Promise<R[]> {
            return (await t.query<R>(sql, params as unknown[] | undefined)).rows;
          },
          async exec(sql: string): Promise<void> {
            await t.exec(sql);
          },
        }),
      );
    },
    async close() {
      if (closed) return;
      closed = true;
      await db.close();
    },
    setInjectedLatencyMs(ms) {
      injected = Math.max(0, ms);
    },
    injectedLatencyMs: () => injected,
  };
}

async function openPostgres(url: string, opts: OpenDbOptions, instrument?: (pool: pg.Pool) => void): Promise<Db> {
  const statementTimeoutMs = opts.statementTimeoutMs ?? 5000;
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.maxConnections ?? 10,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 2000,
    idleTimeoutMillis: 30_000,
    statement_timeout: statementTimeoutMs,
    query_timeout: statementTimeoutMs + 1000,
    keepAlive: true,
  });
  // A client's error (server restart, reset, network) must never crash the process, idle or checked out:
  // the statement running on it fails (503 to its request), pg discards the client, and the readiness check
  // reports the outage. tillwatch/pg (instrument) also counts and logs them; these listeners are the floor.
  pool.on('error', () => {});
  let injected = 0;
  const get = () => injected;
  // Every new connection gets the injected delay before anything (instrumentation included) wraps it.
  pool.on('connect', (client) => {
    client.on('error', () => {});
    client.query = delayed(client.query, get) as typeof client.query;
  });
  instrument?.(pool);
  // Fail fast at start-up when the database is unreachable, with the driver's message.
  const probe = await pool.connect();
  probe.release();
  let closed = false;
  return {
    kind: 'postgres',
    pool,
    pglite: undefined,
    async query<T>(sql: string, params?: unknown[]): Promise<T[]> {
      return (await pool.query(sql, params)).rows as T[];
    },
    async exec(sql: string): Promise<void> {
      await pool.query(sql);
    },
    async tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      let broken = false;
      try {
        await client.query('BEGIN');
        const result = await fn({
          async query<R>(sql: string, params?: unknown[]): Promise<R[]> {
            return (await client.query(sql, params)).rows as R[];
          },
          async exec(sql: string): Promise<void> {
            await client.query(sql);
          },
        });
        await client.query('COMMIT');
        return result;
      } catch (err) {
        if (isDatabaseUnavailable(err)) {
          broken = true; // the connection may be dead or mid-statement: destroy it, a ROLLBACK could hang
        } else {
          try {
            await client.query('ROLLBACK');
          } catch {
            broken = true; // the connection is unusable: destroy it rather than return it to the pool
          }
        }
        throw err;
      } finally {
        // A broken connection is destroyed rather than returned to the pool.
        client.release(broken ? true : undefined);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
    setInjectedLatencyMs(ms) {
      injected = Math.max(0, ms);
    },
    injectedLatencyMs: () => injected,
  };
}

/** The SQLSTATE of a database error (pg and PGlite both expose `code`), or undefined. */
export function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

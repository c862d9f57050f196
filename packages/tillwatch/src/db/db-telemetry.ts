/**
 * The one recorder behind every database instrumentation (node-postgres, PGlite, Prisma): query duration,
 * failures and slow queries by kind of statement and bounded table, pool gauges read at scrape time, acquire
 * waits and connection errors. Recording never throws into the query path.
 */
import { catalogue, TillwatchConfigError, type ConfigIssue } from '@tillwatch/spec';
import type { Logger } from 'pino';
import type { MetricRegistrar } from '../metrics/metric-registrar.ts';
import { dbErrorLabels } from './sqlstate.ts';
import { normaliseSql, sqlShape, type DbOperation, type SqlShape } from './sql-shape.ts';

/** What an instrumentation needs from a tillwatch instance (`tw` fits). */
export interface DbTelemetryHost {
  readonly metrics: MetricRegistrar;
  readonly logger: Pick<Logger, 'warn'>;
}

export interface DbInstrumentationOptions {
  /** The `pool` label of the pool gauges, acquire waits and connection errors. Default `default`. */
  readonly pool?: string;
  /** Queries at least this slow count in `db_slow_queries_total` and log one line. Default 1000 ms. */
  readonly slowQueryMs?: number;
  /** Distinct table names recorded before new ones record as `other`. Default 50. */
  readonly tableBudget?: number;
  /**
   * `instrumentPg` on a pool: false records only the pool (gauges, acquire waits, connection errors), for a pool
   * under a client that records its own queries (the Prisma extension), so no query is counted twice. Default true.
   */
  readonly queries?: boolean;
}

/** Pool sizes as a pool reports them, read at every scrape. */
export interface PoolStats {
  readonly total: number;
  readonly idle: number;
  readonly waiting: number;
  readonly max: number;
}

const m = catalogue.metrics.database;
const SHAPE_CACHE_SIZE = 2000;
const DEFAULT_SLOW_MS = 1000;
const DEFAULT_TABLE_BUDGET = 50;

/** Pools whose gauges one registrar reads at scrape time: one collect callback per registrar. */
const poolSources = new WeakMap<MetricRegistrar, Map<string, () => PoolStats | undefined>>();

function registerPool(metrics: MetricRegistrar, name: string, read: () => PoolStats | undefined): void {
  let sources = poolSources.get(metrics);
  if (sources === undefined) {
    const map = new Map<string, () => PoolStats | undefined>();
    sources = map;
    poolSources.set(metrics, map);
    let snapshot = new Map<string, PoolStats>();
    // The four gauges share one snapshot, taken by whichever is collected first in a scrape.
    const take = (): void => {
      const next = new Map<string, PoolStats>();
      for (const [pool, readStats] of map) {
        try {
          const s = readStats();
          if (s !== undefined) next.set(pool, s);
        } catch {
          // a pool that cannot report keeps no series this scrape
        }
      }
      snapshot = next;
    };
    const connections = metrics.register(m.poolConnections, {
      collect: () => {
        take();
        for (const [pool, s] of snapshot) {
          connections.set({ pool, state: 'idle' }, s.idle);
          connections.set({ pool, state: 'in_use' }, Math.max(0, s.total - s.idle));
        }
      },
    });
    const waiting = metrics.register(m.poolWaiting, {
      collect: () => {
        for (const [pool, s] of snapshot) waiting.set({ pool }, s.waiting);
      },
    });
    const max = metrics.register(m.poolMax, {
      collect: () => {
        for (const [pool, s] of snapshot) max.set({ pool }, s.max);
      },
    });
  }
  sources.set(name, read);
}

/** Records queries of one instrumented client or pool. */
export class DbTelemetry {
  readonly pool: string;
  readonly #slowSeconds: number;
  readonly #tableBudget: number;
  readonly #tables = new Set<string>();
  readonly #shapes = new Map<string, SqlShape>();
  readonly #logger: Pick<Logger, 'warn'>;
  readonly #duration;
  readonly #failures;
  readonly #slow;
  readonly #acquire;
  readonly #connectionErrors;

  constructor(host: DbTelemetryHost, opts: DbInstrumentationOptions = {}) {
    const slowMs = opts.slowQueryMs ?? DEFAULT_SLOW_MS;
    const budget = opts.tableBudget ?? DEFAULT_TABLE_BUDGET;
    const pool = opts.pool ?? 'default';
    const issues: ConfigIssue[] = [];
    if (typeof slowMs !== 'number' || !Number.isFinite(slowMs) || slowMs < 0) issues.push({ option: 'slowQueryMs', expected: 'a number of milliseconds >= 0', got: String(slowMs), code: 'TW_ERR_CONFIG_INVALID' });
    if (!Number.isInteger(budget) || budget < 1 || budget > 60) issues.push({ option: 'tableBudget', expected: 'an integer from 1 to 60', got: String(budget), code: 'TW_ERR_CONFIG_INVALID' });
    if (typeof pool !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(pool)) issues.push({ option: 'pool', expected: 'letters, digits and _.- (1 to 64)', got: JSON.stringify(pool), code: 'TW_ERR_CONFIG_INVALID' });
    if (issues.length > 0) throw new TillwatchConfigError(issues);
    this.pool = pool;
    this.#slowSeconds = slowMs / 1000;
    this.#tableBudget = budget;
    this.#logger = host.logger;
    this.#duration = host.metrics.register(m.queryDuration);
    this.#failures = host.metrics.register(m.queryFailures);
    this.#slow = host.metrics.register(m.slowQueries);
    this.#acquire = host.metrics.register(m.poolAcquireDuration);
    this.#connectionErrors = host.metrics.register(m.connectionErrors);
    this.#metrics = host.metrics;
  }

  readonly #metrics: MetricRegistrar;

  /** Reads the pool's sizes at every scrape, under this instrumentation's `pool` label. */
  watchPool(read: () => PoolStats | undefined): void {
    registerPool(this.#metrics, this.pool, read);
  }

  /** The kind and table of a statement, cached per text (a service sends a bounded set of statement texts). */
  shape(sql: string): SqlShape {
    let s = this.#shapes.get(sql);
    if (s === undefined) {
      const raw = sqlShape(sql);
      s = { operation: raw.operation, table: this.boundedTable(raw.table) };
      if (this.#shapes.size >= SHAPE_CACHE_SIZE) this.#shapes.clear();
      this.#shapes.set(sql, s);
    }
    return s;
  }

  /** The table label: the name while the budget lasts, then `other` for new names. */
  boundedTable(table: string): string {
    if (table === 'none' || this.#tables.has(table)) return table;
    if (this.#tables.size >= this.#tableBudget) return 'other';
    this.#tables.add(table);
    return table;
  }

  /** One statement sent as text (`sql` undefined when the driver got something it cannot read: kind `other`). */
  query(sql: string | undefined, seconds: number, err?: unknown): void {
    try {
      const shape = typeof sql === 'string' ? this.shape(sql) : OTHER;
      this.record(shape.operation, shape.table, seconds, err, sql);
    } catch {
      // telemetry never breaks a query
    }
  }

  /**
   * One operation whose kind and table are already known (a Prisma model and action). `statement`, when given,
   * is normalised for the slow-query log line.
   */
  record(operation: DbOperation, table: string, seconds: number, err: unknown, statement?: string): void {
    try {
      const labels = { operation, table };
      this.#duration.observe(labels, seconds);
      if (err !== undefined) this.#failures.inc({ operation, ...dbErrorLabels(err) });
      if (seconds >= this.#slowSeconds) {
        this.#slow.inc(labels);
        this.#logger.warn(
          { code: 'TWWRN300', operation, table, pool: this.pool, duration_ms: Math.round(seconds * 1000), statement: statement === undefined ? undefined : normaliseSql(statement) },
          'slow database query',
        );
      }
    } catch {
      // telemetry never breaks a query
    }
  }

  /** A wait for a pool connection, failed or not. */
  acquired(seconds: number): void {
    try {
      this.#acquire.observe({ pool: this.pool }, seconds);
    } catch {
      // telemetry
    }
  }

  /** Logs a pooled connection that died (TWWRN008): its error code and message, never the connection string. */
  connectionLost(err: unknown): void {
    try {
      const e = err as { code?: unknown; message?: unknown } | null;
      this.#logger.warn(
        { code: 'TWWRN008', pool: this.pool, error_code: typeof e?.code === 'string' ? e.code : undefined, error: typeof e?.message === 'string' ? e.message.slice(0, 200) : String(err) },
        'database connection lost; discarded (the statement it was running failed)',
      );
    } catch {
      // telemetry
    }
  }

  /** A failed connection attempt or a connection's error. */
  connectionError(): void {
    try {
      this.#connectionErrors.inc({ pool: this.pool });
    } catch {
      // telemetry
    }
  }
}

const OTHER: SqlShape = { operation: 'other', table: 'none' };

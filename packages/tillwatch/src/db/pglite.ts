/**
 * PGlite (embedded Postgres) instrumentation: `query`, `exec` and the statements of `transaction` callbacks are
 * timed in place, with the same metrics and labels as node-postgres. PGlite runs one statement at a time in
 * process, so there is no pool: it reports as a pool of one (the acquire wait is not measured). An `exec` script
 * of several statements records as one statement of the first one's kind. Structural types only.
 */
import { DbTelemetry, type DbInstrumentationOptions, type DbTelemetryHost } from './db-telemetry.ts';

type AnyFn = (...args: any[]) => any;

/** What is used of a PGlite instance (or a transaction object). */
export interface PgliteLike {
  query: AnyFn;
  exec: AnyFn;
  transaction?: AnyFn;
  readonly closed?: boolean;
}

const INSTRUMENTED = Symbol.for('tillwatch.db.instrumented');

function timed(db: DbTelemetry, original: AnyFn): AnyFn {
  return function timedStatement(this: unknown, sql: unknown, ...rest: unknown[]): unknown {
    const start = performance.now();
    const text = typeof sql === 'string' ? sql : undefined;
    return (original.call(this, sql, ...rest) as Promise<unknown>).then(
      (r) => {
        db.query(text, (performance.now() - start) / 1000);
        return r;
      },
      (err: unknown) => {
        db.query(text, (performance.now() - start) / 1000, err);
        throw err;
      },
    );
  };
}

/**
 * Instruments a PGlite instance in place and returns it.
 * @example
 * const db = instrumentPglite(tw, await PGlite.create('./data'));
 */
export function instrumentPglite<T extends PgliteLike>(host: DbTelemetryHost, pglite: T, opts: DbInstrumentationOptions = {}): T {
  const marked = pglite as T & { [INSTRUMENTED]?: DbTelemetry };
  if (marked[INSTRUMENTED] !== undefined) return pglite;
  const db = new DbTelemetry(host, opts);
  marked[INSTRUMENTED] = db;
  pglite.query = timed(db, pglite.query);
  pglite.exec = timed(db, pglite.exec);
  const transaction = pglite.transaction;
  if (typeof transaction === 'function') {
    pglite.transaction = function instrumentedTransaction(this: unknown, fn: AnyFn, ...rest: unknown[]): unknown {
      return transaction.call(
        this,
        (tx: PgliteLike) => {
          tx.query = timed(db, tx.query);
          tx.exec = timed(db, tx.exec);
          return fn(tx);
        },
        ...rest,
      );
    };
  }
  db.watchPool(() => (pglite.closed === true ? undefined : { total: 1, idle: 1, waiting: 0, max: 1 }));
  return pglite;
}

import type { HealthCheck } from '../health-check.ts';
import { commonFields, type CommonCheckOptions } from './check-options.ts';

/** What the check needs from a PGlite instance (structural: no runtime dependency on PGlite). */
export interface PgliteQueryable {
  query(sql: string): Promise<unknown>;
  readonly closed?: boolean;
}

export interface PgliteCheckOptions extends CommonCheckOptions {
  /** Default `pglite`. */
  name?: string;
  db: PgliteQueryable;
}

/**
 * Checks an embedded PGlite database with `SELECT 1`. A closed instance fails at once with a clear
 * message instead of the query error PGlite would give.
 * @example
 * ```ts
 * health.add(pgliteCheck({ db: new PGlite('./data') }));
 * ```
 */
export function pgliteCheck(opts: PgliteCheckOptions): HealthCheck {
  const { db } = opts;
  return {
    name: opts.name ?? 'pglite',
    ...commonFields(opts),
    async run() {
      if (db.closed === true) throw new Error('PGlite database is closed');
      await db.query('SELECT 1');
    },
  };
}

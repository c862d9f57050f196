import type { HealthCheck } from '../health-check.ts';
import { commonFields, type CommonCheckOptions } from './check-options.ts';

/**
 * What the check needs from a `pg` Pool or Client. Structural, so tillwatch does not depend on `pg`
 * (or its types) at runtime; a Pool's `totalCount`/`idleCount`/`waitingCount` are reported when present.
 */
export interface PostgresQueryable {
  query(sql: string): Promise<unknown>;
  readonly totalCount?: number;
  readonly idleCount?: number;
  readonly waitingCount?: number;
}

export interface PostgresCheckOptions extends CommonCheckOptions {
  /** Default `postgres`. */
  name?: string;
  client: PostgresQueryable;
}

/**
 * Checks a Postgres connection with `SELECT 1` and reports pool usage.
 *
 * `pg` does not take an AbortSignal: on timeout the query keeps its place in the pool queue until it
 * finishes, and the next probe reports the check as still running rather than queueing another. Set
 * `connectionTimeoutMillis` on the Pool so a black-holed database cannot hold a pool slot forever.
 * `waitingCount > 0` with `idleCount === 0` is pool exhaustion: usually a leaked client, not the database.
 * @example
 * ```ts
 * health.add(postgresCheck({ client: pool }));
 * ```
 */
export function postgresCheck(opts: PostgresCheckOptions): HealthCheck {
  const { client } = opts;
  return {
    name: opts.name ?? 'postgres',
    ...commonFields(opts),
    async run() {
      await client.query('SELECT 1');
      return poolStats(client);
    },
  };
}

function poolStats(client: PostgresQueryable): Record<string, unknown> | undefined {
  const { totalCount, idleCount, waitingCount } = client;
  if (typeof totalCount !== 'number') return undefined;
  return { pool: { total: totalCount, idle: idleCount, waiting: waitingCount } };
}

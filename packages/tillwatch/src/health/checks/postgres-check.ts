import type { HealthCheck } from '../health-check.ts';
import { commonFields, type CommonCheckOptions } from './check-options.ts';

/**
 * What the check needs from a `pg` Pool or Client. Structural, so tillwatch does not depend on `pg`
 * (or its types) at runtime; a Pool's `totalCount`/`idleCount`/`waitingCount` are reported when present.
 */
export interface PostgresQueryable {
  query(sql: string): Promise<unknown>;
  /** node-postgres Pools carry their options; the check then bounds its statement client-side (`query_timeout`). */
  readonly options?: unknown;
  readonly totalCount?: number;
  readonly idleCount?: number;
  readonly waitingCount?: number;
}

export interface PostgresCheckOptions extends CommonCheckOptions {
  /** Default `postgres`. */
  name?: string;
  client: PostgresQueryable;
  /**
   * Client-side bound of the `SELECT 1` on a node-postgres Pool (pg's `query_timeout`): when it fires, pg
   * rejects the query and the pool discards the connection, so a probe against a black-holed database settles
   * instead of holding a pool slot (and the check) forever. Default `timeoutMs`, else 1000.
   */
  queryTimeoutMs?: number;
}

/**
 * Checks a Postgres connection with `SELECT 1` and reports pool usage.
 *
 * `pg` does not take an AbortSignal, so on a node-postgres Pool the statement carries pg's own client-side
 * bound (`query_timeout`, {@link PostgresCheckOptions.queryTimeoutMs}): a query on a connection whose packets
 * are dropped settles as a failure and its connection is discarded, and the first probe after the database
 * is back runs on a fresh connection. Set `connectionTimeoutMillis` on the Pool too, so connecting is bounded.
 * `waitingCount > 0` with `idleCount === 0` is pool exhaustion: usually a leaked client, not the database.
 * @example
 * ```ts
 * health.add(postgresCheck({ client: pool }));
 * ```
 */
export function postgresCheck(opts: PostgresCheckOptions): HealthCheck {
  const { client } = opts;
  const queryTimeoutMs = opts.queryTimeoutMs ?? opts.timeoutMs ?? 1000;
  // A node-postgres Pool or Client takes a query config object; other clients get the plain statement.
  const isNodePostgres = typeof client.options === 'object' && client.options !== null;
  const statement = isNodePostgres ? ({ text: 'SELECT 1', query_timeout: queryTimeoutMs } as unknown as string) : 'SELECT 1';
  return {
    name: opts.name ?? 'postgres',
    ...commonFields(opts),
    async run() {
      await client.query(statement);
      return poolStats(client);
    },
  };
}

function poolStats(client: PostgresQueryable): Record<string, unknown> | undefined {
  const { totalCount, idleCount, waitingCount } = client;
  if (typeof totalCount !== 'number') return undefined;
  return { pool: { total: totalCount, idle: idleCount, waiting: waitingCount } };
}

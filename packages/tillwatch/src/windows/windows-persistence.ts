/**
 * Keeps the windows across restarts in the service's own SQL database (PGlite in process, or Postgres: both
 * answer `query(text, params)`), so a 7-day window survives a deploy. One row per key holds the snapshot as
 * JSON text; writes are an upsert. The client is described structurally, so the runtime depends on no driver.
 */
import type { WindowsSnapshot } from './series-windows.ts';

export interface SqlClient {
  query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
}

export interface WindowsPersistence {
  load(): Promise<WindowsSnapshot | undefined>;
  save(snapshot: WindowsSnapshot): Promise<void>;
}

const IDENT = /^[a-z_][a-z0-9_]*$/;

/**
 * Persistence in table `table` (default `tillwatch_windows`), created when missing.
 * @throws at once when `table` is not a plain lower-case SQL identifier.
 */
export function sqlWindowsPersistence(opts: { readonly client: SqlClient; readonly table?: string; readonly key?: string }): WindowsPersistence {
  const table = opts.table ?? 'tillwatch_windows';
  if (!IDENT.test(table)) throw new Error(`sqlWindowsPersistence: option "table" expected a lower-case SQL identifier, got ${JSON.stringify(table)}`);
  const key = opts.key ?? 'default';
  let ready: Promise<unknown> | undefined;
  const ensure = () =>
    (ready ??= opts.client.query(`CREATE TABLE IF NOT EXISTS ${table} (id text PRIMARY KEY, snapshot text NOT NULL, saved_at timestamptz NOT NULL DEFAULT now())`));
  return {
    async load() {
      await ensure();
      const { rows } = await opts.client.query(`SELECT snapshot FROM ${table} WHERE id = $1`, [key]);
      const row = rows[0] as { snapshot?: string } | undefined;
      return row?.snapshot === undefined ? undefined : (JSON.parse(row.snapshot) as WindowsSnapshot);
    },
    async save(snapshot) {
      await ensure();
      await opts.client.query(
        `INSERT INTO ${table} (id, snapshot, saved_at) VALUES ($1, $2, now()) ON CONFLICT (id) DO UPDATE SET snapshot = EXCLUDED.snapshot, saved_at = now()`,
        [key, JSON.stringify(snapshot)],
      );
    },
  };
}

/**
 * The database a fault test's store runs on, and the ledger's view of it once the store is gone: a fresh
 * database on the real Postgres (dropped afterwards), or a PGlite data directory (removed afterwards) that the
 * ledger opens only when no store holds it. Shared by the kill -9 and dependency fault tests.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { POSTGRES_URL } from '../../../../packages/tillwatch/test/helpers/real-parts.ts';

export type LedgerEngine = 'postgres' | 'pglite';

export interface LedgerDb {
  query<R>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

export interface FaultLedgerStorage {
  /** DATABASE_URL or TILLWATCH_DATA_DIR, for the store's environment. */
  readonly env: Record<string, string>;
  /** Queries the database; call {@link open} first, once no store runs on it. */
  readonly ledger: LedgerDb;
  open(): Promise<void>;
}

/**
 * Creates the storage and registers its removal in `t.after`, after `stopStore` (a SIGKILL of whatever store
 * still runs on it). `prefix` names the database or directory.
 */
export async function faultLedgerStorage(t: TestContext, engine: LedgerEngine, prefix: string, stopStore: () => Promise<unknown> | undefined): Promise<FaultLedgerStorage> {
  if (engine === 'postgres') {
    const dbName = `${prefix}_${process.pid}_${randomBytes(3).toString('hex')}`;
    const admin = new pg.Client({ connectionString: POSTGRES_URL.replace(/\/[^/]*$/, '/postgres') });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    const databaseUrl = POSTGRES_URL.replace(/\/[^/]*$/, `/${dbName}`);
    const client = new pg.Client({ connectionString: databaseUrl });
    // The database is dropped WITH (FORCE) at the end, which ends this connection from the server side.
    client.on('error', () => {});
    t.after(async () => {
      await stopStore();
      await client.end().catch(() => undefined);
      await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await admin.end();
    });
    return { env: { DATABASE_URL: databaseUrl }, ledger: { query: async (q, p) => client.query(q, p) as never }, open: async () => void (await client.connect()) };
  }
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-pglite-`));
  let db: PGlite | undefined;
  t.after(async () => {
    await stopStore();
    await db?.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });
  return { env: { TILLWATCH_DATA_DIR: dir }, ledger: { query: async (q, p) => (db as PGlite).query(q, p) as never }, open: async () => void (db = await PGlite.create(dir)) };
}

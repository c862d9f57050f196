/** A fresh audit schema on PGlite or the real Postgres, with a transaction helper, for the audit tests and bench. */
import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { auditLogDdl, type AuditQueryable } from '../src/index.ts';

export type Backend = 'pglite' | 'postgres';

export interface TestDb extends AuditQueryable {
  readonly backend: Backend;
  /** The schema holding the audit tables (Postgres: `?options=-c search_path=<schema>` in a URL reaches it). */
  readonly schema: string;
  /** Runs several statements (no parameters). */
  exec(sql: string): Promise<void>;
  tx<T>(fn: (q: AuditQueryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export const POSTGRES_URL = process.env.TILLWATCH_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A connection whose search_path is a new schema holding a fresh audit table (dropped on close). */
export async function openTestDb(backend: Backend, pglite?: PGlite): Promise<TestDb> {
  const schema = `audit_t_${randomBytes(5).toString('hex')}`;
  let run: (sql: string, params?: unknown[]) => Promise<{ rows: unknown[] }>;
  let closeFn: () => Promise<void>;
  let execFn: (sql: string) => Promise<void>;
  if (backend === 'pglite') {
    const db = pglite ?? new PGlite();
    run = (sql, params) => db.query(sql, params);
    execFn = async (sql) => void (await db.exec(sql));
    closeFn = async () => {
      await db.exec(`DROP SCHEMA ${schema} CASCADE; SET search_path TO public`);
      if (!pglite) await db.close();
    };
  } else {
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    client.on('error', () => undefined);
    await client.connect();
    run = (sql, params) => client.query(sql, params);
    execFn = async (sql) => void (await client.query(sql));
    closeFn = async () => {
      await client.query(`DROP SCHEMA ${schema} CASCADE`);
      await client.end();
    };
  }
  await execFn(`CREATE SCHEMA ${schema}; SET search_path TO ${schema}`);
  await execFn(auditLogDdl());
  const query = async <T>(sql: string, params?: unknown[]): Promise<T[]> => (await run(sql, params)).rows as T[];
  return {
    backend,
    schema,
    query,
    exec: execFn,
    async tx(fn) {
      await execFn('BEGIN');
      try {
        const r = await fn({ query });
        await execFn('COMMIT');
        return r;
      } catch (err) {
        await execFn('ROLLBACK');
        throw err;
      }
    },
    close: closeFn,
  };
}

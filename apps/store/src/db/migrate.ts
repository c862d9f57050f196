/**
 * Runs the numbered SQL files of ./migrations once each, in order, at start-up (before
 * `tw.markStarted()`: the startup probe stays 503 until they are done).
 *
 * File names: `NNN_snake_name.sql`, numbered in the order they were written (001, 002, ...); a new
 * file takes the next number. A file, once applied, is never changed in a way that alters the schema:
 * add a new one. Each applied file is recorded in `schema_migrations` (version and name); a recorded
 * version whose name differs from the file's stops start-up, since the database was then migrated by
 * another build.
 *
 * Each file runs in its own transaction together with its row in `schema_migrations`, under an
 * exclusive lock on that table, so two instances starting against one Postgres apply each file once.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { Db, Queryable } from './db.ts';

const FILE = /^(\d{3})_([a-z0-9_]+)\.sql$/;

/**
 * Versions under which earlier releases of the store recorded these files, when migrations were
 * numbered in blocks per area (core 001-049, then 050, 060, ... per feature). The SQL of each file is
 * unchanged, so a database that still lists an old version has that file's schema already: its row is
 * renumbered in place and the file is not applied again.
 */
const EARLIER_VERSIONS: readonly { readonly from: string; readonly to: string; readonly name: string }[] = [
  { from: '050', to: '002', name: 'printing' },
  { from: '060', to: '003', name: 'notifications' },
  { from: '070', to: '004', name: 'offline_queue' },
  { from: '080', to: '005', name: 'sales_sync' },
  { from: '090', to: '006', name: 'experiments' },
];

export interface MigrationResult {
  /** Versions applied by this run, in order. */
  readonly applied: readonly string[];
  /** Versions that were already applied. */
  readonly skipped: readonly string[];
  /** Rows of `schema_migrations` moved from an earlier numbering by this run, as `old->new`. */
  readonly renumbered: readonly string[];
}

export interface MigrationFile {
  readonly version: string;
  readonly name: string;
  readonly path: string;
}

/** The migration files in `dir`, sorted by version. @throws when two files share a version. */
export function listMigrations(dir: URL = new URL('./migrations/', import.meta.url)): MigrationFile[] {
  const files: MigrationFile[] = [];
  const seen = new Map<string, string>();
  for (const f of readdirSync(dir).sort()) {
    const m = FILE.exec(f);
    if (!m) continue;
    const version = m[1] as string;
    const other = seen.get(version);
    if (other) throw new Error(`migrations ${other} and ${f} share version ${version}; renumber one of them`);
    seen.set(version, f);
    files.push({ version, name: m[2] as string, path: new URL(f, dir).pathname });
  }
  return files;
}

/** Moves rows recorded under an earlier numbering to the current one; returns `old->new` for each. */
async function renumberEarlierVersions(q: Queryable): Promise<string[]> {
  const moved: string[] = [];
  for (const v of EARLIER_VERSIONS) {
    const rows = await q.query<{ version: string }>(
      `UPDATE schema_migrations SET version = $1
        WHERE version = $2 AND name = $3 AND NOT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)
        RETURNING version`,
      [v.to, v.from, v.name],
    );
    if (rows.length > 0) moved.push(`${v.from}->${v.to}`);
  }
  return moved;
}

/**
 * Applies every pending migration (after renumbering rows recorded under an earlier numbering).
 * @throws with the file name when one fails (nothing of it is kept), or when a recorded version
 * names another file.
 */
export async function migrate(db: Db, dir?: URL): Promise<MigrationResult> {
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
  )`);
  const renumbered = await db.tx(async (q) => {
    await q.exec('LOCK TABLE schema_migrations IN EXCLUSIVE MODE');
    return renumberEarlierVersions(q);
  });
  const applied: string[] = [];
  const skipped: string[] = [];
  for (const file of listMigrations(dir)) {
    const done = await db.tx(async (q) => {
      await q.exec('LOCK TABLE schema_migrations IN EXCLUSIVE MODE');
      const rows = await q.query<{ name: string }>('SELECT name FROM schema_migrations WHERE version = $1', [file.version]);
      if (rows.length > 0) {
        if (rows[0]!.name !== file.name) {
          throw new Error(
            `schema_migrations records version ${file.version} as "${rows[0]!.name}", but the file with that version is ${file.version}_${file.name}.sql: this database was migrated by another build of the store`,
          );
        }
        return false;
      }
      try {
        await q.exec(readFileSync(file.path, 'utf8'));
      } catch (err) {
        throw new Error(`migration ${file.version}_${file.name}.sql failed: ${(err as Error).message}`, { cause: err });
      }
      await q.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [file.version, file.name]);
      return true;
    });
    (done ? applied : skipped).push(file.version);
  }
  return { applied, skipped, renumbered };
}

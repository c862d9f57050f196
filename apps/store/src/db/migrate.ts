/**
 * Runs the numbered SQL files of ./migrations once each, in order, at start-up (before
 * `tw.markStarted()`: the startup probe stays 503 until they are done).
 *
 * File names: `NNN_snake_name.sql`. 001-049 belong to the core store, 050-099 to the peripheral
 * features (printing, notifications, offline sync, sales sync, experiments). A file, once applied,
 * is never edited: add a new one.
 *
 * Each file runs in its own transaction together with its row in `schema_migrations`, under an
 * exclusive lock on that table, so two instances starting against one Postgres apply each file once.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { Db } from './db.ts';

const FILE = /^(\d{3})_([a-z0-9_]+)\.sql$/;

export interface MigrationResult {
  /** Versions applied by this run, in order. */
  readonly applied: readonly string[];
  /** Versions that were already applied. */
  readonly skipped: readonly string[];
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

/** Applies every pending migration. @throws with the file name when one fails (nothing of it is kept). */
export async function migrate(db: Db, dir?: URL): Promise<MigrationResult> {
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
  )`);
  const applied: string[] = [];
  const skipped: string[] = [];
  for (const file of listMigrations(dir)) {
    const done = await db.tx(async (q) => {
      await q.exec('LOCK TABLE schema_migrations IN EXCLUSIVE MODE');
      const rows = await q.query<{ version: string }>('SELECT version FROM schema_migrations WHERE version = $1', [file.version]);
      if (rows.length > 0) return false;
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
  return { applied, skipped };
}

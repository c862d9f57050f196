/**
 * The store's database backup on a schedule, reported through tillwatch's job reporter (`backup_*{target=
 * "database"}`, the BackupMissing alert): PGlite's `dumpDataDir('gzip')` (a tarball `PGlite({ loadDataDir })`
 * restores), or `pg_dump --format=custom` against DATABASE_URL (restore with `pg_restore`). Files are
 * `store-<ISO time>.<ext>` in BACKUP_DIR; the newest BACKUP_KEEP are kept. The first run is right after start-up,
 * then every BACKUP_INTERVAL_MS, on an unref'd timer, one run at a time. See docs/data-layer.md.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createJobReporter, type Tillwatch } from 'tillwatch';
import type { Db } from './db.ts';
import { scheduleRuns, type ScheduledRuns } from './scheduled-runs.ts';

export interface BackupOptions {
  readonly dir: string;
  readonly intervalMs: number;
  readonly keep: number;
  readonly databaseUrl: string | undefined;
}

/** `runNow()` resolves with the backup's file, rejects with its error; both are reported. */
export type BackupSchedule = ScheduledRuns<string>;

function pgDump(url: string, file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('pg_dump', ['--format=custom', '--no-owner', `--file=${file}`, `--dbname=${url}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()).slice(-2000));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`pg_dump exited with ${code}: ${stderr.trim().slice(-500)}`))));
  });
}

export function scheduleBackups(tw: Tillwatch, db: Db, opts: BackupOptions): BackupSchedule {
  const logger = tw.logger.child({ module: 'backup' });
  const reporter = createJobReporter({ target: 'database', metrics: tw.metrics });
  mkdirSync(opts.dir, { recursive: true });

  const prune = (): void => {
    const files = readdirSync(opts.dir).filter((f) => f.startsWith('store-')).sort();
    for (const f of files.slice(0, Math.max(0, files.length - opts.keep))) rmSync(join(opts.dir, f), { force: true });
  };

  const once = async (): Promise<string> => {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const file = join(opts.dir, `store-${stamp}.${db.pglite ? 'tar.gz' : 'dump'}`);
    await reporter.run(async () => {
      if (db.pglite) {
        const dump = await db.pglite.dumpDataDir('gzip');
        writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
      } else if (opts.databaseUrl) {
        await pgDump(opts.databaseUrl, file);
      } else {
        throw new Error('no database to back up');
      }
      return { sizeBytes: statSync(file).size };
    });
    prune();
    logger.info({ file, bytes: statSync(file).size }, 'database backup written');
    return file;
  };

  return scheduleRuns(opts.intervalMs, once, (err) => logger.error({ err }, 'database backup failed'));
}

/**
 * Audit archival on a schedule (AUDIT_ARCHIVE, store-audit.ts): every AUDIT_ARCHIVE_INTERVAL_MS the records older than
 * AUDIT_ARCHIVE_AGE_SECONDS go to signed, checksummed segments in AUDIT_ARCHIVE_DIR (@tillwatch/audit's
 * `archiveAuditSegment`: each file is read back and verified before its records leave the hot table), as many
 * segments of AUDIT_ARCHIVE_MAX_RECORDS as the backlog needs. Each run is reported through tillwatch's job reporter
 * as `backup_*{target="audit_archive"}`, so a run that fails counts in `backup_failures_total` and an archival that
 * stopped running is the BackupMissing alert for that target (no success in 25 hours). The first run is right after
 * start-up, then one run at a time on an unref'd timer; docs/audit.md.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { createJobReporter, type Tillwatch } from 'tillwatch';
import type { Db } from '../db/db.ts';
import { scheduleRuns, type ScheduledRuns } from '../db/scheduled-runs.ts';
import type { StoreAudit } from './store-audit.ts';

export const AUDIT_ARCHIVE_TARGET = 'audit_archive';
/** Segments one run writes at most: a bound on a run's length; the rest waits for the next run. */
const MAX_SEGMENTS_PER_RUN = 100;

export interface ArchiveRun {
  readonly segments: number;
  readonly records: number;
  /** Bytes of the segments written; absent when nothing was due (an empty run is not a shrunken archive). */
  readonly sizeBytes?: number;
}

/** `runNow()` archives now (or joins the run in progress), reported either way; `stop()` waits for a run in progress. */
export type AuditArchivalSchedule = ScheduledRuns<ArchiveRun>;

export function scheduleAuditArchival(tw: Tillwatch, audit: StoreAudit, db: Db): AuditArchivalSchedule {
  const archive = audit.archive;
  if (archive === undefined) throw new Error('audit archival is off (AUDIT_ARCHIVE)');
  const logger = tw.logger.child({ module: 'audit-archival' });
  const reporter = createJobReporter({ target: AUDIT_ARCHIVE_TARGET, metrics: tw.metrics });

  const once = (): Promise<ArchiveRun> =>
    reporter.run(async () => {
      const before = new Date(Date.now() - archive.ageSeconds * 1000);
      let segments = 0;
      let records = 0;
      let sizeBytes = 0;
      while (segments < MAX_SEGMENTS_PER_RUN) {
        const r = await audit.archiveSegment(db, before);
        if (r.archived === undefined) break;
        segments++;
        records += r.removed;
        sizeBytes += statSync(join(archive.dir, `${r.archived.name}.jsonl.gz`)).size;
        logger.info({ archive: r.archived.name, first_seq: r.archived.first_seq, last_seq: r.archived.last_seq, removed: r.removed }, 'audit segment archived and verified');
      }
      return segments === 0 ? { segments, records } : { segments, records, sizeBytes };
    });

  return scheduleRuns(archive.intervalMs, once, (err) => logger.error({ err }, 'audit archival failed; the records stay in the table until a run succeeds'));
}

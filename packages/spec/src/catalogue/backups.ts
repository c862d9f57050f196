/** Backups (planned: exported by the backup job once it reports). */
import { LABEL_NAMES } from '../conventions.ts';
import { openLabel } from '../label-spec.ts';
import { defineMetric } from '../metric-spec.ts';

const common = { group: 'backups', owner: 'core', status: 'planned' } as const;
const byTarget = { [LABEL_NAMES.target]: openLabel('What is backed up, e.g. database.', 'backup jobs are configured, at most 10', 10) } as const;

export const backupsMetrics = {
  lastSuccess: defineMetric({
    ...common,
    name: 'backup_last_success_timestamp_seconds',
    type: 'gauge',
    unit: 'seconds',
    help: 'Unix time of the last successful backup, by target.',
    question: 'Has there been no successful backup in the last 25 hours?',
    labels: byTarget,
  }),
  failures: defineMetric({
    ...common,
    name: 'backup_failures_total',
    type: 'counter',
    unit: 'count',
    help: 'Backup runs that failed, by target.',
    question: 'Are backups failing (and not just late)?',
    labels: byTarget,
  }),
} as const;

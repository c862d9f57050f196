/**
 * Backups and other scheduled jobs, recorded by the job reporter (`createJobReporter` in `tillwatch`): exposed by
 * the long-running service that runs them, or pushed to a Pushgateway by a cron job.
 */
import { LABEL_NAMES, LABEL_VALUES } from '../conventions.ts';
import { closedLabel, openLabel } from '../label-spec.ts';
import { defineMetric } from '../metric-spec.ts';

const common = { group: 'backups', owner: 'data' } as const;
const byTarget = { [LABEL_NAMES.target]: openLabel('What is backed up or exported, e.g. database.', 'backup jobs are configured, at most 10', 10) } as const;

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
  runs: defineMetric({
    ...common,
    name: 'backup_runs_total',
    type: 'counter',
    unit: 'count',
    help: 'Backup runs, by target and outcome.',
    question: 'Do backups run on schedule at all?',
    labels: { ...byTarget, [LABEL_NAMES.outcome]: closedLabel('How the run ended.', LABEL_VALUES.jobOutcome) },
  }),
  duration: defineMetric({
    ...common,
    name: 'backup_last_duration_seconds',
    type: 'gauge',
    unit: 'seconds',
    help: 'Duration of the last backup run (successful or not), by target.',
    question: 'Are backups taking longer as data grows, towards their window?',
    labels: byTarget,
  }),
  size: defineMetric({
    ...common,
    name: 'backup_last_size_bytes',
    type: 'gauge',
    unit: 'bytes',
    help: 'Size of the last successful backup, by target.',
    question: 'Did the backup suddenly shrink (an empty dump) or grow?',
    labels: byTarget,
  }),
} as const;

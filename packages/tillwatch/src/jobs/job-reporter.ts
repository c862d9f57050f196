/**
 * The job reporter: backups, exports and other scheduled work report their last success, duration, size and
 * outcome (the catalogue's `backup_*` metrics, by `target`). A long-running service that runs the job passes its
 * `tw` and the series are on its /metrics; a cron job that exits pushes them to a Pushgateway (prom-client's
 * `Pushgateway`, grouped by job and target) after each run, so Prometheus keeps the last values after it exits.
 */
import { catalogue, TillwatchConfigError, type ConfigIssue } from '@tillwatch/spec';
import pino from 'pino';
import { Pushgateway } from 'prom-client';
import { resolveOptions } from '../config/options.ts';
import type { MetricRegistrar } from '../metrics/metric-registrar.ts';
import { Metrics } from '../metrics/metrics.ts';

export interface JobReporterOptions {
  /** The `target` label: what the job backs up or exports, e.g. database. */
  readonly target: string;
  /** `tw.metrics` of the service that runs the job. Omit with `push` for a job that exits. */
  readonly metrics?: MetricRegistrar;
  /** Push the series after every run to a Pushgateway (its base URL), under this `job` grouping label. */
  readonly push?: { readonly url: string; readonly job: string };
}

/** What a run may report about itself. */
export interface JobRunResult {
  /** Bytes written (the backup's size). */
  readonly sizeBytes?: number;
}

export interface JobReporter {
  /**
   * Runs the job, records its outcome, duration, size and (on success) the time, then pushes when configured.
   * Resolves with the job's result; rejects with the job's error after recording it. A failed push never
   * fails the run: it is kept in {@link JobReporter.lastPushError}.
   */
  run<T extends JobRunResult | void>(job: () => Promise<T>): Promise<T>;
  /** The last push failure, if the last push failed. */
  readonly lastPushError: Error | undefined;
}

const m = catalogue.metrics.backups;

/**
 * @throws TillwatchConfigError TW_ERR_CONFIG_INVALID for a bad target, neither `metrics` nor `push`, or a bad push URL.
 * @example
 * const backups = createJobReporter({ target: 'database', metrics: tw.metrics });
 * await backups.run(async () => ({ sizeBytes: await dumpDatabase(file) }));
 */
export function createJobReporter(opts: JobReporterOptions): JobReporter {
  const issues: ConfigIssue[] = [];
  if (typeof opts.target !== 'string' || !/^[a-z][a-z0-9_]{0,39}$/.test(opts.target)) issues.push({ option: 'target', expected: 'lower-case snake_case, 1 to 40 characters', got: JSON.stringify(opts.target), code: 'TW_ERR_CONFIG_INVALID' });
  if (opts.metrics === undefined && opts.push === undefined) issues.push({ option: 'metrics', expected: 'tw.metrics, or push: { url, job }', got: 'neither', code: 'TW_ERR_CONFIG_INVALID' });
  if (opts.push !== undefined) {
    let ok = false;
    try {
      ok = ['http:', 'https:'].includes(new URL(opts.push.url).protocol);
    } catch {
      ok = false;
    }
    if (!ok) issues.push({ option: 'push.url', expected: 'an http(s) URL of a Pushgateway', got: 'not an http(s) URL', code: 'TW_ERR_CONFIG_INVALID' });
    if (typeof opts.push.job !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(opts.push.job)) issues.push({ option: 'push.job', expected: 'letters, digits and _.- (1 to 64)', got: JSON.stringify(opts.push.job), code: 'TW_ERR_CONFIG_INVALID' });
  }
  if (issues.length > 0) throw new TillwatchConfigError(issues);

  // A job that exits gets a registry of its own: only its series are pushed, never a service's whole /metrics.
  const own = opts.metrics === undefined ? new Metrics({ options: resolveOptions({ metrics: { runtime: false } }, {}).options, logger: pino({ level: 'silent' }) }) : undefined;
  const metrics = opts.metrics ?? own!;
  const lastSuccess = metrics.register(m.lastSuccess);
  const failures = metrics.register(m.failures);
  const runs = metrics.register(m.runs);
  const duration = metrics.register(m.duration);
  const size = metrics.register(m.size);
  const target = opts.target;
  const gateway = opts.push && own ? new Pushgateway(opts.push.url.replace(/\/+$/, ''), { timeout: 10_000 }, own.registry) : undefined;
  let lastPushError: Error | undefined;

  const push = async (): Promise<void> => {
    if (gateway === undefined || opts.push === undefined) return;
    try {
      await gateway.pushAdd({ jobName: opts.push.job, groupings: { target } });
      lastPushError = undefined;
    } catch (err) {
      lastPushError = err as Error;
    }
  };

  return {
    get lastPushError() {
      return lastPushError;
    },
    async run<T extends JobRunResult | void>(job: () => Promise<T>): Promise<T> {
      const start = performance.now();
      let result: T;
      try {
        result = await job();
      } catch (err) {
        duration.set({ target }, (performance.now() - start) / 1000);
        failures.inc({ target });
        runs.inc({ target, outcome: 'failure' });
        await push();
        throw err;
      }
      duration.set({ target }, (performance.now() - start) / 1000);
      lastSuccess.set({ target }, Date.now() / 1000);
      const bytes = (result as JobRunResult | undefined)?.sizeBytes;
      if (typeof bytes === 'number') size.set({ target }, bytes);
      runs.inc({ target, outcome: 'success' });
      await push();
      return result;
    },
  };
}

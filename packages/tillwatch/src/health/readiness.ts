/**
 * Readiness checks: the registered dependency checks, run in parallel, each under a timeout, with the results
 * cached for `health.cacheTtlMs`. Concurrent probes share one in-flight run, so a probe storm costs each
 * dependency one call; a check still hanging from an earlier run is reported as timed out, never started twice.
 * Transitions and slow checks are logged (once per transition; TWWRN004 rate-limited), never per probe.
 */
import type { Logger } from 'pino';
import { TillwatchConfigError } from '@tillwatch/spec';
import { DuplicateHealthCheckError } from './duplicate-check-error.ts';
import { validateCheck, type CheckResult, type HealthCheck } from './health-check.ts';
import { freezeResponse, type ProbeResponse } from './probe-response.ts';
import { roundMs, runCheck } from './run-check.ts';

/** TWWRN004 is logged at most once per check per this interval, with a count of the ones suppressed. */
export const SLOW_CHECK_WARNING_INTERVAL_MS = 60_000;

export interface ReadinessOptions {
  /** `health.checkTimeoutMs`: a check's timeout unless it sets its own. */
  readonly checkTimeoutMs: number;
  /** `health.cacheTtlMs`. */
  readonly cacheTtlMs: number;
  readonly logger: Logger;
  /** Applied to every check error message after the built-in credential scrubbing. */
  readonly scrub: ((s: string) => string) | undefined;
}

interface Entry {
  readonly check: HealthCheck;
  readonly required: boolean;
  readonly timeoutMs: number;
  /** performance.now() when a run that has not settled yet started (it may be hanging past its timeout). */
  runningSince: number | undefined;
  lastStatus: 'pass' | 'fail' | undefined;
  lastSlowWarningAt: number;
  suppressedSlowWarnings: number;
}

/** One run of every check. */
export interface ChecksRun {
  readonly generation: number;
  /** performance.now() when the run finished: the cache clock. */
  readonly finishedAt: number;
  readonly checkedAt: string;
  readonly results: readonly CheckResult[];
  readonly status: 'ok' | 'degraded' | 'fail';
  /** Memoised readiness answer and its settled promise, so a cached probe allocates nothing. */
  readyResponse?: ProbeResponse;
  readyPromise?: Promise<ProbeResponse>;
}

/**
 * A run hanging this many timeouts is abandoned and a new one started: at most one extra hung run per
 * check per this period, against readiness pinned at 503 for as long as a dead socket stays open.
 */
const ABANDON_AFTER_TIMEOUTS = 3;

export class Readiness {
  readonly #options: ReadinessOptions;
  readonly #entries = new Map<string, Entry>();
  /** Bumped by add(): cached results made before a check was added are stale. */
  #generation = 0;
  #run: ChecksRun | undefined;
  #inflight: Promise<ChecksRun> | undefined;

  constructor(options: ReadinessOptions) {
    this.#options = options;
  }

  /**
   * Registers a check. Call at start-up.
   * @throws DuplicateHealthCheckError (TW_ERR_HEALTH_DUPLICATE_CHECK) when the name is taken.
   * @throws TillwatchConfigError (TW_ERR_HEALTH_INVALID_CHECK) for a malformed name, timeoutMs or run.
   */
  add(check: HealthCheck): void {
    const issues = validateCheck(check);
    if (issues.length > 0) throw new TillwatchConfigError(issues);
    if (this.#entries.has(check.name)) throw new DuplicateHealthCheckError(check.name);
    this.#entries.set(check.name, {
      check,
      required: check.required ?? true,
      timeoutMs: check.timeoutMs ?? this.#options.checkTimeoutMs,
      runningSince: undefined,
      lastStatus: undefined,
      lastSlowWarningAt: -Infinity,
      suppressedSlowWarnings: 0,
    });
    this.#generation++;
  }

  /** Cached results when fresh, else the in-flight run, else a new run (single-flight). */
  results(): ChecksRun | Promise<ChecksRun> {
    const run = this.#run;
    if (run !== undefined && run.generation === this.#generation && performance.now() - run.finishedAt < this.#options.cacheTtlMs) return run;
    return (this.#inflight ??= this.#runAll());
  }

  async #runAll(): Promise<ChecksRun> {
    const generation = this.#generation;
    const entries = [...this.#entries.values()];
    try {
      const results = await Promise.all(entries.map((e) => this.#runEntry(e)));
      let status: ChecksRun['status'] = 'ok';
      for (const r of results) {
        if (r.status === 'fail') status = r.required ? 'fail' : status === 'ok' ? 'degraded' : status;
        // Shallow: details may hold objects the check shares with its library (pool stats).
        if (r.details !== undefined) Object.freeze(r.details);
        if (r.error !== undefined) Object.freeze(r.error);
        Object.freeze(r);
      }
      this.#observe(entries, results);
      const run: ChecksRun = { generation, finishedAt: performance.now(), checkedAt: new Date().toISOString(), results: Object.freeze(results), status };
      this.#run = run;
      return run;
    } finally {
      this.#inflight = undefined;
    }
  }

  async #runEntry(entry: Entry): Promise<CheckResult> {
    const now = performance.now();
    if (entry.runningSince !== undefined && now - entry.runningSince < ABANDON_AFTER_TIMEOUTS * entry.timeoutMs) {
      // The previous run ignored its abort signal and still hangs. Starting another would pile up
      // connections on a dependency that is already in trouble, so report it as timed out instead.
      // Not forever: a run that never settles (a packet-dropping partition) is abandoned after
      // ABANDON_AFTER_TIMEOUTS timeouts, so readiness follows the dependency again once it is back.
      return {
        name: entry.check.name,
        status: 'fail',
        required: entry.required,
        latency_ms: roundMs(now - entry.runningSince),
        error: { code: 'TW_ERR_HEALTH_CHECK_TIMEOUT', message: `still running from an earlier probe (timeout ${entry.timeoutMs} ms); not started again` },
      };
    }
    if (entry.runningSince !== undefined) this.#options.logger.warn({ check: entry.check.name, code: 'TW_ERR_HEALTH_CHECK_TIMEOUT' }, 'health: a check run that never settled was abandoned; starting a new one');
    entry.runningSince = now;
    const { result, settled } = runCheck(entry.check, entry.required, entry.timeoutMs, this.#options.scrub);
    void settled.then(() => {
      if (entry.runningSince === now) entry.runningSince = undefined;
    });
    const r = await result;
    if (r.error?.code !== 'TW_ERR_HEALTH_CHECK_TIMEOUT' && entry.runningSince === now) entry.runningSince = undefined;
    return r;
  }

  /** Logs transitions (once, not per probe) and slow checks (TWWRN004, rate-limited). Never throws. */
  #observe(entries: readonly Entry[], results: readonly CheckResult[]): void {
    const logger = this.#options.logger;
    try {
      const now = performance.now();
      for (let i = 0; i < entries.length; i++) {
        const entry = entries[i];
        const r = results[i];
        if (entry === undefined || r === undefined) continue;
        if (r.status !== entry.lastStatus) {
          const first = entry.lastStatus === undefined;
          entry.lastStatus = r.status;
          const fields = { check: r.name, required: r.required, latency_ms: r.latency_ms };
          if (r.status === 'fail') {
            const level = r.required ? 'error' : 'warn';
            logger[level]({ ...fields, code: r.error?.code, error: r.error?.message }, 'health: check failing');
          } else if (!first) {
            logger.info(fields, 'health: check recovered');
          }
        }
        if (r.error?.code !== 'TW_ERR_HEALTH_CHECK_TIMEOUT' && r.latency_ms > entry.timeoutMs / 2) {
          if (now - entry.lastSlowWarningAt >= SLOW_CHECK_WARNING_INTERVAL_MS) {
            logger.warn(
              { code: 'TWWRN004', check: r.name, latency_ms: r.latency_ms, timeout_ms: entry.timeoutMs, suppressed: entry.suppressedSlowWarnings },
              'health: check is slower than half its timeout',
            );
            entry.lastSlowWarningAt = now;
            entry.suppressedSlowWarnings = 0;
          } else {
            entry.suppressedSlowWarnings++;
          }
        }
      }
    } catch {
      // A broken logger must not break readiness.
    }
  }
}

/** Readiness for a run of the checks, once started and not shutting down (memoised on the run). */
export function readyResponse(run: ChecksRun): ProbeResponse {
  return (run.readyResponse ??= freezeResponse({
    httpStatus: run.status === 'fail' ? 503 : 200,
    body: { status: run.status, checked_at: run.checkedAt, checks: run.results },
  }));
}

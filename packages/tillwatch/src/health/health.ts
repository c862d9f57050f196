/**
 * Kubernetes-style health probes: liveness, readiness, startup, and a summary for humans.
 *
 * - **live** answers from inside the process only (event-loop lag, heap): a dependency outage must
 *   never make the kubelet restart every pod at once.
 * - **ready** runs the registered checks, in parallel, each under a timeout, and caches the results for
 *   `health.cacheTtlMs`; concurrent probes share one in-flight run, so a probe storm costs each
 *   dependency one call.
 * - **startup** is 503 until {@link Health.markStarted} (migrations done, caches warm).
 *
 * Lifecycle order: construct → {@link Health.add} checks (start-up; may throw) → serve
 * {@link Health.handler} → {@link Health.markStarted} → … → {@link Health.setShuttingDown} on SIGTERM
 * (readiness turns 503 so load balancers drain) → {@link Health.close}.
 *
 * Probes never throw: failures are result values, logged once per transition.
 * docs/health.md has the status table and a pod-spec snippet.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getHeapStatistics } from 'node:v8';
import type { Logger } from 'pino';
import type { ResolvedTillwatchOptions } from '../config/options.ts';
import { TillwatchConfigError, type ConfigIssue } from '@tillwatch/spec';
import { DuplicateHealthCheckError } from './duplicate-check-error.ts';
import { EventLoopLag } from './event-loop-lag.ts';
import { createProbeHandler } from './probe-handler.ts';
import { roundMs, runCheck } from './run-check.ts';
import { safeErrorMessage } from './safe-error-message.ts';

/** A dependency check. Register with {@link Health.add} or build one with the factories in `checks/`. */
export interface HealthCheck {
  /** Unique; letters, digits and `._:-`, at most 64 characters. Appears in probe bodies and logs. */
  name: string;
  /** When false, a failure makes readiness `degraded` (still 200) instead of 503. Default true. */
  required?: boolean;
  /** Per-check timeout; default `health.checkTimeoutMs`. */
  timeoutMs?: number;
  /**
   * Resolves when the dependency is usable; throws or rejects when not. May resolve with details
   * (pool stats, free bytes) shown in the probe body: keep them free of secrets.
   * @param signal aborted when the timeout fires; pass it on to I/O that accepts one.
   */
  run(signal: AbortSignal): Promise<void | Record<string, unknown>>;
}

/** The outcome of one check, as it appears in readiness and summary bodies. */
export interface CheckResult {
  name: string;
  status: 'pass' | 'fail';
  required: boolean;
  latency_ms: number;
  /** Present when failing. The message has credentials and stack traces removed. */
  error?: { code: 'TW_ERR_HEALTH_CHECK_TIMEOUT' | 'TW_ERR_HEALTH_CHECK_FAILED'; message: string };
  details?: Record<string, unknown>;
}

/** What a probe answers: an HTTP status and a JSON-able body. */
export interface ProbeResponse {
  httpStatus: 200 | 503;
  body: Record<string, unknown>;
}

/** `status` of the readiness and summary bodies. */
export type ReadyStatus = 'ok' | 'degraded' | 'fail' | 'starting' | 'shutting_down';

export interface HealthDeps {
  options: ResolvedTillwatchOptions['health'];
  logger: Logger;
  /** Applied to every check error message after the built-in credential scrubbing (pass the log redactor). */
  scrub?: (s: string) => string;
  /** Shown in the summary body. */
  service?: { name: string; version: string };
}

/** Letters, digits, `._:-`: safe as a JSON key, a log field and a metric label value. */
const CHECK_NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
const MAX_CHECK_TIMEOUT_MS = 60_000;
/** TWWRN004 is logged at most once per check per this interval, with a count of the ones suppressed. */
export const SLOW_CHECK_WARNING_INTERVAL_MS = 60_000;

const STARTING_READY: ProbeResponse = freezeResponse({ httpStatus: 503, body: { status: 'starting' } });
const SHUTTING_DOWN_READY: ProbeResponse = freezeResponse({ httpStatus: 503, body: { status: 'shutting_down' } });
const STARTING_READY_P = Promise.resolve(STARTING_READY);
const SHUTTING_DOWN_READY_P = Promise.resolve(SHUTTING_DOWN_READY);
const STARTUP_OK: ProbeResponse = freezeResponse({ httpStatus: 200, body: { status: 'ok' } });
const STARTUP_PENDING: ProbeResponse = freezeResponse({ httpStatus: 503, body: { status: 'starting' } });

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

interface Run {
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
 * The health probes of one service instance.
 * @example
 * ```ts
 * const health = new Health({ options: resolved.health, logger });
 * health.add(postgresCheck({ client: pool }));
 * health.add(redisCheck({ client: redis, required: false }));
 * const serveHealth = health.handler();
 * http.createServer((req, res) => { if (!serveHealth(req, res)) app(req, res); }).listen(8080);
 * await runMigrations();
 * health.markStarted();
 * ```
 */
export class Health {
  readonly #options: ResolvedTillwatchOptions['health'];
  readonly #logger: Logger;
  readonly #scrub: ((s: string) => string) | undefined;
  readonly #service: { name: string; version: string } | undefined;
  readonly #entries = new Map<string, Entry>();
  readonly #sections = new Map<string, () => unknown>();
  readonly #lag = new EventLoopLag();
  #started = false;
  #shuttingDown = false;
  #liveFailing = false;
  /** Bumped by add(): cached results made before a check was added are stale. */
  #generation = 0;
  #run: Run | undefined;
  #inflight: Promise<Run> | undefined;

  constructor(deps: HealthDeps) {
    this.#options = deps.options;
    this.#logger = deps.logger;
    this.#scrub = deps.scrub;
    this.#service = deps.service;
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

  /** Start-up work (migrations, cache warm-up) is done: startup turns 200 and readiness starts running checks. Idempotent. */
  markStarted(): void {
    if (this.#started) return;
    this.#started = true;
    this.#logger.info({ uptime_s: Math.round(process.uptime()) }, 'health: startup complete, readiness enabled');
  }

  /**
   * Readiness answers 503 from now on, without calling dependencies, so load balancers stop sending
   * traffic while in-flight requests finish. Liveness stays 200: a draining pod must not be restarted.
   * Called by graceful shutdown on SIGTERM, before the drain delay. Idempotent.
   */
  setShuttingDown(): void {
    this.#shuttingDown = true;
  }

  /** Liveness: event-loop lag and heap only, no dependency calls. 503 means "restart me". */
  live(): ProbeResponse {
    const lagP99 = this.#lag.p99Ms();
    const heap = getHeapStatistics();
    const heapRatio = heap.used_heap_size / heap.heap_size_limit;
    const { maxEventLoopLagMs, maxHeapUsedRatio } = this.#options;
    const body: Record<string, unknown> = {
      status: 'ok',
      event_loop_lag_p99_ms: roundMs(lagP99),
      event_loop_lag_max_ms: roundMs(this.#lag.maxMs()),
      heap_used_ratio: Math.round(heapRatio * 1000) / 1000,
    };
    let reasons: string[] | undefined;
    if (lagP99 > maxEventLoopLagMs) (reasons ??= []).push(`event-loop lag p99 ${roundMs(lagP99)} ms exceeds maxEventLoopLagMs ${maxEventLoopLagMs}`);
    if (heapRatio > maxHeapUsedRatio) (reasons ??= []).push(`heap used ratio ${body.heap_used_ratio} exceeds maxHeapUsedRatio ${maxHeapUsedRatio}`);
    const failing = reasons !== undefined;
    if (failing) {
      body.status = 'fail';
      body.reasons = reasons;
    }
    if (failing !== this.#liveFailing) {
      this.#liveFailing = failing;
      if (failing) this.#logger.error({ code: 'TW_ERR_HEALTH_LIVENESS_FAILING', reasons }, 'health: liveness failing');
      else this.#logger.info('health: liveness recovered');
    }
    return { httpStatus: failing ? 503 : 200, body };
  }

  /**
   * Readiness: 200 `ok` when started, not shutting down and every required check passes; 200
   * `degraded` when only optional checks fail; 503 otherwise (`fail`, `starting`, `shutting_down`).
   * Never rejects.
   */
  ready(): Promise<ProbeResponse> {
    if (this.#shuttingDown) return SHUTTING_DOWN_READY_P;
    if (!this.#started) return STARTING_READY_P;
    const run = this.#results();
    if (run instanceof Promise) return run.then((r) => (this.#shuttingDown ? SHUTTING_DOWN_READY : readyResponse(r)));
    // Cached: every caller gets the same settled promise, so a probe storm allocates nothing.
    return (run.readyPromise ??= Promise.resolve(readyResponse(run)));
  }

  /** Startup: 503 `starting` until {@link markStarted}, then 200 `ok`. */
  startup(): ProbeResponse {
    return this.#started ? STARTUP_OK : STARTUP_PENDING;
  }

  /**
   * Everything at once, for humans and dashboards: service, version, uptime, the three probes and
   * every check (run even before start-up). The HTTP status is readiness's.
   */
  /**
   * Adds a named section to the summary body (e.g. `slo`: error budget and burn rate). The function runs
   * on each summary request; it must be cheap, and if it throws the section shows `{ error }` instead.
   */
  setSummarySection(name: string, section: () => unknown): void {
    this.#sections.set(name, section);
  }

  async summary(): Promise<ProbeResponse> {
    const run = await this.#results();
    const sections: Record<string, unknown> = {};
    for (const [name, section] of this.#sections) {
      try {
        sections[name] = section();
      } catch (e) {
        sections[name] = { error: safeErrorMessage(e, this.#scrub) };
      }
    }
    const status: ReadyStatus = this.#shuttingDown ? 'shutting_down' : !this.#started ? 'starting' : run.status;
    return {
      httpStatus: status === 'ok' || status === 'degraded' ? 200 : 503,
      body: {
        status,
        service: this.#service?.name,
        version: this.#service?.version,
        uptime_s: Math.round(process.uptime()),
        live: this.live().body,
        startup: this.startup().body,
        ready: { status, checked_at: run.checkedAt },
        checks: run.results,
        ...sections,
      },
    };
  }

  /**
   * A node:http-style handler for `basePath` (summary), `basePath/live`, `/ready` and `/startup`.
   * Returns false, without touching the response, for any other path so the caller can go on routing.
   * @example
   * ```ts
   * const serveHealth = health.handler();
   * http.createServer((req, res) => { if (!serveHealth(req, res)) app(req, res); });
   * ```
   */
  handler(): (req: IncomingMessage, res: ServerResponse) => boolean {
    return createProbeHandler(this, this.#options.basePath);
  }

  /** Stops the event-loop-delay monitor. Probes keep answering with the last lag values. */
  close(): void {
    this.#lag.close();
  }

  /** Cached results when fresh, else the in-flight run, else a new run (single-flight). */
  #results(): Run | Promise<Run> {
    const run = this.#run;
    if (run !== undefined && run.generation === this.#generation && performance.now() - run.finishedAt < this.#options.cacheTtlMs) return run;
    return (this.#inflight ??= this.#runAll());
  }

  async #runAll(): Promise<Run> {
    const generation = this.#generation;
    const entries = [...this.#entries.values()];
    try {
      const results = await Promise.all(entries.map((e) => this.#runEntry(e)));
      let status: Run['status'] = 'ok';
      for (const r of results) {
        if (r.status === 'fail') status = r.required ? 'fail' : status === 'ok' ? 'degraded' : status;
        // Shallow: details may hold objects the check shares with its library (pool stats).
        if (r.details !== undefined) Object.freeze(r.details);
        if (r.error !== undefined) Object.freeze(r.error);
        Object.freeze(r);
      }
      this.#observe(entries, results);
      const run: Run = { generation, finishedAt: performance.now(), checkedAt: new Date().toISOString(), results: Object.freeze(results), status };
      this.#run = run;
      return run;
    } finally {
      this.#inflight = undefined;
    }
  }

  async #runEntry(entry: Entry): Promise<CheckResult> {
    const now = performance.now();
    if (entry.runningSince !== undefined) {
      // The previous run ignored its abort signal and still hangs. Starting another would pile up
      // connections on a dependency that is already in trouble, so report it as timed out instead.
      return {
        name: entry.check.name,
        status: 'fail',
        required: entry.required,
        latency_ms: roundMs(now - entry.runningSince),
        error: { code: 'TW_ERR_HEALTH_CHECK_TIMEOUT', message: `still running from an earlier probe (timeout ${entry.timeoutMs} ms); not started again` },
      };
    }
    entry.runningSince = now;
    const { result, settled } = runCheck(entry.check, entry.required, entry.timeoutMs, this.#scrub);
    void settled.then(() => {
      if (entry.runningSince === now) entry.runningSince = undefined;
    });
    const r = await result;
    if (r.error?.code !== 'TW_ERR_HEALTH_CHECK_TIMEOUT' && entry.runningSince === now) entry.runningSince = undefined;
    return r;
  }

  /** Logs transitions (once, not per probe) and slow checks (TWWRN004, rate-limited). Never throws. */
  #observe(entries: readonly Entry[], results: readonly CheckResult[]): void {
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
            this.#logger[level]({ ...fields, code: r.error?.code, error: r.error?.message }, 'health: check failing');
          } else if (!first) {
            this.#logger.info(fields, 'health: check recovered');
          }
        }
        if (r.error?.code !== 'TW_ERR_HEALTH_CHECK_TIMEOUT' && r.latency_ms > entry.timeoutMs / 2) {
          if (now - entry.lastSlowWarningAt >= SLOW_CHECK_WARNING_INTERVAL_MS) {
            this.#logger.warn(
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

function validateCheck(check: HealthCheck): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const label = typeof check?.name === 'string' ? `health check ${JSON.stringify(check.name.slice(0, 64))}` : 'health check';
  const issue = (field: string, expected: string, got: string): void => {
    issues.push({ option: `${label}.${field}`, expected, got, code: 'TW_ERR_HEALTH_INVALID_CHECK' });
  };
  if (typeof check !== 'object' || check === null) {
    issue('', 'an object with name and run', String(check));
    return issues;
  }
  if (typeof check.name !== 'string' || !CHECK_NAME.test(check.name)) {
    issue('name', 'letters, digits and ._:- (1 to 64, starting with a letter or digit)', typeof check.name === 'string' ? JSON.stringify(check.name.slice(0, 70)) : typeof check.name);
  }
  if (typeof check.run !== 'function') issue('run', 'a function (signal) => Promise', typeof check.run);
  if (check.required !== undefined && typeof check.required !== 'boolean') issue('required', 'a boolean', typeof check.required);
  const t = check.timeoutMs;
  if (t !== undefined && (typeof t !== 'number' || !Number.isInteger(t) || t < 1 || t > MAX_CHECK_TIMEOUT_MS)) {
    issue('timeoutMs', `an integer between 1 and ${MAX_CHECK_TIMEOUT_MS}`, `${typeof t} ${String(t)}`);
  }
  return issues;
}

/** Readiness for a run of the checks, once started and not shutting down (memoised on the run). */
function readyResponse(run: Run): ProbeResponse {
  return (run.readyResponse ??= freezeResponse({
    httpStatus: run.status === 'fail' ? 503 : 200,
    body: { status: run.status, checked_at: run.checkedAt, checks: run.results },
  }));
}

/** Shared responses are handed to every caller: frozen so one caller cannot change another's answer. */
function freezeResponse(response: ProbeResponse): ProbeResponse {
  Object.freeze(response.body);
  return Object.freeze(response);
}

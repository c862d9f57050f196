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
 * docs/health.md has the status table and a pod-spec snippet. This class ties the parts together:
 * liveness.ts, readiness.ts (the checks), probe-handler.ts (HTTP) and the summary below.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { ResolvedTillwatchOptions } from '../config/options.ts';
import type { HealthCheck } from './health-check.ts';
import { Liveness } from './liveness.ts';
import { createProbeHandler } from './probe-handler.ts';
import { SHUTTING_DOWN_READY, STARTING_READY, STARTUP_OK, STARTUP_PENDING, type ProbeResponse, type ReadyStatus } from './probe-response.ts';
import { Readiness, readyResponse } from './readiness.ts';
import { safeErrorMessage } from './safe-error-message.ts';

export interface HealthDeps {
  options: ResolvedTillwatchOptions['health'];
  logger: Logger;
  /** Applied to every check error message after the built-in credential scrubbing (pass the log redactor). */
  scrub?: (s: string) => string;
  /** Shown in the summary body. */
  service?: { name: string; version: string };
}

const STARTING_READY_P = Promise.resolve(STARTING_READY);
const SHUTTING_DOWN_READY_P = Promise.resolve(SHUTTING_DOWN_READY);

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
  readonly #sections = new Map<string, () => unknown>();
  readonly #liveness: Liveness;
  readonly #readiness: Readiness;
  #started = false;
  #shuttingDown = false;

  constructor(deps: HealthDeps) {
    this.#options = deps.options;
    this.#logger = deps.logger;
    this.#scrub = deps.scrub;
    this.#service = deps.service;
    this.#liveness = new Liveness({ ...deps.options, service: deps.service?.name }, deps.logger);
    this.#readiness = new Readiness({ checkTimeoutMs: deps.options.checkTimeoutMs, cacheTtlMs: deps.options.cacheTtlMs, logger: deps.logger, scrub: deps.scrub });
  }

  /**
   * Registers a check. Call at start-up.
   * @throws DuplicateHealthCheckError (TW_ERR_HEALTH_DUPLICATE_CHECK) when the name is taken.
   * @throws TillwatchConfigError (TW_ERR_HEALTH_INVALID_CHECK) for a malformed name, timeoutMs or run.
   */
  add(check: HealthCheck): void {
    this.#readiness.add(check);
  }

  /** Start-up work (migrations, cache warm-up) is done: startup turns 200 and readiness starts running checks. Idempotent. */
  markStarted(): void {
    if (this.#started) return;
    this.#started = true;
    // The start-up stall (module loading, migrations, JIT warm-up) is over: it must not fail liveness
    // for the next window or two, right when readiness starts sending traffic.
    this.#liveness.forgetLag();
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

  /** Liveness: event loop (stuck fails, busy does not) and heap only, no dependency calls. 503 means "restart me". */
  live(): ProbeResponse {
    return this.#liveness.probe();
  }

  /**
   * Readiness: 200 `ok` when started, not shutting down and every required check passes; 200
   * `degraded` when only optional checks fail; 503 otherwise (`fail`, `starting`, `shutting_down`).
   * Never rejects.
   */
  ready(): Promise<ProbeResponse> {
    if (this.#shuttingDown) return SHUTTING_DOWN_READY_P;
    if (!this.#started) return STARTING_READY_P;
    const run = this.#readiness.results();
    if (run instanceof Promise) return run.then((r) => (this.#shuttingDown ? SHUTTING_DOWN_READY : readyResponse(r)));
    // Cached: every caller gets the same settled promise, so a probe storm allocates nothing.
    return (run.readyPromise ??= Promise.resolve(readyResponse(run)));
  }

  /** Startup: 503 `starting` until {@link markStarted}, then 200 `ok`. */
  startup(): ProbeResponse {
    return this.#started ? STARTUP_OK : STARTUP_PENDING;
  }

  /**
   * Adds a named section to the summary body (e.g. `slo`: error budget and burn rate). The function runs
   * on each summary request; it must be cheap, and if it throws the section shows `{ error }` instead.
   */
  setSummarySection(name: string, section: () => unknown): void {
    this.#sections.set(name, section);
  }

  /**
   * Everything at once, for humans and dashboards: service, version, uptime, the three probes and
   * every check (run even before start-up). The HTTP status is readiness's.
   */
  async summary(): Promise<ProbeResponse> {
    const run = await this.#readiness.results();
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
    this.#liveness.close();
  }
}

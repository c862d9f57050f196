/**
 * Graceful shutdown and crash handling for one process.
 *
 * The sequence on SIGTERM/SIGINT (docs/lifecycle.md walks through it with Kubernetes timings):
 *
 * 1. start  — readiness fails at once (`onShuttingDown`), every response from now on carries
 *             `Connection: close`.
 * 2. drain  — keep serving for `drainDelayMs` so load balancers see readiness fail and stop routing.
 * 3. close  — stop accepting, close idle keep-alive sockets, let in-flight requests finish.
 * 4. hooks  — run shutdown hooks in reverse registration order, each once; a failure is logged and
 *             the next hook runs.
 * 5. done   — flush logs, exit 0.
 *
 * Steps 3-4 are bounded by `shutdownTimeoutMs`; past it the process force-closes connections and
 * exits 1. A second signal exits 1 at once. Each step logs one line with `shutdown_phase` and
 * `elapsed_ms`: operators debug a slow or failed shutdown from those lines alone.
 *
 * This class owns the sequence and the signal and crash policies; the hooks (shutdown-hooks.ts), the
 * bounded error report (bounded-report.ts), the draining of one server (tracked-server.ts), the process
 * handlers and the grace-period warning have modules of their own.
 */
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { ResolvedTillwatchOptions } from '../config/options.ts';
import { BoundedReporter, REPORT_TIMEOUT_MS, type ReportHook } from './bounded-report.ts';
import { deferred, sleepUnref, STALLED, type Deferred } from './deferred.ts';
import { warnIfOverGracePeriod } from './grace-period.ts';
import { installProcessHandlers } from './process-handlers.ts';
import { ShutdownHooks } from './shutdown-hooks.ts';
import { TrackedServer } from './tracked-server.ts';

export { REPORT_TIMEOUT_MS };

/**
 * A repeat of the same signal within this window is the same request, not an impatient operator.
 * Ctrl-C in a terminal signals the whole foreground process group, and `npm run` also forwards
 * SIGINT/SIGTERM to its child (@npmcli/run-script lib/signal-manager.js): the app gets two SIGINTs
 * a few milliseconds apart and, without this window, would always skip graceful shutdown in dev.
 */
export const DUPLICATE_SIGNAL_WINDOW_MS = 200;

/** Further crashes during a crash shutdown are logged this many times, then only counted. */
const MAX_SECONDARY_CRASH_LOGS = 3;

/** The steps of the shutdown sequence, as logged in the `shutdown_phase` field. */
/** Loop turns spent at most accepting the listen backlog before the listening sockets close. */
const BACKLOG_TURNS_MAX = 1000;

export type ShutdownPhase = 'start' | 'report' | 'drain' | 'close' | 'hooks' | 'done';

/** What the lifecycle needs from the rest of tillwatch. Everything but options and logger is optional. */
export interface LifecycleDeps {
  /** `options.lifecycle` from {@link ResolvedTillwatchOptions}. */
  options: ResolvedTillwatchOptions['lifecycle'];
  logger: Logger;
  /** Called once, first thing in shutdown: readiness should answer 503 from now on. Must not throw (a throw is logged). */
  onShuttingDown?: () => void;
  /**
   * Error-report hook (crashes and unhandled rejections). Called at most once per crash, awaited for
   * at most {@link REPORT_TIMEOUT_MS}; a throw or rejection is logged as TW_ERR_SINK_WRITE_FAILED.
   */
  report?: ReportHook;
  /** Synchronous flush of the log destination, called before the process exits. */
  flushLogs?: () => void;
  /** Ends the process. Default: `process.exit`. Never called when `options.exit` is false. */
  exit?: (code: number) => void;
}

type CrashKind = 'uncaughtException' | 'unhandledRejection';

const CRASH_CODES = {
  uncaughtException: 'TW_ERR_LIFECYCLE_UNCAUGHT_EXCEPTION',
  unhandledRejection: 'TW_ERR_LIFECYCLE_UNHANDLED_REJECTION',
} as const;

/**
 * Runs graceful shutdown: drains HTTP servers, runs shutdown hooks, and turns crashes into a
 * logged, reported, bounded exit.
 *
 * @example
 * ```ts
 * const lifecycle = new Lifecycle({ options: options.lifecycle, logger, onShuttingDown: () => health.setShuttingDown() });
 * lifecycle.onShutdown('telemetry', () => exporter.flush()); // registered first: runs last
 * lifecycle.onShutdown('db-pool', () => pool.end());
 * lifecycle.addServer(server);
 * lifecycle.install();
 * ```
 */
export class Lifecycle {
  readonly #options: LifecycleDeps['options'];
  readonly #logger: Logger;
  readonly #deps: LifecycleDeps;
  readonly #hooks = new ShutdownHooks();
  readonly #reporter: BoundedReporter;
  readonly #servers = new Map<Server, TrackedServer>();

  #uninstall: (() => void) | undefined;
  #warnedGracePeriod = false;

  #shutdown: Promise<number> | undefined;
  #settle: Deferred<number> | undefined;
  #exitCode = 0;
  #finished = false;
  #startedAt = 0;
  #phase: ShutdownPhase | undefined;
  #stall: Deferred<typeof STALLED> | undefined;

  #signalShutdown = false;
  #lastSignal: { readonly signal: NodeJS.Signals; readonly at: number } | undefined;
  #crashing = false;
  #secondaryCrashes = 0;

  /** @param deps options, logger and the hooks into health, error reporting and the log destination. */
  constructor(deps: LifecycleDeps) {
    this.#deps = deps;
    this.#options = deps.options;
    this.#logger = deps.logger;
    this.#reporter = new BoundedReporter(deps.report, deps.logger);
  }

  /** True from the first moment of shutdown (signal, crash or a `shutdown()` call). Readiness reads this. */
  get shuttingDown(): boolean {
    return this.#shutdown !== undefined;
  }

  /**
   * Registers a shutdown hook. Hooks run after every server has closed, one at a time, in REVERSE
   * registration order: register telemetry first and the things that use it (workers, pools,
   * caches) after, so telemetry flushes last and still sees their final logs and metrics.
   * Each hook runs at most once. A throw or rejection is logged (TW_ERR_LIFECYCLE_HOOK_FAILED) and
   * the next hook runs. All hooks share the `shutdownTimeoutMs` budget.
   *
   * @param name shown in the logs, and in the timeout line when this hook is the one that hangs.
   * @param fn may return a promise; the next hook waits for it.
   */
  onShutdown(name: string, fn: () => unknown): void {
    if (this.#phase === 'hooks' || this.#phase === 'done') {
      this.#logger.warn({ code: 'TWWRN005', hook: name, shutdown_phase: this.#phase }, `shutdown hook "${name}" registered after hooks started; it will not run`);
      return;
    }
    this.#hooks.add(name, fn);
  }

  /**
   * Adds an HTTP server to drain on shutdown. Call it before `listen()` or right after; requests
   * already in flight when it is added are not tracked.
   */
  addServer(server: Server): void {
    if (this.#servers.has(server)) return;
    const tracked = new TrackedServer(server);
    this.#servers.set(server, tracked);
    if (this.#shutdown !== undefined) {
      tracked.refuseKeepAlive();
      if (this.#phase !== 'start' && this.#phase !== 'report' && this.#phase !== 'drain') {
        this.#logger.warn({ shutdown_phase: this.#phase }, 'server added after shutdown closed the others; closing it now');
        void tracked.stop();
      }
    }
  }

  /**
   * Installs the process handlers chosen by the options: SIGTERM/SIGINT (`handleSignals`),
   * uncaughtException/unhandledRejection (`handleCrashes`). Idempotent: a second call returns the
   * same uninstall function. Logs TWWRN001 (once per instance) when the drain delay plus the
   * shutdown timeout do not fit in the pod's termination grace period.
   *
   * @returns a function that removes the handlers again.
   */
  install(): () => void {
    if (this.#uninstall !== undefined) return this.#uninstall;
    if (!this.#warnedGracePeriod) {
      this.#warnedGracePeriod = true;
      warnIfOverGracePeriod(this.#options, this.#logger);
    }
    const remove = installProcessHandlers({
      ...(this.#options.handleSignals ? { onSignal: this.#onSignal } : {}),
      ...(this.#options.handleCrashes ? { onUncaughtException: this.#onUncaughtException, onUnhandledRejection: this.#onUnhandledRejection } : {}),
    });
    const uninstall = (): void => {
      if (this.#uninstall !== uninstall) return;
      remove();
      this.#uninstall = undefined;
    };
    this.#uninstall = uninstall;
    return uninstall;
  }

  /**
   * Runs the shutdown sequence (drain, close, hooks) and then exits with `exitCode`, unless
   * `options.exit` is false. Idempotent: later calls return the same promise; a later call with a
   * higher exit code raises the final code (a crash during a clean shutdown still exits 1).
   *
   * @param reason logged on the first line, e.g. "SIGTERM" or "config reload".
   * @param exitCode the code for a clean finish; a timeout or second signal makes it 1.
   * @returns the exit code; never rejects.
   */
  shutdown(reason: string, exitCode = 0): Promise<number> {
    return this.#begin(reason, exitCode, { drain: true });
  }

  // --- the sequence -------------------------------------------------------------------------

  #begin(reason: string, exitCode: number, how: { drain: boolean; before?: Promise<void> }): Promise<number> {
    if (this.#shutdown !== undefined) {
      this.#exitCode = Math.max(this.#exitCode, exitCode);
      return this.#shutdown;
    }
    this.#exitCode = exitCode;
    this.#startedAt = performance.now();
    this.#phase = 'start';
    const settle = deferred<number>();
    this.#settle = settle;
    this.#shutdown = settle.promise;

    // Readiness first, before anything that can take time: every probe from now on answers 503.
    this.#call('onShuttingDown', this.#deps.onShuttingDown);
    // From here on no response invites the client to reuse its connection. Kubernetes removes the
    // pod from the endpoints asynchronously, so requests keep arriving for a while (the reason for
    // the drain delay); `Connection: close` makes each keep-alive client reconnect, and the new
    // connection lands on another instance once the load balancer has caught up.
    for (const tracked of this.#servers.values()) tracked.refuseKeepAlive();

    this.#run(reason, how).then(
      (code) => this.#finish(code),
      (error: unknown) => {
        try {
          this.#logger.error({ err: error, shutdown_phase: this.#phase, elapsed_ms: this.#elapsed() }, 'shutdown sequence failed unexpectedly');
        } finally {
          this.#finish(1);
        }
      },
    );
    return settle.promise;
  }

  async #run(reason: string, how: { drain: boolean; before?: Promise<void> }): Promise<number> {
    const { drainDelayMs, shutdownTimeoutMs } = this.#options;
    const drainMs = how.drain ? drainDelayMs : 0;
    this.#step('start', `shutdown started (${reason}): drain ${drainMs} ms, then at most ${shutdownTimeoutMs} ms to close and run hooks`, {
      reason,
      drain_delay_ms: drainMs,
      shutdown_timeout_ms: shutdownTimeoutMs,
      servers: this.#servers.size,
      in_flight: this.#inFlight(),
      hooks: this.#hooks.size,
    });

    // 'beforeExit' fires when the event loop has nothing left that could ever settle what we are
    // waiting for (our own timers are unref'd). Treat that as "this step can never finish" and move
    // on, so a process that has nothing left to do still runs its remaining hooks and exits with
    // the right code instead of ending silently in the middle of shutdown.
    const onLoopEmpty = (): void => this.#stall?.resolve(STALLED);
    process.on('beforeExit', onLoopEmpty);
    try {
      if (how.before !== undefined) {
        this.#phase = 'report';
        await this.#unlessStalled(how.before);
      }

      if (drainMs > 0) {
        // Still serving, on purpose: the load balancer only stops routing here after it has seen
        // readiness fail (probe period x failure threshold) or the endpoint removal has propagated.
        // Stopping to accept now would turn those requests into connection errors.
        this.#step('drain', `draining for ${drainMs} ms: readiness fails, requests are still served with Connection: close`, {
          drain_delay_ms: drainMs,
          in_flight: this.#inFlight(),
        });
        if ((await this.#unlessStalled(sleepUnref(drainMs))) === STALLED) {
          this.#logger.debug({ shutdown_phase: 'drain', elapsed_ms: this.#elapsed() }, 'drain ended early: nothing left to serve');
        }
      }

      // The budget starts after the drain: worst case drainDelayMs + shutdownTimeoutMs, the sum
      // TWWRN001 compares with terminationGracePeriodSeconds.
      const timedOut = deferred<number>();
      const timer = setTimeout(() => timedOut.resolve(this.#onTimeout()), shutdownTimeoutMs).unref();
      try {
        return await Promise.race([this.#closeAndRunHooks(), timedOut.promise]);
      } finally {
        clearTimeout(timer);
      }
    } finally {
      process.removeListener('beforeExit', onLoopEmpty);
      this.#stall = undefined;
    }
  }

  /**
   * Connections the kernel has completed but the process has not accepted yet sit in the listen backlog, and
   * closing the listening socket resets them: ECONNRESET for clients that did nothing wrong. On a starved
   * machine the backlog holds connections made hundreds of ms earlier. Node accepts about one pending
   * connection per poll phase, so this yields to the loop (setImmediate resumes after the next poll phase)
   * until a turn accepts nothing more. Those connections are then tracked, and their requests are answered.
   * Bounded (BACKLOG_TURNS_MAX turns), in case clients keep connecting.
   */
  async #acceptBacklog(): Promise<void> {
    const accepted = () => [...this.#servers.values()].reduce((n, tracked) => n + tracked.accepted, 0);
    let seen = -1;
    for (let turn = 0; turn < BACKLOG_TURNS_MAX && seen !== accepted(); turn++) {
      seen = accepted();
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  async #closeAndRunHooks(): Promise<number> {
    await this.#acceptBacklog();
    const stopped = [...this.#servers.values()].map((tracked) => tracked.stop());
    // Listening sockets are closed now (new connections are refused) and idle keep-alive sockets
    // are gone; in-flight requests finish and their connections close after the response.
    this.#step('close', `stopped accepting connections; waiting for ${this.#inFlight()} in-flight request(s)`, {
      servers: this.#servers.size,
      in_flight: this.#inFlight(),
    });
    await this.#unlessStalled(Promise.all(stopped));

    await this.#hooks.run({
      logger: this.#logger,
      starting: (names) => this.#step('hooks', `servers closed; running ${names.length} shutdown hook(s)`, { hooks: names }),
      finished: () => this.#finished,
      unlessStalled: (p) => this.#unlessStalled(p),
      elapsed: () => this.#elapsed(),
    });
    // A crash during a clean shutdown (a hook throwing asynchronously, say) started a report that
    // nobody awaited; give it its bounded time before the process exits.
    if (this.#reporter.pending > 0) await this.#unlessStalled(this.#reporter.settled());
    return this.#exitCode;
  }

  /** The shutdown budget is spent: say what was still pending, cut connections, exit 1. */
  #onTimeout(): number {
    const pending = this.#pending();
    const what = [
      pending.hook !== undefined ? `hook "${pending.hook}"` : undefined,
      pending.in_flight > 0 ? `${pending.in_flight} in-flight request(s)` : undefined,
      pending.servers_open > 0 ? `${pending.servers_open} server(s) with open connections` : undefined,
      pending.hooks_not_run.length > 0 ? `hooks not run: ${pending.hooks_not_run.join(', ')}` : undefined,
    ].filter((s) => s !== undefined);
    this.#logger.error(
      { code: 'TW_ERR_LIFECYCLE_SHUTDOWN_TIMEOUT', shutdown_timeout_ms: this.#options.shutdownTimeoutMs, shutdown_phase: this.#phase, elapsed_ms: this.#elapsed(), ...pending },
      `shutdown timed out after ${this.#options.shutdownTimeoutMs} ms in phase ${this.#phase}; still pending: ${what.join('; ') || 'nothing known'}; forcing connections closed`,
    );
    // In-flight requests are cut: their clients see a reset instead of hanging until SIGKILL.
    for (const tracked of this.#servers.values()) tracked.forceClose();
    return 1;
  }

  #finish(code: number): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#phase = 'done';
    try {
      const level = code === 0 ? 'info' : 'error';
      this.#logger[level]({ shutdown_phase: 'done', elapsed_ms: this.#elapsed(), exit_code: code }, `shutdown complete; exit code ${code}`);
    } catch {
      // A broken log destination must not keep the process from exiting.
    }
    // Async log destinations buffer; without a flush the last lines (the ones explaining the exit)
    // are lost when process.exit() runs.
    this.#call('flushLogs', this.#deps.flushLogs);
    this.#settle?.resolve(code);
    if (this.#options.exit) this.#exit(code);
  }

  #exit(code: number): void {
    if (this.#deps.exit !== undefined) this.#deps.exit(code);
    else process.exit(code);
  }

  // --- process handlers --------------------------------------------------------------------

  readonly #onSignal = (signal: NodeJS.Signals): void => {
    const now = performance.now();
    const last = this.#lastSignal;
    this.#lastSignal = { signal, at: now };
    if (this.#shutdown === undefined) {
      this.#signalShutdown = true;
      void this.#begin(signal, 0, { drain: true });
      return;
    }
    if (last !== undefined && last.signal === signal && now - last.at < DUPLICATE_SIGNAL_WINDOW_MS) {
      this.#logger.debug({ signal, shutdown_phase: this.#phase }, `duplicate ${signal} ignored (same signal within ${DUPLICATE_SIGNAL_WINDOW_MS} ms)`);
      return;
    }
    if (!this.#signalShutdown) {
      // Shutdown was started by the application or a crash; this is the first signal, not an
      // impatient second one. The sequence already under way is what the signal asks for.
      this.#signalShutdown = true;
      this.#logger.info({ signal, shutdown_phase: this.#phase, elapsed_ms: this.#elapsed() }, `${signal} received; shutdown already in progress`);
      return;
    }
    // A second signal is an operator (or supervisor) saying "now": do not make them reach for SIGKILL.
    if (this.#finished) return;
    this.#logger.error(
      { code: 'TW_ERR_LIFECYCLE_FORCED_EXIT', signal, shutdown_phase: this.#phase, elapsed_ms: this.#elapsed(), ...this.#pending() },
      `second signal (${signal}) during shutdown: exiting at once with code 1`,
    );
    for (const tracked of this.#servers.values()) tracked.forceClose();
    this.#finish(1);
  };

  readonly #onUncaughtException = (error: unknown): void => {
    try {
      this.#crash('uncaughtException', error);
    } catch (internal) {
      this.#lastResort('uncaughtException', error, internal);
    }
  };

  readonly #onUnhandledRejection = (reason: unknown): void => {
    try {
      if (this.#options.unhandledRejection === 'crash') {
        this.#crash('unhandledRejection', reason);
        return;
      }
      this.#logger.error(
        { err: reason, code: CRASH_CODES.unhandledRejection },
        'unhandled promise rejection; the process keeps running (lifecycle.unhandledRejection is "log")',
      );
      void this.#reporter.report(reason, { kind: 'unhandledRejection', policy: 'log' });
    } catch (internal) {
      this.#lastResort('unhandledRejection', reason, internal);
    }
  };

  /**
   * The process is in an unknown state (Node docs: it is not safe to resume after an uncaught
   * exception). Log once at fatal with the stack, flush, report, then shut down with exit code 1.
   * No drain delay: a crashed process should not take new work for seconds; readiness still fails
   * at once and in-flight requests still get their budget.
   */
  #crash(kind: CrashKind, error: unknown): void {
    if (this.#crashing) {
      // Already on the way out. Do not report again or restart shutdown: an error that recurs
      // (a broken log stream, a throwing timer, a failing report hook) would otherwise loop.
      this.#secondaryCrashes += 1;
      if (this.#secondaryCrashes <= MAX_SECONDARY_CRASH_LOGS) {
        this.#logger.error(
          { err: error, code: CRASH_CODES[kind], during_shutdown: true, shutdown_phase: this.#phase },
          `${kind} during crash shutdown; not reported again`,
        );
      }
      return;
    }
    this.#crashing = true;
    const message = kind === 'uncaughtException' ? 'uncaught exception' : 'unhandled promise rejection (lifecycle.unhandledRejection is "crash")';
    this.#logger.fatal({ err: error, code: CRASH_CODES[kind] }, `${message}; shutting down with exit code 1`);
    this.#call('flushLogs', this.#deps.flushLogs);
    const reported = this.#reporter.report(error, { kind, policy: 'crash' });
    void this.#begin(kind, 1, { drain: false, before: reported });
  }

  /** Our own crash handler failed. Write what we can to stderr and exit without any more logic. */
  #lastResort(kind: CrashKind, error: unknown, internal: unknown): void {
    try {
      process.stderr.write(`tillwatch: the ${kind} handler failed (${String(internal)}) while handling: ${error instanceof Error ? error.stack : String(error)}\n`);
    } catch {
      // stderr is gone too; nothing left to tell.
    }
    if (this.#options.exit) this.#exit(1);
  }

  // --- helpers -----------------------------------------------------------------------------

  /** Waits for `p`, or returns STALLED if the event loop empties first. */
  #unlessStalled<T>(p: Promise<T>): Promise<T | typeof STALLED> {
    const stall = deferred<typeof STALLED>();
    this.#stall = stall;
    return Promise.race([p, stall.promise]);
  }

  /** Calls an injected callback; a throw is logged, never propagated into the shutdown sequence. */
  #call(name: string, fn: (() => void) | undefined): void {
    if (fn === undefined) return;
    try {
      fn();
    } catch (error) {
      this.#logger.error({ err: error, callback: name, shutdown_phase: this.#phase }, `lifecycle callback ${name} threw; continuing`);
    }
  }

  /** Enters `phase` and logs its one line. */
  #step(phase: ShutdownPhase, msg: string, fields: Record<string, unknown>): void {
    this.#phase = phase;
    this.#logger.info({ shutdown_phase: phase, elapsed_ms: this.#elapsed(), ...fields }, msg);
  }

  #pending(): { in_flight: number; servers_open: number; hook: string | undefined; hooks_not_run: string[] } {
    let serversOpen = 0;
    for (const tracked of this.#servers.values()) if (tracked.open) serversOpen += 1;
    return {
      in_flight: this.#inFlight(),
      servers_open: this.#phase === 'close' || this.#phase === 'hooks' ? serversOpen : 0,
      hook: this.#hooks.current,
      hooks_not_run: this.#hooks.notRun(),
    };
  }

  #inFlight(): number {
    let n = 0;
    for (const tracked of this.#servers.values()) n += tracked.inFlight;
    return n;
  }

  #elapsed(): number {
    return this.#shutdown === undefined ? 0 : Math.round(performance.now() - this.#startedAt);
  }
}

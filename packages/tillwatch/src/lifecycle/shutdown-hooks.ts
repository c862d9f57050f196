/**
 * The shutdown hooks: registered by name, run after every server has closed, one at a time, in REVERSE
 * registration order (what was registered last depends on what was registered first), each at most once. A
 * throw, a rejection or a hook that can never settle is logged (TW_ERR_LIFECYCLE_HOOK_FAILED) and the next hook
 * runs; once shutdown has finished (timed out or forced) no further hook starts.
 */
import type { Logger } from 'pino';
import { STALLED } from './deferred.ts';

interface ShutdownHook {
  readonly name: string;
  readonly fn: () => unknown;
}

/** What running the hooks needs from the shutdown sequence. */
export interface HookRunContext {
  readonly logger: Logger;
  /** Called once, with the hooks about to run in order, before the first one starts. */
  starting(names: readonly string[]): void;
  /** True once shutdown is over (timed out or forced): no further hook starts. */
  finished(): boolean;
  /** Waits for `p`, or resolves with STALLED when the event loop empties first. */
  unlessStalled<T>(p: Promise<T>): Promise<T | typeof STALLED>;
  /** Milliseconds since shutdown started, for the log lines. */
  elapsed(): number;
}

export class ShutdownHooks {
  readonly #hooks: ShutdownHook[] = [];
  #current: string | undefined;
  #pending: string[] = [];
  #running = false;

  /** Number of hooks registered and not yet started. */
  get size(): number {
    return this.#hooks.length;
  }

  /** The hook running now, if any. */
  get current(): string | undefined {
    return this.#current;
  }

  add(name: string, fn: () => unknown): void {
    this.#hooks.push({ name, fn });
  }

  /** Hooks that have not run: those after the current one while running, else every registered one in run order. */
  notRun(): string[] {
    return this.#running ? this.#pending.slice(1) : this.#hooks.map((h) => h.name).reverse();
  }

  /** Runs every hook in reverse registration order; never rejects. */
  async run(ctx: HookRunContext): Promise<void> {
    const hooks = this.#hooks.splice(0).reverse();
    this.#pending = hooks.map((h) => h.name);
    this.#running = true;
    ctx.starting(this.#pending);
    for (const hook of hooks) {
      if (ctx.finished()) break; // timed out or forced: do not start more work
      this.#current = hook.name;
      const started = performance.now();
      try {
        const outcome = await ctx.unlessStalled(Promise.resolve().then(hook.fn));
        const hookMs = Math.round(performance.now() - started);
        if (outcome === STALLED) {
          // Awaiting something nothing can settle any more (a forgotten promise, an unref'd timer).
          ctx.logger.error(
            { code: 'TW_ERR_LIFECYCLE_HOOK_FAILED', hook: hook.name, stalled: true, hook_ms: hookMs, shutdown_phase: 'hooks', elapsed_ms: ctx.elapsed() },
            `shutdown hook "${hook.name}" can never finish: it waits on a promise nothing will settle; continuing`,
          );
        } else if (!ctx.finished()) {
          ctx.logger.info({ hook: hook.name, hook_ms: hookMs, shutdown_phase: 'hooks', elapsed_ms: ctx.elapsed() }, `shutdown hook "${hook.name}" done`);
        }
      } catch (error) {
        if (!ctx.finished()) {
          ctx.logger.error(
            { code: 'TW_ERR_LIFECYCLE_HOOK_FAILED', hook: hook.name, err: error, hook_ms: Math.round(performance.now() - started), shutdown_phase: 'hooks', elapsed_ms: ctx.elapsed() },
            `shutdown hook "${hook.name}" failed; continuing with the next hook`,
          );
        }
      }
      this.#pending.shift();
    }
    this.#current = undefined;
  }
}

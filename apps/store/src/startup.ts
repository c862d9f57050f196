/**
 * The moment the store has started (migrations applied, seed done, `tw.markStarted()` called), for the
 * parts that must wait for it: business routes check {@link Startup.done} on every request
 * (http/startup-gate.ts) and feature workers await {@link Startup.started} (through `deps.started`).
 */
export interface Startup {
  /** True from the moment start-up finished. */
  readonly done: boolean;
  /** Resolves true when start-up finished, false when it failed or the store closed first; never rejects. */
  readonly started: Promise<boolean>;
  /** Settles {@link started}; only the first call counts. */
  settle(ok: boolean): void;
}

export function createStartup(): Startup {
  let done = false;
  let resolve!: (ok: boolean) => void;
  const started = new Promise<boolean>((r) => (resolve = r));
  let settled = false;
  return {
    get done() {
      return done;
    },
    started,
    settle(ok) {
      if (settled) return;
      settled = true;
      done = ok;
      resolve(ok);
    },
  };
}

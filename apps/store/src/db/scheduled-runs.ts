/**
 * The store's scheduled jobs (database backups, audit archival): one run at a time (a call while a run is in progress
 * joins it), on an unref'd interval timer, a failed run logged by the caller's `onError` and retried at the next tick.
 */
export interface ScheduledRuns<T> {
  /** Runs the job now, or joins the run in progress; rejects with its error. */
  runNow(): Promise<T>;
  /** Stops the timer and waits for a run in progress. */
  stop(): Promise<void>;
}

export function scheduleRuns<T>(intervalMs: number, once: () => Promise<T>, onError: (err: unknown) => void): ScheduledRuns<T> {
  let running: Promise<T> | undefined;
  const runNow = (): Promise<T> => {
    running ??= once()
      .catch((err: unknown) => {
        onError(err);
        throw err;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const timer = setInterval(() => void runNow().catch(() => {}), intervalMs);
  timer.unref();
  return {
    runNow,
    async stop() {
      clearInterval(timer);
      await running?.catch(() => {});
    },
  };
}

/**
 * The error-report hook, bounded: a crash report may take at most {@link REPORT_TIMEOUT_MS} before shutdown
 * goes on without it, and a reporter that throws, rejects or hangs is logged (TW_ERR_SINK_WRITE_FAILED),
 * never propagated. Reports still running are tracked, so a clean shutdown can give them their time.
 */
import type { Logger } from 'pino';

/** How long a crash waits for the error-report hook before shutting down anyway. */
export const REPORT_TIMEOUT_MS = 2000;

export type ReportHook = (error: unknown, context: Record<string, unknown>) => void | Promise<void>;

export class BoundedReporter {
  readonly #report: ReportHook | undefined;
  readonly #logger: Logger;
  readonly #pending = new Set<Promise<void>>();

  constructor(report: ReportHook | undefined, logger: Logger) {
    this.#report = report;
    this.#logger = logger;
  }

  /** Reports still running. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Settles when every report still running has settled or timed out. Never rejects. */
  settled(): Promise<void> {
    return Promise.all(this.#pending).then(() => undefined);
  }

  /** Calls the report hook; resolves when it settles or after REPORT_TIMEOUT_MS. Never rejects. */
  report(error: unknown, context: Record<string, unknown>): Promise<void> {
    const report = this.#report;
    if (report === undefined) return Promise.resolve();
    const failed = (cause: unknown, timeout: boolean): void => {
      this.#logger.error(
        { code: 'TW_ERR_SINK_WRITE_FAILED', sink: 'errorReporter', timeout, err: cause },
        timeout ? `error reporter did not finish within ${REPORT_TIMEOUT_MS} ms; going on without it` : 'error reporter failed',
      );
    };
    let result: unknown;
    try {
      result = report(error, context);
    } catch (cause) {
      failed(cause, false);
      return Promise.resolve();
    }
    const settled = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        failed(undefined, true);
        resolve();
      }, REPORT_TIMEOUT_MS).unref();
      Promise.resolve(result).then(
        () => {
          clearTimeout(timer);
          resolve();
        },
        (cause: unknown) => {
          clearTimeout(timer);
          failed(cause, false);
          resolve();
        },
      );
    });
    this.#pending.add(settled);
    void settled.then(() => this.#pending.delete(settled));
    return settled;
  }
}

/**
 * Wraps a log destination so that its failures never reach the code that logged.
 *
 * A destination can fail in two ways: `write()` throws (a destroyed SonicBoom, a custom stream) or the
 * stream emits 'error' later (EPIPE when the log shipper dies, ENOSPC when the disk is full). An
 * 'error' event without a listener would crash the process, so a listener is always attached.
 */
import type { DestinationStream } from 'pino';

/** The subset of a writable stream the logger uses. */
export interface LogDestination {
  write(chunk: string): unknown;
  on?(event: 'error', listener: (err: Error) => void): unknown;
  flush?(cb?: (err?: Error | null) => void): unknown;
  flushSync?(): unknown;
  readonly destroyed?: boolean;
}

function toError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

/**
 * @param dest where lines go; written synchronously so a fatal line logged just before a crash is on disk.
 * @param onError called for every failed or dropped write; its own exceptions are swallowed.
 * @returns a pino destination whose `write` and `flush` never throw.
 */
export function safeDestination(dest: LogDestination, onError: (err: Error) => void): DestinationStream & { flush(cb?: (err?: Error) => void): void } {
  let reporting = false;
  const report = (e: unknown): void => {
    // onError may log; a failing destination must not recurse into itself.
    if (reporting) return;
    reporting = true;
    try {
      onError(toError(e));
    } catch {
      // the error hook is a sink too
    } finally {
      reporting = false;
    }
  };
  try {
    dest.on?.('error', report);
  } catch (e) {
    report(e);
  }
  return {
    write(line: string): void {
      if (dest.destroyed === true) {
        report(Object.assign(new Error('log destination is closed; line dropped'), { code: 'ERR_STREAM_DESTROYED' }));
        return;
      }
      try {
        dest.write(line);
      } catch (e) {
        report(e);
      }
    },
    flush(cb?: (err?: Error) => void): void {
      try {
        if (typeof dest.flushSync === 'function') dest.flushSync();
        else if (typeof dest.flush === 'function') {
          dest.flush((err) => cb?.(err ?? undefined));
          return;
        }
      } catch (e) {
        report(e);
      }
      cb?.();
    },
  };
}

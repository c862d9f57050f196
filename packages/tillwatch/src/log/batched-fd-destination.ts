/**
 * The default log destination: JSON lines to a file descriptor (stdout), written synchronously but
 * batched. Lines logged during one event-loop turn leave in a single write(2) at the end of the turn
 * (setImmediate), or at once when the batch reaches `maxBatchBytes`.
 *
 * Why batch: one write(2) per line cost 5-8 µs in our VM measurements (bench/http-overhead.ts), more
 * than everything else tillwatch does per request together. Why stay synchronous: an async writer
 * (SonicBoom with sync: false) can have a write in flight when a crash handler calls flushSync(), and
 * the two then reach the fd out of order; with only synchronous writes, flushSync() is always safe,
 * so the fatal line of an uncaughtException is on disk before the process exits.
 *
 * Bounded, never throwing: a full pipe (EAGAIN on a non-blocking stdout) is retried for at most
 * `maxBlockMs` per flush, and lines beyond `maxBufferedBytes` are dropped; both are reported through
 * the 'error' listener (counted in tillwatch_sink_errors_total{sink="log"}).
 */
import fs from 'node:fs';

export interface BatchedFdDestinationOptions {
  /** File descriptor to write to. Default 1 (stdout). */
  fd?: number;
  /** Flush at once when the pending batch reaches this size. Default 16 KiB. */
  maxBatchBytes?: number;
  /** Lines arriving while this much is pending are dropped (the fd cannot keep up). Default 4 MiB. */
  maxBufferedBytes?: number;
  /** Longest a flush may block retrying EAGAIN before it drops the batch. Default 1000 ms. */
  maxBlockMs?: number;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
const live = new Set<BatchedFdDestination>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' listeners may only do synchronous work, which is exactly what flushSync() is.
  process.on('exit', () => {
    for (const d of live) d.flushSync();
  });
}

export class BatchedFdDestination {
  readonly #fd: number;
  readonly #maxBatch: number;
  readonly #maxBuffered: number;
  readonly #maxBlockMs: number;
  #pending: string[] = [];
  #pendingBytes = 0;
  #scheduled: NodeJS.Immediate | undefined;
  #errorListeners: ((err: Error) => void)[] = [];

  constructor(options: BatchedFdDestinationOptions = {}) {
    this.#fd = options.fd ?? 1;
    this.#maxBatch = options.maxBatchBytes ?? 16 * 1024;
    this.#maxBuffered = options.maxBufferedBytes ?? 4 * 1024 * 1024;
    this.#maxBlockMs = options.maxBlockMs ?? 1000;
    live.add(this);
    installExitHook();
  }

  on(event: 'error', listener: (err: Error) => void): this {
    if (event === 'error') this.#errorListeners.push(listener);
    return this;
  }

  write(line: string): boolean {
    if (this.#pendingBytes >= this.#maxBuffered) {
      this.#fail(Object.assign(new Error('log destination cannot keep up; line dropped'), { code: 'TW_LOG_BACKPRESSURE' }));
      return false;
    }
    this.#pending.push(line);
    // String length approximates bytes; exact for the ASCII that JSON lines mostly are.
    this.#pendingBytes += line.length;
    if (this.#pendingBytes >= this.#maxBatch) this.flushSync();
    else if (this.#scheduled === undefined) {
      this.#scheduled = setImmediate(this.#flushScheduled);
      // A pending batch must not keep an otherwise finished process alive; 'exit' flushes it.
      this.#scheduled.unref();
    }
    return true;
  }

  readonly #flushScheduled = (): void => {
    this.#scheduled = undefined;
    this.flushSync();
  };

  /** Writes everything pending, synchronously. Never throws. */
  flushSync(): void {
    if (this.#scheduled !== undefined) {
      clearImmediate(this.#scheduled);
      this.#scheduled = undefined;
    }
    if (this.#pending.length === 0) return;
    const text = this.#pending.length === 1 ? (this.#pending[0] as string) : this.#pending.join('');
    this.#pending = [];
    this.#pendingBytes = 0;
    // The batch goes out as a string (encoded by the write itself, no Buffer in between); only a partial write,
    // or one that met a full pipe, continues from a byte offset into its encoding.
    let offset = 0;
    try {
      offset = fs.writeSync(this.#fd, text);
      if (offset >= Buffer.byteLength(text)) return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') {
        this.#fail(e instanceof Error ? e : new Error(String(e)));
        return;
      }
    }
    const buf = Buffer.from(text);
    const deadline = Date.now() + this.#maxBlockMs;
    while (offset < buf.length) {
      try {
        offset += fs.writeSync(this.#fd, buf, offset, buf.length - offset);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN' && Date.now() < deadline) {
          // A non-blocking pipe is full: the reader (log shipper) is behind. Wait briefly, bounded.
          Atomics.wait(sleeper, 0, 0, 1);
          continue;
        }
        this.#fail(e instanceof Error ? e : new Error(String(e)));
        return;
      }
    }
  }

  flush(cb?: (err?: Error | null) => void): void {
    this.flushSync();
    cb?.();
  }

  #fail(err: Error): void {
    for (const l of this.#errorListeners) l(err);
  }
}

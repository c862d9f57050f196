/**
 * Recent event-loop lag, for liveness.
 *
 * `monitorEventLoopDelay` keeps one histogram since it was enabled; a lifetime p99 would remember a
 * start-up spike forever and hide a loop that is stuck now. So the histogram is rotated every
 * `windowMs`, and {@link EventLoopLag.p99Ms} reports the larger of the last complete window and the
 * current one: between one and two windows of history, never a lifetime.
 * @see https://nodejs.org/api/perf_hooks.html#perf_hooksmonitoreventloopdelayoptions
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

/** Default window: two windows (10 s) fit inside one Kubernetes liveness period × failureThreshold. */
export const DEFAULT_LAG_WINDOW_MS = 5000;

/** Sampling resolution of the delay timer, in ms (Node's default). */
const RESOLUTION_MS = 10;

/**
 * `histogram.percentile()` walks the HDR buckets and costs several µs; a probe storm should not pay
 * that per request, and a p99 over seconds of history does not move within this interval.
 */
const READ_CACHE_MS = 250;

export class EventLoopLag {
  readonly #histogram: ReturnType<typeof monitorEventLoopDelay>;
  readonly #timer: NodeJS.Timeout;
  #previousP99Ms = 0;
  #previousMaxMs = 0;
  #readAt = -Infinity;
  #p99Ms = 0;
  #maxMs = 0;

  /** Starts sampling at once; call {@link close} to stop. */
  constructor(windowMs: number = DEFAULT_LAG_WINDOW_MS) {
    this.#histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    this.#histogram.enable();
    this.#timer = setInterval(() => this.#rotate(), windowMs);
    // A health monitor must never be the reason a process refuses to exit.
    this.#timer.unref();
  }

  /** p99 of the event-loop delay over the recent window, in ms. 0 before the first sample. */
  p99Ms(): number {
    this.#read();
    return this.#p99Ms;
  }

  /** Largest single delay over the recent window, in ms (one long GC or sync call shows here, not in the p99). */
  maxMs(): number {
    this.#read();
    return this.#maxMs;
  }

  /** Forgets every sample so far, the last complete window included. */
  reset(): void {
    this.#histogram.reset();
    this.#previousP99Ms = 0;
    this.#previousMaxMs = 0;
    this.#readAt = -Infinity;
  }

  /** Stops the timer and the sampler. Idempotent; the last values stay readable. */
  close(): void {
    clearInterval(this.#timer);
    this.#histogram.disable();
  }

  #read(): void {
    const now = performance.now();
    if (now - this.#readAt < READ_CACHE_MS) return;
    this.#readAt = now;
    const h = this.#histogram;
    const p99 = h.count > 0 ? h.percentile(99) / 1e6 : 0;
    const max = h.count > 0 ? h.max / 1e6 : 0;
    this.#p99Ms = p99 > this.#previousP99Ms ? p99 : this.#previousP99Ms;
    this.#maxMs = max > this.#previousMaxMs ? max : this.#previousMaxMs;
  }

  #rotate(): void {
    const h = this.#histogram;
    this.#previousP99Ms = h.count > 0 ? h.percentile(99) / 1e6 : 0;
    this.#previousMaxMs = h.count > 0 ? h.max / 1e6 : 0;
    h.reset();
    this.#readAt = -Infinity;
  }
}

/**
 * Tells a stuck event loop from a busy one.
 *
 * Busy: the loop turns, slowly (CPU starvation, bursts of synchronous work). Probes are answered late
 * and the lag figures are high; the process is making progress and must not be restarted.
 * Stuck: the loop makes no turn at all for longer than `stuckAfterMs` (an endless synchronous loop, a
 * catastrophic regular expression, a synchronous call that never returns). Nothing that runs on the
 * loop can say so, since nothing on it runs: the kubelet sees probe timeouts. So a small worker thread
 * watches a heartbeat counter that the loop bumps on a timer, and when the counter has not moved for
 * `stuckAfterMs` it writes one line to stderr itself, while the loop is still stuck, so the reason for
 * the coming restart is in the pod's log. When the loop turns again the main thread logs how long the
 * stall was, through the ordinary logger.
 *
 * Hand-written: no maintained package offers an off-thread heartbeat watchdog (blocked-at, blocked and
 * event-loop-stats all measure from the loop itself, so they cannot speak while it is stuck).
 * The worker is created from a source string, so it needs no separate file in dist/ or in the sources.
 * It writes only fixed text and numbers (no request data), so it cannot leak what the redactor guards.
 */
import { Worker } from 'node:worker_threads';

/** Heartbeat period of the loop, capped so a short `stuckAfterMs` is still sampled several times. */
const MAX_BEAT_MS = 500;

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const { beats, stuckAfterMs, checkMs, service } = workerData;
let seen = Atomics.load(beats, 0);
let movedAt = Date.now();
let reported = false;
setInterval(() => {
  const now = Date.now();
  const current = Atomics.load(beats, 0);
  if (current !== seen) { seen = current; movedAt = now; reported = false; return; }
  if (reported || now - movedAt <= stuckAfterMs) return;
  reported = true;
  const line = JSON.stringify({ level: 50, time: now, service, code: 'TW_ERR_HEALTH_EVENT_LOOP_STUCK', stuck_ms: now - movedAt, stuck_after_ms: stuckAfterMs, msg: 'health: event loop stuck, no turn for ' + (now - movedAt) + ' ms; liveness probes time out until it turns again' });
  try { writeSync(2, line + '\\n'); } catch {}
}, checkMs);
`;

export interface LoopWatchdogOptions {
  /** No loop turn for longer than this is "stuck". */
  stuckAfterMs: number;
  /** Service name written on the watchdog's line. */
  service?: string;
  /** Called on the loop when it turns again after a stall longer than `stuckAfterMs`. */
  onResumed: (stalledMs: number) => void;
}

export class LoopWatchdog {
  readonly #beats = new Int32Array(new SharedArrayBuffer(4));
  readonly #timer: NodeJS.Timeout;
  readonly #worker: Worker;
  readonly #stuckAfterMs: number;
  #lastBeat = performance.now();
  #closed = false;

  constructor(options: LoopWatchdogOptions) {
    this.#stuckAfterMs = options.stuckAfterMs;
    const beatMs = Math.max(1, Math.min(MAX_BEAT_MS, Math.floor(options.stuckAfterMs / 4)));
    this.#timer = setInterval(() => {
      const now = performance.now();
      const gap = now - this.#lastBeat;
      this.#lastBeat = now;
      Atomics.add(this.#beats, 0, 1);
      if (gap > this.#stuckAfterMs) options.onResumed(Math.round(gap));
    }, beatMs);
    // A health monitor must never be the reason a process refuses to exit.
    this.#timer.unref();
    this.#worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { beats: this.#beats, stuckAfterMs: options.stuckAfterMs, checkMs: beatMs, service: options.service },
      // The watchdog needs almost nothing; keep its heap small.
      resourceLimits: { maxOldGenerationSizeMb: 8, maxYoungGenerationSizeMb: 2 },
      stdout: false,
      stderr: false,
    });
    this.#worker.unref();
    // A watchdog that fails must not take the process with it.
    this.#worker.on('error', () => {});
  }

  /** Milliseconds since the loop last turned its heartbeat (read on the loop, so a turn is happening now). */
  sinceLastTurnMs(): number {
    return performance.now() - this.#lastBeat;
  }

  /** Forgets the time before now (a start-up stall that is over). */
  reset(): void {
    this.#lastBeat = performance.now();
    Atomics.add(this.#beats, 0, 1);
  }

  /** Stops the heartbeat and the worker. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    void this.#worker.terminate();
  }
}

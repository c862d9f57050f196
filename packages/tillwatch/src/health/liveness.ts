/**
 * Liveness: answered from inside the process only (event loop, heap). A dependency outage must never make
 * the kubelet restart every pod at once, so no check runs here. Failing and recovering are logged once per
 * transition, not once per probe.
 *
 * Stuck fails, busy does not. A loop that turns slowly (high lag p99: CPU starvation, bursts of synchronous
 * work) answers 200 with `busy: true`: restarting a busy pod moves its load onto the others. A loop that
 * makes no turn at all for `stuckAfterMs` cannot answer, so the kubelet sees timeouts; the watchdog thread
 * (loop-watchdog.ts) logs it while it lasts, and a probe that is answered while the last turn is still that
 * old answers 503.
 */
import { getHeapStatistics } from 'node:v8';
import type { Logger } from 'pino';
import type { ResolvedTillwatchOptions } from '../config/options.ts';
import { EventLoopLag } from './event-loop-lag.ts';
import { LoopWatchdog } from './loop-watchdog.ts';
import type { ProbeResponse } from './probe-response.ts';
import { roundMs } from './run-check.ts';

export type LivenessOptions = Pick<ResolvedTillwatchOptions['health'], 'maxEventLoopLagMs' | 'maxHeapUsedRatio' | 'stuckAfterMs'> & { service?: string };

export class Liveness {
  readonly #options: LivenessOptions;
  readonly #logger: Logger;
  readonly #lag = new EventLoopLag();
  #watchdog: LoopWatchdog | undefined;
  #failing = false;
  #busy = false;
  #closed = false;

  constructor(options: LivenessOptions, logger: Logger) {
    this.#options = options;
    this.#logger = logger;
  }

  /**
   * 200 while the loop turns and heap use is under its limit (with `busy: true` when lag p99 is over
   * `maxEventLoopLagMs`), 503 ("restart me") when the heap is exhausted or the loop made no turn for
   * `stuckAfterMs`. The first probe starts the watchdog, so processes that are never probed run no thread.
   */
  probe(): ProbeResponse {
    const watchdog = this.#startWatchdog();
    const lagP99 = this.#lag.p99Ms();
    const heap = getHeapStatistics();
    const heapRatio = heap.used_heap_size / heap.heap_size_limit;
    const { maxEventLoopLagMs, maxHeapUsedRatio, stuckAfterMs } = this.#options;
    const body: Record<string, unknown> = {
      status: 'ok',
      event_loop_lag_p99_ms: roundMs(lagP99),
      event_loop_lag_max_ms: roundMs(this.#lag.maxMs()),
      heap_used_ratio: Math.round(heapRatio * 1000) / 1000,
    };
    let reasons: string[] | undefined;
    const busy = lagP99 > maxEventLoopLagMs;
    if (busy) body.busy = true;
    if (busy !== this.#busy) {
      this.#busy = busy;
      if (busy) this.#logger.info({ event_loop_lag_p99_ms: body.event_loop_lag_p99_ms }, 'health: event loop busy (lag p99 over maxEventLoopLagMs); liveness stays 200 while the loop turns');
      else this.#logger.info('health: event loop no longer busy');
    }
    if (watchdog !== undefined) {
      const sinceTurn = watchdog.sinceLastTurnMs();
      body.last_turn_ms_ago = roundMs(sinceTurn);
      if (sinceTurn > stuckAfterMs) (reasons ??= []).push(`no event-loop turn for ${roundMs(sinceTurn)} ms (stuckAfterMs ${stuckAfterMs})`);
    }
    if (heapRatio > maxHeapUsedRatio) (reasons ??= []).push(`heap used ratio ${body.heap_used_ratio} exceeds maxHeapUsedRatio ${maxHeapUsedRatio}`);
    const failing = reasons !== undefined;
    if (failing) {
      body.status = 'fail';
      body.reasons = reasons;
    }
    if (failing !== this.#failing) {
      this.#failing = failing;
      if (failing) this.#logger.error({ code: 'TW_ERR_HEALTH_LIVENESS_FAILING', reasons }, 'health: liveness failing');
      else this.#logger.info('health: liveness recovered');
    }
    return { httpStatus: failing ? 503 : 200, body };
  }

  /** Drops the lag and the stall measured so far (start-up is over); liveness then judges only what comes after. */
  forgetLag(): void {
    this.#lag.reset();
    this.#watchdog?.reset();
  }

  /** Stops the event-loop-delay monitor. Probes keep answering with the last lag values. */
  close(): void {
    this.#closed = true;
    this.#lag.close();
    this.#watchdog?.close();
  }

  #startWatchdog(): LoopWatchdog | undefined {
    if (this.#watchdog !== undefined || this.#closed || this.#options.stuckAfterMs === 0) return this.#watchdog;
    this.#watchdog = new LoopWatchdog({
      stuckAfterMs: this.#options.stuckAfterMs,
      service: this.#options.service,
      onResumed: (stalledMs) => this.#logger.warn({ code: 'TW_ERR_HEALTH_EVENT_LOOP_STUCK', stalled_ms: stalledMs }, `health: event loop turned again after a stall of ${stalledMs} ms`),
    });
    return this.#watchdog;
  }
}

/**
 * Liveness: answered from inside the process only (event-loop lag, heap). A dependency outage must never make
 * the kubelet restart every pod at once, so no check runs here. Failing and recovering are logged once per
 * transition, not once per probe.
 */
import { getHeapStatistics } from 'node:v8';
import type { Logger } from 'pino';
import type { ResolvedTillwatchOptions } from '../config/options.ts';
import { EventLoopLag } from './event-loop-lag.ts';
import type { ProbeResponse } from './probe-response.ts';
import { roundMs } from './run-check.ts';

export type LivenessOptions = Pick<ResolvedTillwatchOptions['health'], 'maxEventLoopLagMs' | 'maxHeapUsedRatio'>;

export class Liveness {
  readonly #options: LivenessOptions;
  readonly #logger: Logger;
  readonly #lag = new EventLoopLag();
  #failing = false;

  constructor(options: LivenessOptions, logger: Logger) {
    this.#options = options;
    this.#logger = logger;
  }

  /** 200 while event-loop lag and heap use are under their limits, 503 ("restart me") otherwise. */
  probe(): ProbeResponse {
    const lagP99 = this.#lag.p99Ms();
    const heap = getHeapStatistics();
    const heapRatio = heap.used_heap_size / heap.heap_size_limit;
    const { maxEventLoopLagMs, maxHeapUsedRatio } = this.#options;
    const body: Record<string, unknown> = {
      status: 'ok',
      event_loop_lag_p99_ms: roundMs(lagP99),
      event_loop_lag_max_ms: roundMs(this.#lag.maxMs()),
      heap_used_ratio: Math.round(heapRatio * 1000) / 1000,
    };
    let reasons: string[] | undefined;
    if (lagP99 > maxEventLoopLagMs) (reasons ??= []).push(`event-loop lag p99 ${roundMs(lagP99)} ms exceeds maxEventLoopLagMs ${maxEventLoopLagMs}`);
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

  /** Drops the lag measured so far (start-up is over); liveness then judges only what comes after. */
  forgetLag(): void {
    this.#lag.reset();
  }

  /** Stops the event-loop-delay monitor. Probes keep answering with the last lag values. */
  close(): void {
    this.#lag.close();
  }
}

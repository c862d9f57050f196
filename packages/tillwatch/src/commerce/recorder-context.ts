/** What every commerce recorder shares: the metrics it registers with, the default currency and the clocks. */
import type { MetricRegistrar } from '../metrics/metric-registrar.ts';

export interface CommerceClock {
  /** Monotonic milliseconds, for durations (default `performance.now()`). */
  monotonicMs(): number;
  /** Wall-clock milliseconds since the Unix epoch, for "last success" timestamps (default `Date.now()`). */
  epochMs(): number;
}

export interface RecorderContext {
  readonly metrics: MetricRegistrar;
  /** ISO 4217 code used when a money event does not name its currency. */
  readonly currency: string;
  readonly clock: CommerceClock;
}

export const systemClock: CommerceClock = {
  monotonicMs: () => performance.now(),
  epochMs: () => Date.now(),
};

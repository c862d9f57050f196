/** What every commerce recorder shares: the runtime factory, the default currency and the clocks. */
import type { MetricFactoryLike } from './register-metric.ts';

export interface CommerceClock {
  /** Monotonic milliseconds, for durations (default `performance.now()`). */
  monotonicMs(): number;
  /** Wall-clock milliseconds since the Unix epoch, for "last success" timestamps (default `Date.now()`). */
  epochMs(): number;
}

export interface RecorderContext {
  readonly factory: MetricFactoryLike;
  /** ISO 4217 code used when a money event does not name its currency. */
  readonly currency: string;
  readonly clock: CommerceClock;
}

export const systemClock: CommerceClock = {
  monotonicMs: () => performance.now(),
  epochMs: () => Date.now(),
};

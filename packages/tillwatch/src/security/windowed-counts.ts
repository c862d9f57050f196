/**
 * Counts per key over a sliding window, in bounded memory: the window is cut into `slices` consecutive periods, each
 * with its own {@link SpaceSaving} summary; a key's count over the window is the sum over the live slices. The window
 * therefore slides by whole slices: an event is forgotten between `window - window/slices` and `window` after it.
 *
 * Error bound (from Space-Saving, per slice): with `capacity` counters per slice and `N` events in the live slices,
 * the lower bound `sum(count - error)` used by {@link WindowedCounts.keysAtLeast} is never above the true count and
 * never below it by more than `N / capacity`. So a key is reported only when it really reached the threshold (no
 * false positives), and a key that exceeded it by more than `N / capacity` is always reported.
 */
import { SpaceSaving } from './space-saving.ts';

export interface WindowedCountsOptions {
  readonly windowMs: number;
  /** Periods the window is cut into. Default 3. */
  readonly slices?: number;
  /** Counters per period. */
  readonly capacity: number;
}

export class WindowedCounts<K> {
  readonly #sliceMs: number;
  readonly #capacity: number;
  readonly #slices: { start: number; summary: SpaceSaving<K> }[] = [];
  readonly #count: number;

  constructor(o: WindowedCountsOptions) {
    this.#count = o.slices ?? 3;
    this.#sliceMs = Math.max(1, Math.ceil(o.windowMs / this.#count));
    this.#capacity = o.capacity;
  }

  #current(now: number): SpaceSaving<K> {
    this.#expire(now);
    const start = now - (now % this.#sliceMs);
    const last = this.#slices.at(-1);
    if (last !== undefined && last.start === start) return last.summary;
    const summary = new SpaceSaving<K>(this.#capacity);
    this.#slices.push({ start, summary });
    return summary;
  }

  #expire(now: number): void {
    const oldest = now - now % this.#sliceMs - (this.#count - 1) * this.#sliceMs;
    while (this.#slices.length > 0 && (this.#slices[0] as { start: number }).start < oldest) this.#slices.shift();
  }

  offer(key: K, now: number, by = 1): void {
    this.#current(now).offer(key, by);
  }

  /** Lower and upper bounds of `key`'s count over the window. */
  bounds(key: K, now: number): { lower: number; upper: number } {
    this.#expire(now);
    let lower = 0;
    let upper = 0;
    for (const s of this.#slices) {
      const e = s.summary.get(key);
      if (e === undefined) continue;
      lower += e.count - e.error;
      upper += e.count;
    }
    return { lower, upper };
  }

  /** Keys whose lower-bound count over the window is at least `threshold`. */
  keysAtLeast(threshold: number, now: number): K[] {
    this.#expire(now);
    const sums = new Map<K, number>();
    for (const s of this.#slices) for (const e of s.summary.entries()) sums.set(e.key, (sums.get(e.key) ?? 0) + e.count - e.error);
    return [...sums].filter(([, v]) => v >= threshold).map(([k]) => k);
  }

  /** The largest possible undercount of {@link keysAtLeast}: events in the window divided by the capacity. */
  maxError(now: number): number {
    this.#expire(now);
    return this.#slices.reduce((a, s) => a + s.summary.maxError, 0);
  }
}

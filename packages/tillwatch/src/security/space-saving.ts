/**
 * Space-Saving (Metwally, Agrawal and El Abbadi, "Efficient computation of frequent and top-k elements in data
 * streams", ICDT 2005): the heaviest keys of a stream in a fixed number of counters.
 *
 * Hand-written rather than taken from a library: the maintained sketch packages (bloom-filters' TopK) are built on a
 * count-min sketch with hashing and random-seed dependencies, which would enter the core runtime package for a
 * map and a loop; their error bound is also probabilistic, where Space-Saving's is deterministic:
 *
 * - with `capacity` counters and `N` increments in total, every key's estimate `count` satisfies
 *   `count - error <= true count <= count`, and `error <= N / capacity`;
 * - every key whose true count is above `N / capacity` is in the summary (so no heavy hitter is missed).
 *
 * Memory: at most `capacity` entries. An increment of a new key when the summary is full replaces the entry with the
 * smallest count (a linear scan: `capacity` is a few hundred, and the callers bound the increment rate).
 */
export interface SpaceSavingEntry<K> {
  readonly key: K;
  /** Upper bound of the key's true count. */
  readonly count: number;
  /** How much of `count` may be inherited from an evicted key: `count - error` is a lower bound. */
  readonly error: number;
}

export class SpaceSaving<K> {
  readonly capacity: number;
  readonly #entries = new Map<K, { count: number; error: number }>();
  #total = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
  }

  /** Increments in total since creation (the `N` of the error bound). */
  get total(): number {
    return this.#total;
  }

  /** The largest possible overestimate of any key: `N / capacity` (0 while the summary has never been full). */
  get maxError(): number {
    return this.#total / this.capacity;
  }

  /** Adds `by` (default 1) to `key`. */
  offer(key: K, by = 1): void {
    this.#total += by;
    const e = this.#entries.get(key);
    if (e !== undefined) {
      e.count += by;
      return;
    }
    if (this.#entries.size < this.capacity) {
      this.#entries.set(key, { count: by, error: 0 });
      return;
    }
    let minKey: K | undefined;
    let min = Infinity;
    for (const [k, v] of this.#entries) {
      if (v.count < min) {
        min = v.count;
        minKey = k;
      }
    }
    this.#entries.delete(minKey as K);
    this.#entries.set(key, { count: min + by, error: min });
  }

  /** The key's entry, or undefined when it is not tracked (its true count is then at most the smallest count). */
  get(key: K): SpaceSavingEntry<K> | undefined {
    const e = this.#entries.get(key);
    return e === undefined ? undefined : { key, count: e.count, error: e.error };
  }

  /** Every tracked entry, unordered. */
  *entries(): IterableIterator<SpaceSavingEntry<K>> {
    for (const [key, e] of this.#entries) yield { key, count: e.count, error: e.error };
  }

  get size(): number {
    return this.#entries.size;
  }
}

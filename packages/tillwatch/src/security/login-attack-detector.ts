/**
 * Brute force and password spray from failed logins, in bounded memory.
 *
 * - **Brute force**: a source with at least `bruteForce.failures` failed logins in `windowMs` (default: more than
 *   5 in 15 minutes, the BruteForceSuspected definition). Counted per source with {@link WindowedCounts}.
 * - **Password spray**: a source whose failed logins in `windowMs` named at least `spray.usernames` distinct user names
 *   (default 10). Per-user lockouts never see it (each account gets one or two guesses). Counted per source with
 *   {@link WindowedCounts}, incremented once per (source, user name) pair not yet seen in the window; the pairs seen
 *   are kept per window slice as 12-character SHA-256 prefixes, at most `maxPairs` per slice.
 *
 * Error bounds, with `capacity` counters per slice and `N` failed logins (or new pairs) in the window:
 * a source is reported only when it really reached the threshold, and always when it exceeded it by more than
 * `N / capacity` (see windowed-counts.ts). When a slice's pair set is full, further pairs are counted without
 * de-duplication (they may count a repeated user name again): under a flood of more than `maxPairs` distinct pairs
 * in one slice, a brute-forcing source may also be reported as spraying, never the other way round.
 * Memory: `slices x (2 x capacity counters + maxPairs short strings)`; defaults 3 x (2 x 512 + 20 000), about 2 MB.
 */
import { createHash } from 'node:crypto';
import { WindowedCounts } from './windowed-counts.ts';

export interface LoginAttackDetectorOptions {
  /** Default 15 minutes. */
  readonly windowMs?: number;
  /** Failed logins from one source that make it a brute-force source. Default 6 ("more than 5"). */
  readonly bruteForceFailures?: number;
  /** Distinct user names failed from one source that make it a spraying source. Default 10. */
  readonly sprayUsernames?: number;
  /** Counters per window slice. Default 512. */
  readonly capacity?: number;
  /** (source, user name) pairs remembered per window slice. Default 20 000. */
  readonly maxPairs?: number;
}

export interface AttackVerdict {
  /** This failure made the source reach the brute-force threshold (true once per source and window). */
  readonly bruteForceStarted: boolean;
  /** This failure made the source reach the spray threshold (true once per source and window). */
  readonly sprayStarted: boolean;
}

const SLICES = 3;

export class LoginAttackDetector {
  readonly windowMs: number;
  readonly bruteForceFailures: number;
  readonly sprayUsernames: number;
  readonly capacity: number;
  readonly #failures: WindowedCounts<string>;
  readonly #distinct: WindowedCounts<string>;
  readonly #pairs: { start: number; seen: Set<string> }[] = [];
  readonly #maxPairs: number;
  readonly #sliceMs: number;

  constructor(o: LoginAttackDetectorOptions = {}) {
    this.windowMs = o.windowMs ?? 15 * 60_000;
    this.bruteForceFailures = o.bruteForceFailures ?? 6;
    this.sprayUsernames = o.sprayUsernames ?? 10;
    this.capacity = o.capacity ?? 512;
    this.#maxPairs = o.maxPairs ?? 20_000;
    this.#sliceMs = Math.max(1, Math.ceil(this.windowMs / SLICES));
    this.#failures = new WindowedCounts({ windowMs: this.windowMs, slices: SLICES, capacity: this.capacity });
    this.#distinct = new WindowedCounts({ windowMs: this.windowMs, slices: SLICES, capacity: this.capacity });
  }

  /** Records a failed login of `username` from `source`. */
  failed(source: string, username: string, now = Date.now()): AttackVerdict {
    const beforeBf = this.#failures.bounds(source, now).lower;
    this.#failures.offer(source, now);
    const bruteForceStarted = beforeBf < this.bruteForceFailures && this.#failures.bounds(source, now).lower >= this.bruteForceFailures;

    let sprayStarted = false;
    if (this.#newPair(source, username.toLowerCase(), now)) {
      const before = this.#distinct.bounds(source, now).lower;
      this.#distinct.offer(source, now);
      sprayStarted = before < this.sprayUsernames && this.#distinct.bounds(source, now).lower >= this.sprayUsernames;
    }
    return { bruteForceStarted, sprayStarted };
  }

  #newPair(source: string, username: string, now: number): boolean {
    const start = now - (now % this.#sliceMs);
    const oldest = start - (SLICES - 1) * this.#sliceMs;
    while (this.#pairs.length > 0 && (this.#pairs[0] as { start: number }).start < oldest) this.#pairs.shift();
    const key = createHash('sha256').update(source).update('\0').update(username).digest('base64url').slice(0, 12);
    if (this.#pairs.some((p) => p.seen.has(key))) return false;
    let last = this.#pairs.at(-1);
    if (last === undefined || last.start !== start) {
      last = { start, seen: new Set() };
      this.#pairs.push(last);
    }
    if (last.seen.size < this.#maxPairs) last.seen.add(key);
    return true;
  }

  /** Sources at or above the brute-force threshold in the window. */
  bruteForceSources(now = Date.now()): string[] {
    return this.#failures.keysAtLeast(this.bruteForceFailures, now);
  }

  /** Sources at or above the spray threshold in the window. */
  spraySources(now = Date.now()): string[] {
    return this.#distinct.keysAtLeast(this.sprayUsernames, now);
  }

  /** The largest possible undercount of a source's failed logins in the window right now (`N / capacity`). */
  maxError(now = Date.now()): number {
    return this.#failures.maxError(now);
  }
}

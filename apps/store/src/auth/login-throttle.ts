/**
 * Brute-force protection for the login route: after `maxFailures` failed logins for one username
 * within `windowMs`, further attempts for it are refused (429 STORE_AUTH_RATE_LIMITED) until the
 * window passes. In memory, per instance: it slows an attacker down and makes the attack visible in
 * metrics; it is not a distributed lockout. Bounded: the oldest usernames are forgotten first.
 */
export interface LoginThrottleOptions {
  maxFailures?: number;
  windowMs?: number;
  maxTracked?: number;
}

export class LoginThrottle {
  readonly #max: number;
  readonly #windowMs: number;
  readonly #maxTracked: number;
  readonly #failures = new Map<string, number[]>();

  constructor(opts: LoginThrottleOptions = {}) {
    this.#max = opts.maxFailures ?? 5;
    this.#windowMs = opts.windowMs ?? 5 * 60_000;
    this.#maxTracked = opts.maxTracked ?? 10_000;
  }

  #recent(key: string, now: number): number[] {
    const list = (this.#failures.get(key) ?? []).filter((t) => now - t < this.#windowMs);
    if (list.length === 0) this.#failures.delete(key);
    else this.#failures.set(key, list);
    return list;
  }

  /** True when `key` may try to log in now. */
  allowed(key: string, now = Date.now()): boolean {
    return this.#recent(key, now).length < this.#max;
  }

  failed(key: string, now = Date.now()): void {
    const list = this.#recent(key, now);
    list.push(now);
    this.#failures.delete(key);
    this.#failures.set(key, list);
    while (this.#failures.size > this.#maxTracked) {
      const oldest = this.#failures.keys().next().value;
      if (oldest === undefined) break;
      this.#failures.delete(oldest);
    }
  }

  succeeded(key: string): void {
    this.#failures.delete(key);
  }
}

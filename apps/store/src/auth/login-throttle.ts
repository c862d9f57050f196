/**
 * Login throttling on three keys, with rate-limiter-flexible's in-memory limiters (one fixed window each):
 *
 * - **per user name**: `loginPerUser.points` failed logins within its window refuse further attempts for that user
 *   name until the window passes (guessing one account's password); a successful login clears it;
 * - **per source**: `loginPerSource.points` failed logins from one client address, whatever the user names
 *   (a password spray from one address, which the per-user limit never sees);
 * - **global**: `loginGlobal.points` failed logins of all clients within a minute refuse every login for the rest of
 *   the window (a spray spread over many addresses). Set it well above a busy store's honest typing errors.
 *
 * Only failures consume points, so cashiers logging in from a store's shared NAT address are not throttled by their
 * own successful logins. In memory, per instance: it slows an attacker down and makes the attack visible (the
 * refusals are `lockout` security events); it is not a distributed lockout. rate-limiter-flexible expires each key
 * at the end of its window, so memory is bounded by the keys failing within one window.
 */
import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { LimitSpec } from '../security/security-config.ts';

export type ThrottleScope = 'username' | 'source' | 'global';

export interface LoginThrottleOptions {
  readonly perUser?: LimitSpec;
  readonly perSource?: LimitSpec;
  readonly global?: LimitSpec;
}

export interface ThrottleVerdict {
  /** Undefined when the login may proceed; otherwise what refused it. */
  readonly refusedBy: ThrottleScope | undefined;
  readonly retryAfterSeconds: number;
}

const GLOBAL_KEY = 'all';

export class LoginThrottle {
  readonly #limiters: Record<ThrottleScope, { limiter: RateLimiterMemory; points: number }>;

  constructor(o: LoginThrottleOptions = {}) {
    const make = (spec: LimitSpec) => ({ limiter: new RateLimiterMemory({ points: spec.points, duration: spec.windowSeconds }), points: spec.points });
    this.#limiters = {
      username: make(o.perUser ?? { points: 5, windowSeconds: 300 }),
      source: make(o.perSource ?? { points: 20, windowSeconds: 900 }),
      global: make(o.global ?? { points: 300, windowSeconds: 60 }),
    };
  }

  #key(scope: ThrottleScope, username: string, source: string): string {
    return scope === 'username' ? username.toLowerCase() : scope === 'source' ? source : GLOBAL_KEY;
  }

  /** Whether a login of `username` from `source` may be tried now. */
  async check(username: string, source: string): Promise<ThrottleVerdict> {
    for (const scope of ['global', 'source', 'username'] as const) {
      const { limiter, points } = this.#limiters[scope];
      const res = await limiter.get(this.#key(scope, username, source));
      if (res !== null && res.consumedPoints >= points) return { refusedBy: scope, retryAfterSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)) };
    }
    return { refusedBy: undefined, retryAfterSeconds: 0 };
  }

  /** Counts a failed login against all three keys. */
  async failed(username: string, source: string): Promise<void> {
    for (const scope of ['username', 'source', 'global'] as const) {
      // consume() rejects once the key is over its points; the refusal itself is decided by check().
      await this.#limiters[scope].limiter.consume(this.#key(scope, username, source)).catch(() => undefined);
    }
  }

  /** A successful login clears its user name's failures (not its source's: a spray may include a right guess). */
  async succeeded(username: string): Promise<void> {
    await this.#limiters.username.limiter.delete(this.#key('username', username, ''));
  }
}

/**
 * When a failed delivery is tried again, and when it is given up: exponential backoff with full jitter,
 * a cap, a per-message attempt limit and a retry budget (the longest a message may keep being retried).
 *
 * Full jitter as in "Exponential Backoff And Jitter" (Marc Brooker, AWS Architecture Blog, 2015,
 * https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/): after the n-th failed attempt
 * the next one waits a uniformly random time in [0, min(cap, base * 2^(n-1))). Compared with "equal jitter"
 * or no jitter it spreads a burst of failures (every receipt of a busy hour hitting an SMS outage at once)
 * over the whole window, so the provider is not hit by synchronised waves when it comes back; the expected
 * delay is half the exponential step.
 *
 * The policy decides; it stores nothing. The queue backend (pg-boss, BullMQ) keeps the attempt count and
 * the schedule durably, so a crash does not reset either.
 */
import { TillwatchConfigError, type ConfigIssue, type DeadLetterReason } from '@tillwatch/spec';
import { describeValue } from '../config/schema.ts';
import type { DeliveryFailure } from './delivery-error.ts';

/** Options of {@link retryPolicy}; see docs/delivery.md for the maths and the defaults. */
export interface RetryPolicyOptions {
  /** Attempts per message, the first included (1 = never retry). Default 8. */
  readonly maxAttempts?: number;
  /** The exponential step's base: the n-th retry waits up to `baseDelayMs * 2^(n-1)`. Default 1000. */
  readonly baseDelayMs?: number;
  /** The cap on one wait, whatever the attempt. Default 300 000 (5 minutes). */
  readonly maxDelayMs?: number;
  /**
   * The retry budget: a message enqueued longer ago than this is not retried again but dead-lettered with
   * reason `expired`, so an outage longer than the budget fills the dead-letter queue instead of retrying for
   * ever. Measured from when the message was enqueued (a replay starts a new budget). Default 86 400 000 (one day).
   */
  readonly retryBudgetMs?: number;
}

export type ResolvedRetryPolicyOptions = Required<RetryPolicyOptions>;

/** What to do after a failed attempt. */
export type RetryDecision =
  | { readonly action: 'retry'; readonly delayMs: number }
  | { readonly action: 'dead_letter'; readonly reason: DeadLetterReason };

export const DEFAULT_RETRY_POLICY: ResolvedRetryPolicyOptions = Object.freeze({
  maxAttempts: 8,
  baseDelayMs: 1000,
  maxDelayMs: 300_000,
  retryBudgetMs: 86_400_000,
});

/** Upper bounds that keep a typo (milliseconds given as microseconds) from scheduling a retry next year. */
const LIMITS = { maxAttempts: 1000, baseDelayMs: 86_400_000, maxDelayMs: 7 * 86_400_000, retryBudgetMs: 30 * 86_400_000 } as const;

/**
 * A validated, frozen retry policy.
 *
 * @example
 * const policy = retryPolicy({ maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 60_000, retryBudgetMs: 3_600_000 });
 * policy.decide({ attempt: 1, failure: { retryable: true, reason: 'timeout' }, enqueuedAtMs: Date.now() - 1000 });
 * // { action: 'retry', delayMs: <uniform in [0, 500)> }
 */
export class RetryPolicy {
  readonly options: ResolvedRetryPolicyOptions;
  readonly #random: () => number;
  readonly #now: () => number;

  constructor(options: ResolvedRetryPolicyOptions, random: () => number = Math.random, now: () => number = Date.now) {
    this.options = options;
    this.#random = random;
    this.#now = now;
  }

  /** The upper bound of the wait after failed attempt `attempt` (1-based): min(cap, base * 2^(attempt-1)). */
  ceilingMs(attempt: number): number {
    const { baseDelayMs, maxDelayMs } = this.options;
    // 2^(attempt-1) overflows to Infinity past ~1024; min() then picks the cap, which is what we want.
    return Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, attempt - 1));
  }

  /**
   * Decides what follows failed attempt `attempt` (1-based) of a message enqueued at `enqueuedAtMs`.
   * A permanent failure is dead-lettered at once (`non_retryable`, or `poison_message` for an unreadable
   * payload); the last attempt is dead-lettered (`max_retries`); a retry that would start after the retry
   * budget is spent is dead-lettered (`expired`). Otherwise the wait is drawn with full jitter, at least the
   * provider's `Retry-After` when it gave one, and never above the cap.
   */
  decide(input: { readonly attempt: number; readonly failure: Pick<DeliveryFailure, 'retryable' | 'reason' | 'retryAfterMs'>; readonly enqueuedAtMs: number }): RetryDecision {
    const { attempt, failure, enqueuedAtMs } = input;
    if (!failure.retryable) return { action: 'dead_letter', reason: failure.reason === 'invalid_payload' ? 'poison_message' : 'non_retryable' };
    if (attempt >= this.options.maxAttempts) return { action: 'dead_letter', reason: 'max_retries' };
    const jittered = Math.floor(this.#random() * this.ceilingMs(attempt));
    const delayMs = Math.min(this.options.maxDelayMs, Math.max(jittered, failure.retryAfterMs ?? 0));
    if (this.#now() + delayMs - enqueuedAtMs > this.options.retryBudgetMs) return { action: 'dead_letter', reason: 'expired' };
    return { action: 'retry', delayMs };
  }
}

function integerIn(issues: ConfigIssue[], option: string, value: unknown, min: number, max: number): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    issues.push({ option, expected: `an integer between ${min} and ${max}`, got: describeValue(value), code: 'TW_ERR_DELIVERY_INVALID_OPTIONS' });
  }
}

/**
 * Validates retry options and returns the policy.
 * @param options unset fields take {@link DEFAULT_RETRY_POLICY}.
 * @param path the option path used in error messages (`retry` by default).
 * @throws TillwatchConfigError TW_ERR_DELIVERY_INVALID_OPTIONS naming every invalid field, or when
 *   `baseDelayMs` exceeds `maxDelayMs` (both set explicitly: the cap would always win).
 */
export function retryPolicy(options: RetryPolicyOptions = {}, path = 'retry', deps: { random?: () => number; now?: () => number } = {}): RetryPolicy {
  const issues: ConfigIssue[] = [];
  if (typeof options !== 'object' || options === null) {
    throw new TillwatchConfigError([{ option: path, expected: 'an object', got: describeValue(options), code: 'TW_ERR_DELIVERY_INVALID_OPTIONS' }]);
  }
  const known = new Set(Object.keys(DEFAULT_RETRY_POLICY));
  for (const key of Object.keys(options)) {
    if (!known.has(key)) issues.push({ option: `${path}.${key}`, expected: `one of ${[...known].join(', ')}`, got: 'an unknown option', code: 'TW_ERR_DELIVERY_INVALID_OPTIONS' });
  }
  integerIn(issues, `${path}.maxAttempts`, options.maxAttempts, 1, LIMITS.maxAttempts);
  integerIn(issues, `${path}.baseDelayMs`, options.baseDelayMs, 1, LIMITS.baseDelayMs);
  integerIn(issues, `${path}.maxDelayMs`, options.maxDelayMs, 1, LIMITS.maxDelayMs);
  integerIn(issues, `${path}.retryBudgetMs`, options.retryBudgetMs, 1, LIMITS.retryBudgetMs);
  if (issues.length === 0 && options.baseDelayMs !== undefined && options.maxDelayMs !== undefined && options.baseDelayMs > options.maxDelayMs) {
    issues.push({
      option: `${path}.baseDelayMs`,
      expected: `at most ${path}.maxDelayMs (${options.maxDelayMs})`,
      got: describeValue(options.baseDelayMs),
      code: 'TW_ERR_DELIVERY_INVALID_OPTIONS',
    });
  }
  if (issues.length > 0) throw new TillwatchConfigError(issues);
  const resolved: ResolvedRetryPolicyOptions = Object.freeze({ ...DEFAULT_RETRY_POLICY, ...stripUndefined(options) });
  // Defaults may conflict with one explicit value (base 600 000 with the default cap 300 000): clamp, the
  // explicit value's intent being "wait longer", rather than throw on a default the user never wrote.
  const clamped = resolved.baseDelayMs > resolved.maxDelayMs ? Object.freeze({ ...resolved, maxDelayMs: resolved.baseDelayMs }) : resolved;
  return new RetryPolicy(clamped, deps.random, deps.now);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * The store's delivery settings (receipts, the warehouse sales sync), read from its environment
 * (`deps.config.env`) like its other settings. The retry maths is tillwatch's (docs/delivery.md).
 *
 * | variable                            | default   | meaning |
 * | ----------------------------------- | --------- | ------- |
 * | DELIVERY_MAX_ATTEMPTS               | 8         | attempts per message, the first included; then it is dead-lettered (`max_retries`) |
 * | DELIVERY_BASE_DELAY_MS              | 2000      | the n-th retry waits a random time below base * 2^(n-1) (full jitter) ... |
 * | DELIVERY_MAX_DELAY_MS               | 300000    | ... and never more than this |
 * | DELIVERY_RETRY_BUDGET_MS            | 3600000   | a message older than this is dead-lettered (`expired`) instead of retried: an outage longer than an hour fills the dead-letter queue |
 * | DELIVERY_LEASE_SECONDS              | 60        | a worker that died holding a message gives it back after this long |
 * | DELIVERY_POLL_INTERVAL_MS           | 1000      | how often an idle worker looks for messages (at least 500) |
 * | DELIVERY_STATS_INTERVAL_MS          | 5000      | how often queue depth, oldest age and dead letters are read for /metrics |
 * | DELIVERY_SUPERVISE_INTERVAL_SECONDS | 30        | how often expired leases are looked for |
 */
import { envInt, StoreConfigError, type ConfigIssue, type Env } from '../config.ts';

export interface DeliverySettings {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly retryBudgetMs: number;
  readonly leaseSeconds: number;
  readonly pollIntervalMs: number;
  readonly statsIntervalMs: number;
  readonly superviseIntervalSeconds: number;
}

/** @throws StoreConfigError naming every invalid variable. */
export function readDeliverySettings(env: Env): DeliverySettings {
  const issues: ConfigIssue[] = [];
  const int = (name: string, def: number, min: number, max: number): number => envInt(env, issues, name, def, min, max);
  const settings: DeliverySettings = {
    maxAttempts: int('DELIVERY_MAX_ATTEMPTS', 8, 1, 100),
    baseDelayMs: int('DELIVERY_BASE_DELAY_MS', 2000, 1, 3_600_000),
    maxDelayMs: int('DELIVERY_MAX_DELAY_MS', 300_000, 1, 86_400_000),
    retryBudgetMs: int('DELIVERY_RETRY_BUDGET_MS', 3_600_000, 1000, 30 * 86_400_000),
    leaseSeconds: int('DELIVERY_LEASE_SECONDS', 60, 1, 3600),
    pollIntervalMs: int('DELIVERY_POLL_INTERVAL_MS', 1000, 500, 60_000),
    statsIntervalMs: int('DELIVERY_STATS_INTERVAL_MS', 5000, 500, 600_000),
    superviseIntervalSeconds: int('DELIVERY_SUPERVISE_INTERVAL_SECONDS', 30, 1, 3600),
  };
  const explicit = (name: string): boolean => (env[name]?.trim() ?? '') !== '';
  if (issues.length === 0 && settings.baseDelayMs > settings.maxDelayMs) {
    // Both set and contradictory: say so. Only one set: the default gives way (the cap follows the base).
    if (explicit('DELIVERY_BASE_DELAY_MS') && explicit('DELIVERY_MAX_DELAY_MS')) {
      issues.push({ variable: 'DELIVERY_BASE_DELAY_MS', expected: `at most DELIVERY_MAX_DELAY_MS (${settings.maxDelayMs})`, got: String(settings.baseDelayMs) });
    } else {
      return Object.freeze({ ...settings, maxDelayMs: settings.baseDelayMs });
    }
  }
  if (issues.length > 0) throw new StoreConfigError(issues);
  return Object.freeze(settings);
}

/**
 * The offline queue's own settings, read from the store's environment (`deps.config.env`).
 *
 * | variable                      | default | meaning |
 * | ----------------------------- | ------- | ------- |
 * | OFFLINE_APPLY_INTERVAL_MS     | 2000    | how often the worker retries sales left queued (a batch is applied at once when posted) |
 * | OFFLINE_APPLY_BATCH           | 100     | queued sales the worker applies per cycle |
 * | OFFLINE_MAX_APPLY_ATTEMPTS    | 5       | failed applies before a sale is rejected as `apply_failed` |
 */
import { StoreConfigError, type ConfigIssue, type Env } from '../../config.ts';

export interface OfflineOptions {
  readonly applyIntervalMs: number;
  readonly applyBatch: number;
  readonly maxApplyAttempts: number;
}

/** @throws StoreConfigError naming every invalid variable. */
export function readOfflineOptions(env: Env): OfflineOptions {
  const issues: ConfigIssue[] = [];
  const int = (name: string, def: number, min: number, max: number): number => {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === '') return def;
    const n = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!(n >= min && n <= max)) {
      issues.push({ variable: name, expected: `an integer between ${min} and ${max}`, got: JSON.stringify(raw.slice(0, 40)) });
      return def;
    }
    return n;
  };
  const options: OfflineOptions = {
    applyIntervalMs: int('OFFLINE_APPLY_INTERVAL_MS', 2000, 10, 600_000),
    applyBatch: int('OFFLINE_APPLY_BATCH', 100, 1, 1000),
    maxApplyAttempts: int('OFFLINE_MAX_APPLY_ATTEMPTS', 5, 1, 100),
  };
  if (issues.length > 0) throw new StoreConfigError(issues);
  return Object.freeze(options);
}

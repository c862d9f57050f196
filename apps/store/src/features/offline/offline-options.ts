/**
 * The offline queue's own settings, read from the store's environment (`deps.config.env`).
 *
 * | variable                      | default | meaning |
 * | ----------------------------- | ------- | ------- |
 * | OFFLINE_APPLY_INTERVAL_MS     | 2000    | how often the worker retries sales left queued (a batch is applied at once when posted) |
 * | OFFLINE_APPLY_BATCH           | 100     | queued sales the worker applies per cycle |
 * | OFFLINE_MAX_APPLY_ATTEMPTS    | 5       | failed applies before a sale is rejected as `apply_failed` |
 */
import { envInt, StoreConfigError, type ConfigIssue, type Env } from '../../config.ts';

export interface OfflineOptions {
  readonly applyIntervalMs: number;
  readonly applyBatch: number;
  readonly maxApplyAttempts: number;
}

/** @throws StoreConfigError naming every invalid variable. */
export function readOfflineOptions(env: Env): OfflineOptions {
  const issues: ConfigIssue[] = [];
  const int = (name: string, def: number, min: number, max: number): number => envInt(env, issues, name, def, min, max);
  const options: OfflineOptions = {
    applyIntervalMs: int('OFFLINE_APPLY_INTERVAL_MS', 2000, 10, 600_000),
    applyBatch: int('OFFLINE_APPLY_BATCH', 100, 1, 1000),
    maxApplyAttempts: int('OFFLINE_MAX_APPLY_ATTEMPTS', 5, 1, 100),
  };
  if (issues.length > 0) throw new StoreConfigError(issues);
  return Object.freeze(options);
}

/**
 * The sales sync's own settings, read from the store's environment (`deps.config.env`).
 *
 * | variable                  | default               | meaning |
 * | ------------------------- | --------------------- | ------- |
 * | WAREHOUSE_URL             | http://127.0.0.1:3102 | base URL of the warehouse batch API (`npm start` runs the simulated one there) |
 * | SALES_SYNC_INTERVAL_MS    | 5000                  | pause between cycles |
 * | SALES_SYNC_BATCH_SIZE     | 100                   | sales per batch (bounded: the warehouse takes at most 1000) |
 * | SALES_SYNC_TIMEOUT_MS     | 10000                 | a batch not acknowledged within this fails as `timeout` |
 * | SALES_SYNC_ENABLED        | true                  | false: no worker (the outbox still fills) |
 */
import { envInt, StoreConfigError, type ConfigIssue, type Env } from '../../config.ts';

export interface SalesSyncOptions {
  readonly warehouseUrl: string;
  readonly intervalMs: number;
  readonly batchSize: number;
  readonly timeoutMs: number;
  readonly enabled: boolean;
}

const DEFAULT_WAREHOUSE_URL = 'http://127.0.0.1:3102';

/** @throws StoreConfigError naming every invalid variable. */
export function readSalesSyncOptions(env: Env): SalesSyncOptions {
  const issues: ConfigIssue[] = [];
  const get = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  const int = (name: string, def: number, min: number, max: number): number => envInt(env, issues, name, def, min, max);
  let warehouseUrl = DEFAULT_WAREHOUSE_URL;
  const rawUrl = get('WAREHOUSE_URL');
  if (rawUrl !== undefined) {
    try {
      const u = new URL(rawUrl);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
      warehouseUrl = rawUrl;
    } catch {
      issues.push({ variable: 'WAREHOUSE_URL', expected: 'an http:// or https:// URL', got: `a value of ${rawUrl.length} characters` });
    }
  }
  const rawEnabled = get('SALES_SYNC_ENABLED');
  if (rawEnabled !== undefined && rawEnabled !== 'true' && rawEnabled !== 'false') {
    issues.push({ variable: 'SALES_SYNC_ENABLED', expected: 'true or false', got: JSON.stringify(rawEnabled.slice(0, 40)) });
  }
  const options: SalesSyncOptions = {
    warehouseUrl,
    intervalMs: int('SALES_SYNC_INTERVAL_MS', 5000, 10, 3_600_000),
    batchSize: int('SALES_SYNC_BATCH_SIZE', 100, 1, 1000),
    timeoutMs: int('SALES_SYNC_TIMEOUT_MS', 10_000, 10, 600_000),
    enabled: rawEnabled !== 'false',
  };
  if (issues.length > 0) throw new StoreConfigError(issues);
  return Object.freeze(options);
}

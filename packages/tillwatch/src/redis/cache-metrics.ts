/**
 * Cache lookups by keyspace: hit, miss and error counters over a closed set of keyspaces the service declares
 * (a keyspace outside the set records as `other`). Works for any cache: Redis, in process, a CDN.
 */
import { catalogue, TillwatchConfigError } from '@tillwatch/spec';
import type { MetricRegistrar } from '../metrics/metric-registrar.ts';

export type CacheOperation = 'get' | 'set' | 'delete';

export interface CacheMetrics<K extends string> {
  hit(keyspace: K): void;
  miss(keyspace: K): void;
  /** A failed cache operation (the caller then treats it as a miss). */
  error(keyspace: K, operation?: CacheOperation): void;
}

const m = catalogue.metrics.cache;

/**
 * @param metrics `tw.metrics`.
 * @param keyspaces the closed set of keyspaces (the `cache` label), at most 20.
 * @throws TillwatchConfigError TW_ERR_CONFIG_INVALID for an empty, oversized or malformed set (start-up).
 * @example
 * const cache = createCacheMetrics(tw.metrics, ['products', 'sessions'] as const);
 * cache.hit('products');
 */
export function createCacheMetrics<const K extends string>(metrics: MetricRegistrar, keyspaces: readonly K[]): CacheMetrics<K> {
  if (!Array.isArray(keyspaces) || keyspaces.length === 0 || keyspaces.length > 20 || keyspaces.some((k) => typeof k !== 'string' || !/^[a-z][a-z0-9_]{0,39}$/.test(k))) {
    throw new TillwatchConfigError([{ option: 'keyspaces', expected: '1 to 20 lower-case snake_case names', got: JSON.stringify(keyspaces).slice(0, 200), code: 'TW_ERR_CONFIG_INVALID' }]);
  }
  const known = new Set<string>(keyspaces);
  const hits = metrics.register(m.hits);
  const misses = metrics.register(m.misses);
  const errors = metrics.register(m.errors);
  const ks = (k: string) => (known.has(k) ? k : 'other');
  return {
    hit: (k) => hits.inc({ cache: ks(k) }),
    miss: (k) => misses.inc({ cache: ks(k) }),
    error: (k, operation = 'get') => errors.inc({ cache: ks(k), operation }),
  };
}

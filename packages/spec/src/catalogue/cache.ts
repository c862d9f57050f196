/**
 * Cache lookups by keyspace (the `cache` label: a closed set the service declares to `createCacheMetrics` of
 * `tillwatch/redis`). The default pack warns when the hit rate drops under 80%.
 */
import { LABEL_NAMES, LABEL_VALUES } from '../conventions.ts';
import { closedLabel } from '../label-spec.ts';
import { SHARED_LABELS } from '../shared-labels.ts';
import { defineMetric } from '../metric-spec.ts';

const common = { group: 'cache', owner: 'data', type: 'counter', unit: 'count' } as const;
const byCache = { [LABEL_NAMES.cache]: SHARED_LABELS.cache } as const;

export const cacheMetrics = {
  hits: defineMetric({
    ...common,
    name: 'cache_hits_total',
    help: 'Cache lookups that found a value, by cache.',
    question: 'Is the cache hit rate under 80%?',
    labels: byCache,
  }),
  misses: defineMetric({
    ...common,
    name: 'cache_misses_total',
    help: 'Cache lookups that found nothing, by cache.',
    question: 'Is a cache cold or evicting too early?',
    labels: byCache,
  }),
  errors: defineMetric({
    ...common,
    name: 'cache_errors_total',
    help: 'Cache operations that failed (connection lost, timeout), by cache and operation.',
    question: 'Is the cache (Redis) failing, so every lookup falls through to the database?',
    labels: { ...byCache, [LABEL_NAMES.operation]: closedLabel('Cache operation.', LABEL_VALUES.cacheOperation) },
  }),
} as const;

/**
 * `tillwatch/redis`: Redis instrumentation for ioredis and node-redis (command latency and errors by family,
 * INFO sampling) and cache hit/miss/error metrics by declared keyspace. The clients are optional peers: nothing
 * here imports them.
 */
export { instrumentIoredis } from './ioredis.ts';
export type { IoredisLike } from './ioredis.ts';
export { instrumentNodeRedis } from './node-redis.ts';
export type { NodeRedisLike } from './node-redis.ts';
export { createCacheMetrics } from './cache-metrics.ts';
export type { CacheMetrics, CacheOperation } from './cache-metrics.ts';
export { RedisTelemetry, parseInfo } from './redis-telemetry.ts';
export type { RedisInstrumentationOptions, RedisTelemetryHost } from './redis-telemetry.ts';
export { commandFamily } from './command-family.ts';

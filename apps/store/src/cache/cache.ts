/**
 * A small string cache: in memory by default, Redis with REDIS_URL. Used for product lookups.
 *
 * The cache is an optimisation, never a dependency of checkout: every operation resolves, and a
 * Redis failure is reported through `onError` (counted, logged) and treated as a miss.
 */
import { Redis } from 'ioredis';

export type CacheOutcome = 'hit' | 'miss' | 'error';

export interface Cache {
  readonly kind: 'memory' | 'redis';
  /** The value, or undefined on a miss or an error. Never rejects. */
  get(key: string): Promise<string | undefined>;
  /** Never rejects. */
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** Never rejects. */
  del(...keys: string[]): Promise<void>;
  close(): Promise<void>;
  /** The ioredis client (kind 'redis'), for health checks. */
  readonly redis: Redis | undefined;
}

export interface CacheHooks {
  /** Called once per get with its outcome (cache hit/miss metrics). */
  onLookup?: (outcome: CacheOutcome, operation: 'get') => void;
  /** Called when a Redis operation fails; `err` may carry the server's message, not values. */
  onError?: (operation: 'get' | 'set' | 'del', err: unknown) => void;
}

/** In-process cache with TTLs and a size bound (oldest entries evicted first). */
export function memoryCache(hooks: CacheHooks = {}, maxEntries = 10_000): Cache {
  const map = new Map<string, { value: string; expiresAt: number }>();
  return {
    kind: 'memory',
    redis: undefined,
    async get(key) {
      const e = map.get(key);
      if (e === undefined || e.expiresAt <= Date.now()) {
        if (e) map.delete(key);
        hooks.onLookup?.('miss', 'get');
        return undefined;
      }
      hooks.onLookup?.('hit', 'get');
      return e.value;
    },
    async set(key, value, ttlSeconds) {
      map.delete(key);
      map.set(key, { value, expiresAt: Date.now() + ttlSeconds * 1000 });
      while (map.size > maxEntries) {
        const oldest = map.keys().next().value;
        if (oldest === undefined) break;
        map.delete(oldest);
      }
    },
    async del(...keys) {
      for (const k of keys) map.delete(k);
    },
    async close() {
      map.clear();
    },
  };
}

export interface RedisCacheOptions {
  url: string;
  /** Prepended to every key (one prefix per deployment or test run). */
  keyPrefix: string;
  /** Per-command timeout: a slow Redis must not slow checkout down. */
  commandTimeoutMs?: number;
  /** Called with the client before it connects (tillwatch/redis instrumentation). */
  instrument?: (redis: Redis) => void;
}

/** Redis-backed cache. Connects lazily-but-eagerly: start-up waits for the first connection. */
export async function redisCache(opts: RedisCacheOptions, hooks: CacheHooks = {}): Promise<Cache> {
  const redis = new Redis(opts.url, {
    keyPrefix: opts.keyPrefix,
    commandTimeout: opts.commandTimeoutMs ?? 250,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    lazyConnect: true,
  });
  // Without a listener ioredis prints every connection error to stderr; the health check reports them.
  redis.on('error', () => {});
  opts.instrument?.(redis);
  await redis.connect();
  const fail = (operation: 'get' | 'set' | 'del', err: unknown): void => {
    try {
      hooks.onError?.(operation, err);
    } catch {
      // hooks are telemetry: never let them break a lookup
    }
  };
  return {
    kind: 'redis',
    redis,
    async get(key) {
      try {
        const v = await redis.get(key);
        hooks.onLookup?.(v === null ? 'miss' : 'hit', 'get');
        return v ?? undefined;
      } catch (err) {
        hooks.onLookup?.('error', 'get');
        fail('get', err);
        return undefined;
      }
    },
    async set(key, value, ttlSeconds) {
      try {
        await redis.set(key, value, 'EX', ttlSeconds);
      } catch (err) {
        fail('set', err);
      }
    },
    async del(...keys) {
      if (keys.length === 0) return;
      try {
        await redis.del(...keys);
      } catch (err) {
        fail('del', err);
      }
    },
    async close() {
      try {
        await redis.quit();
      } catch {
        redis.disconnect();
      }
    },
  };
}

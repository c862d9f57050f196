import type { HealthCheck } from '../health-check.ts';
import { commonFields, type CommonCheckOptions } from './check-options.ts';

/** What the check needs from an ioredis client (structural: no runtime dependency on ioredis). */
export interface RedisPingable {
  /** ioredis connection state: `wait`, `connecting`, `connect`, `ready`, `reconnecting`, `close`, `end`. */
  readonly status: string;
  ping(): Promise<string>;
}

export interface RedisCheckOptions extends CommonCheckOptions {
  /** Default `redis`. */
  name?: string;
  client: RedisPingable;
}

/**
 * Checks Redis with `PING`.
 *
 * ioredis queues commands while disconnected (`enableOfflineQueue`, on by default), so a PING on a
 * reconnecting client would just wait out the probe timeout, and every probe would add another queued
 * command. A client not in `ready` state therefore fails at once, naming the state. With `lazyConnect`,
 * call `connect()` at start-up: the check never connects for you.
 * @example
 * ```ts
 * health.add(redisCheck({ client: redis, required: false }));
 * ```
 */
export function redisCheck(opts: RedisCheckOptions): HealthCheck {
  const { client } = opts;
  return {
    name: opts.name ?? 'redis',
    ...commonFields(opts),
    async run() {
      if (client.status !== 'ready') throw new Error(`redis client is not ready (status: ${client.status})`);
      const reply = await client.ping();
      if (reply !== 'PONG') throw new Error(`unexpected PING reply: ${String(reply).slice(0, 32)}`);
    },
  };
}

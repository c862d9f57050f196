/**
 * ioredis instrumentation, in place: `sendCommand` (which every command method goes through) is wrapped so each
 * command's latency and failure is recorded by family; INFO is sampled on a timer until the client ends.
 * Commands queued in a pipeline or a MULTI are written by the pipeline itself and are not timed one by one.
 * Structural types only: tillwatch does not depend on ioredis.
 */
import { RedisTelemetry, type RedisInstrumentationOptions, type RedisTelemetryHost } from './redis-telemetry.ts';

type AnyFn = (...args: any[]) => any;

/** What is used of an ioredis client. */
export interface IoredisLike {
  sendCommand: AnyFn;
  info: AnyFn;
  once(event: 'end' | 'ready', listener: () => void): unknown;
  readonly status?: string;
}

const INSTRUMENTED = Symbol.for('tillwatch.redis.instrumented');

/**
 * Instruments an ioredis client in place and returns it, with `stop()` for the INFO sampler on the side.
 * @example
 * const redis = instrumentIoredis(tw, new Redis(url), { connection: 'cache' });
 */
export function instrumentIoredis<T extends IoredisLike>(host: RedisTelemetryHost, client: T, opts: RedisInstrumentationOptions = {}): T {
  const marked = client as T & { [INSTRUMENTED]?: RedisTelemetry };
  if (marked[INSTRUMENTED] !== undefined) return client;
  const redis = new RedisTelemetry(host, opts);
  marked[INSTRUMENTED] = redis;
  const original = client.sendCommand;
  client.sendCommand = function instrumentedSendCommand(this: unknown, command: { name?: unknown; promise?: Promise<unknown> }, ...rest: unknown[]): unknown {
    const start = performance.now();
    const result = original.call(this, command, ...rest);
    const promise = command?.promise;
    if (promise !== undefined && typeof promise.then === 'function') {
      const name = typeof command.name === 'string' ? command.name : '';
      promise.then(
        () => redis.command(name, (performance.now() - start) / 1000, false),
        () => redis.command(name, (performance.now() - start) / 1000, true),
      );
    }
    return result;
  };
  // A lazyConnect client is not connected yet: sampling INFO now would connect it behind the service's back. One
  // still connecting would queue the command, or fail it at once without an offline queue: wait for ready either way.
  if (client.status !== undefined && client.status !== 'ready') client.once('ready', () => redis.startSampling(() => client.info() as Promise<string>));
  else redis.startSampling(() => client.info() as Promise<string>);
  client.once('end', () => redis.stop());
  return client;
}

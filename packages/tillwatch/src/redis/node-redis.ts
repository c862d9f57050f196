/**
 * node-redis (`redis` v4 and later) instrumentation, in place: every typed command method ends in the client's
 * `sendCommand(args)`, which is wrapped so each command's latency and failure is recorded by family; INFO is
 * sampled on a timer until `close()`/`quit()`/`destroy()`. Structural types only.
 */
import { RedisTelemetry, type RedisInstrumentationOptions, type RedisTelemetryHost } from './redis-telemetry.ts';

type AnyFn = (...args: any[]) => any;

/** What is used of a node-redis client. */
export interface NodeRedisLike {
  sendCommand: AnyFn;
  info: AnyFn;
  on(event: 'end' | 'ready', listener: () => void): unknown;
  readonly isReady?: boolean;
}

const INSTRUMENTED = Symbol.for('tillwatch.redis.instrumented');

function nameOf(args: unknown): string {
  const first = Array.isArray(args) ? args[0] : undefined;
  return typeof first === 'string' ? first : first instanceof Uint8Array ? Buffer.from(first).toString('latin1') : '';
}

/**
 * Instruments a node-redis client in place and returns it.
 * @example
 * const redis = instrumentNodeRedis(tw, createClient({ url }), { connection: 'sessions' });
 * await redis.connect();
 */
export function instrumentNodeRedis<T extends NodeRedisLike>(host: RedisTelemetryHost, client: T, opts: RedisInstrumentationOptions = {}): T {
  // Typed commands call sendCommand on the client's base object (`_self` in v5), not on a per-options proxy.
  const target = ((client as unknown as { _self?: NodeRedisLike })._self ?? client) as NodeRedisLike & { [INSTRUMENTED]?: RedisTelemetry };
  if (target[INSTRUMENTED] !== undefined) return client;
  const redis = new RedisTelemetry(host, opts);
  target[INSTRUMENTED] = redis;
  const original = target.sendCommand;
  target.sendCommand = function instrumentedSendCommand(this: unknown, args: unknown, ...rest: unknown[]): unknown {
    const start = performance.now();
    const name = nameOf(args);
    const result = original.call(this, args, ...rest) as Promise<unknown>;
    if (result !== null && typeof result === 'object' && typeof result.then === 'function') {
      result.then(
        () => redis.command(name, (performance.now() - start) / 1000, false),
        () => redis.command(name, (performance.now() - start) / 1000, true),
      );
    }
    return result;
  };
  // Instrumented before connect() (the usual order): the sampler starts once the client is ready.
  if (client.isReady === false) client.on('ready', () => redis.startSampling(() => client.info() as Promise<string>));
  else redis.startSampling(() => client.info() as Promise<string>);
  client.on('end', () => redis.stop());
  return client;
}

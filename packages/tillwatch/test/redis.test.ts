/** tillwatch/redis: command families, INFO parsing, and command, error and INFO metrics on a real Redis through ioredis and node-redis; cache metrics by keyspace. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import pino from 'pino';
import { resolveOptions } from '../src/config/options.ts';
import { Metrics } from '../src/metrics/metrics.ts';
import { commandFamily, createCacheMetrics, instrumentIoredis, instrumentNodeRedis, parseInfo } from '../src/redis/index.ts';
import { REDIS_URL, requireReal, tcpReachable } from './helpers/real-parts.ts';

function host() {
  const { options } = resolveOptions({ metrics: { runtime: false } }, {});
  const metrics = new Metrics({ options, logger: pino({ level: 'silent' }) });
  const body = async () => (await metrics.render(undefined)).body;
  const value = async (series: string) => {
    const line = (await body()).split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };
  return { metrics, logger: pino({ level: 'silent' }), value };
}

async function until<T>(what: string, f: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

test('command families and INFO parsing', () => {
  assert.equal(commandFamily('GET'), 'string');
  assert.equal(commandFamily('hgetall'), 'hash');
  assert.equal(commandFamily('zadd'), 'sorted_set');
  assert.equal(commandFamily('evalsha'), 'script');
  assert.equal(commandFamily('frobnicate'), 'other');
  const info = parseInfo('# Memory\r\nused_memory:1024\r\nmaxmemory:0\r\n\r\n# Stats\r\nevicted_keys:3\r\n');
  assert.equal(info.get('used_memory'), '1024');
  assert.equal(info.get('evicted_keys'), '3');
});

test('cache metrics count by declared keyspace; an undeclared one records as other; a bad set is refused at start-up', async () => {
  const h = host();
  const cache = createCacheMetrics(h.metrics, ['products', 'sessions'] as const);
  cache.hit('products');
  cache.hit('products');
  cache.miss('sessions');
  cache.error('products', 'set');
  (cache.hit as (k: string) => void)('carts');
  assert.equal(await h.value('cache_hits_total{cache="products"}'), 2);
  assert.equal(await h.value('cache_misses_total{cache="sessions"}'), 1);
  assert.equal(await h.value('cache_errors_total{cache="products",operation="set"}'), 1);
  assert.equal(await h.value('cache_hits_total{cache="other"}'), 1);
  assert.throws(() => createCacheMetrics(h.metrics, []), /TW_ERR_CONFIG_INVALID/);
  h.metrics.close();
});

test('ioredis: commands by family, errors, INFO gauges on a timer', async (t) => {
  if (!requireReal(t, 'Redis', await tcpReachable(6379), 'a Redis on 127.0.0.1:6379')) return;
  const h = host();
  const prefix = `tw-test:${randomUUID()}:`;
  const redis = instrumentIoredis(h, new Redis(REDIS_URL, { keyPrefix: prefix, lazyConnect: true }), { connection: 'cache', infoIntervalMs: 100 });
  try {
    await redis.connect();
    await redis.set('k', 'v', 'EX', 60);
    assert.equal(await redis.get('k'), 'v');
    await redis.hset('h', 'f', '1');
    await assert.rejects(redis.hget('k', 'f'), /WRONGTYPE/);
    await redis.del('k', 'h');
    assert.ok((await h.value('redis_command_duration_seconds_count{connection="cache",family="string"}'))! >= 2);
    assert.equal(await h.value('redis_command_duration_seconds_count{connection="cache",family="hash"}'), 2);
    assert.equal(await h.value('redis_command_errors_total{connection="cache",family="hash"}'), 1);
    const used = await until('INFO sampled', () => h.value('redis_memory_used_bytes{connection="cache"}'));
    assert.ok(used > 0);
    assert.ok((await h.value('redis_connected_clients{connection="cache"}'))! >= 1);
    assert.notEqual(await h.value('redis_memory_max_bytes{connection="cache"}'), undefined);
    assert.notEqual(await h.value('redis_evicted_keys_total{connection="cache"}'), undefined);
  } finally {
    redis.disconnect();
    h.metrics.close();
  }
});

test('node-redis: commands by family, errors, INFO gauges', async (t) => {
  if (!requireReal(t, 'Redis', await tcpReachable(6379), 'a Redis on 127.0.0.1:6379')) return;
  const h = host();
  const key = `tw-test:${randomUUID()}`;
  const client = instrumentNodeRedis(h, createClient({ url: REDIS_URL }), { connection: 'sessions', infoIntervalMs: 100 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.set(key, 'v', { EX: 60 });
    assert.equal(await client.get(key), 'v');
    await client.lPush(`${key}:l`, 'x');
    await assert.rejects(client.lPush(key, 'x'), /WRONGTYPE/);
    await client.del([key, `${key}:l`]);
    assert.ok((await h.value('redis_command_duration_seconds_count{connection="sessions",family="string"}'))! >= 2);
    assert.equal(await h.value('redis_command_errors_total{connection="sessions",family="list"}'), 1);
    await until('INFO sampled', () => h.value('redis_memory_used_bytes{connection="sessions"}'));
  } finally {
    await client.close();
    h.metrics.close();
  }
});

test('a client instrumented while still connecting, without an offline queue, samples INFO once ready and warns of nothing', async (t) => {
  if (!requireReal(t, 'Redis', await tcpReachable(6379), 'a Redis on 127.0.0.1:6379')) return;
  const { options } = resolveOptions({ metrics: { runtime: false } }, {});
  const warnings: unknown[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) });
  const metrics = new Metrics({ options, logger });
  t.after(() => metrics.close());
  const client = new Redis(REDIS_URL, { enableOfflineQueue: false });
  t.after(() => client.disconnect());
  assert.notEqual(client.status, 'ready', 'instrumented before it is connected');
  instrumentIoredis({ metrics, logger }, client, { connection: 'early', infoIntervalMs: 60_000 });
  const body = async () => (await metrics.render(undefined)).body;
  await until('an INFO sample', async () => ((await body()).includes('redis_memory_used_bytes{connection="early"}') ? true : undefined));
  assert.deepEqual(warnings, [], 'no failed INFO sample (TWWRN301) before the client was ready');
});

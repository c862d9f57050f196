/**
 * Start-up: the startup probe and business routes answer 503 until migrations are done; readiness
 * checks the configured database and cache; product lookups go through the cache. Config errors name
 * every bad variable without echoing secrets.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { createTillwatch } from 'tillwatch';
import { logSink } from 'tillwatch/testing';
import { loadConfig, StoreConfigError } from '../src/config.ts';
import { startPaymentProvider } from '../src/sim/payment-provider.ts';
import { startStore } from '../src/store.ts';
import { backends, delta, startHarness } from './helpers/store-harness.ts';

test('the startup probe and business routes answer 503 until migrations are done', async (t) => {
  const payment = await startPaymentProvider();
  t.after(() => payment.close());
  const tw = createTillwatch({ log: { destination: logSink() }, lifecycle: { handleSignals: false, handleCrashes: false, exit: false }, metrics: { runtime: false } });
  t.after(() => tw.close());
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', TILLWATCH_DATA_DIR: 'memory://', PAYMENT_PROVIDER_URL: payment.url, JWT_SECRET: randomBytes(32).toString('hex') });
  const seen: Record<string, number> = {};
  const store = await startStore({
    config,
    tw,
    features: 'none',
    beforeMigrations: async (url) => {
      seen.startup = (await fetch(`${url}/health/startup`)).status;
      seen.ready = (await fetch(`${url}/health/ready`)).status;
      const r = await fetch(`${url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      seen.login = r.status;
      seen.retryAfter = Number(r.headers.get('retry-after'));
    },
  });
  t.after(() => store.close());
  assert.deepEqual(seen, { startup: 503, ready: 503, login: 503, retryAfter: 1 });
  assert.equal((await fetch(`${store.url}/health/startup`)).status, 200);
  const ready = await fetch(`${store.url}/health/ready`);
  assert.equal(ready.status, 200);
  const body = (await ready.json()) as { checks?: { name: string; status: string }[] };
  assert.ok(JSON.stringify(body).includes('pglite'), 'readiness checks PGlite');
  assert.ok(store.migrationsApplied.includes('001'));
});

test('config errors name every bad variable and never echo a secret', () => {
  const secretUrl = 'postgres-but-wrong://admin:hunter2-secret@db:5432/store';
  assert.throws(
    () => loadConfig({ PORT: 'eighty', DATABASE_URL: secretUrl, JWT_SECRET: 'short', LOCATIONS: 'Store One', PAYMENT_PROVIDER_URL: 'ftp://x' }),
    (err: unknown) => {
      assert.ok(err instanceof StoreConfigError);
      assert.deepEqual(err.issues.map((i) => i.variable).sort(), ['DATABASE_URL', 'JWT_SECRET', 'LOCATIONS', 'PAYMENT_PROVIDER_URL', 'PORT']);
      assert.ok(!err.message.includes('hunter2'), 'no secret in the message');
      assert.ok(!err.message.includes('short'), 'no JWT secret in the message');
      return true;
    },
  );
  const c = loadConfig({});
  assert.equal(c.jwtSecretIsDefault, true);
  assert.equal(c.port, 3000);
  assert.deepEqual(c.locations, ['store-001', 'store-002']);
});

for (const backend of backends()) {
  test(`readiness and the product cache on ${backend}`, async (t) => {
    const h = await startHarness(t, backend);
    if (!h) return;
    const ready = await fetch(`${h.url}/health/ready`);
    assert.equal(ready.status, 200);
    const text = await ready.text();
    assert.ok(text.includes(backend === 'pglite' ? 'pglite' : 'postgres'), text);
    if (backend === 'postgres+redis') assert.ok(text.includes('redis'), text);

    const token = await h.token('cashier');
    const m0 = await h.metrics();
    const a = await h.api('GET', '/products/WINE-CHARD-750', { token });
    const b = await h.api('GET', '/products/WINE-CHARD-750', { token });
    assert.deepEqual([a.status, b.status, a.body.price, b.body.price], [200, 200, 1799, 1799]);
    const m1 = await h.metrics();
    assert.equal(delta(m0, m1, 'cache_misses_total', { cache: 'products' }), 1);
    assert.equal(delta(m0, m1, 'cache_hits_total', { cache: 'products' }), 1);
    const missing = await h.api('GET', '/products/NOPE', { token });
    assert.equal(missing.body.error.code, 'STORE_PRODUCT_NOT_FOUND');
    if (h.store.deps.cache.redis) {
      assert.equal(await h.store.deps.cache.redis.exists('product:WINE-CHARD-750'), 1, 'the entry lives in Redis under the run prefix');
    }
  });
}

/** The store serves the cashier page at /pos and its runtime config (apps/store/src/http/pos-static.ts). */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startHarness } from './helpers/store-harness.ts';

test('the store serves /pos from the build, its config from POS_* variables, and nothing outside the build', async (t) => {
  const dist = mkdtempSync(join(tmpdir(), 'tillwatch-pos-dist-'));
  t.after(() => rmSync(dist, { recursive: true, force: true }));
  mkdirSync(join(dist, 'assets'));
  writeFileSync(join(dist, 'index.html'), '<!doctype html><div id="root"></div>');
  writeFileSync(join(dist, 'assets', 'index-abc.js'), 'console.log(1)');
  writeFileSync(join(dist, 'assets', 'index-abc.js.map'), '{}');
  const h = await startHarness(t, 'pglite', {
    env: { POS_DIST_DIR: dist, POS_SENTRY_DSN: 'http://publickey@127.0.0.1:9/1', POS_RELEASE: 'pos@9.9.9', POS_TERMINAL: 'till-7' },
  });
  if (!h) return;

  for (const path of ['/pos', '/pos/', '/pos/checkout']) {
    const res = await fetch(h.url + path);
    assert.equal(res.status, 200, path);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    assert.match(res.headers.get('content-security-policy') ?? '', /connect-src 'self' http:\/\/127\.0\.0\.1:9;/);
    assert.match(await res.text(), /id="root"/);
  }
  const js = await fetch(`${h.url}/pos/assets/index-abc.js`);
  assert.equal(js.status, 200);
  assert.match(js.headers.get('content-type') ?? '', /^text\/javascript/);
  assert.match(js.headers.get('cache-control') ?? '', /immutable/);

  for (const path of ['/pos/assets/index-abc.js.map', '/pos/assets/missing.js', '/pos/..%2f..%2fpackage.json', '/pos/%2e%2e/%2e%2e/package.json']) {
    assert.equal((await fetch(h.url + path)).status, 404, path);
  }

  const config = await h.api('GET', '/pos/config.json');
  assert.equal(config.status, 200);
  assert.deepEqual(config.body, {
    sentry_dsn: 'http://publickey@127.0.0.1:9/1',
    release: 'pos@9.9.9',
    environment: h.store.deps.tw.options.service.environment,
    api_base: '/',
    location: 'store-001',
    terminal: 'till-7',
  });
  assert.equal(config.headers.get('cache-control'), 'no-store');
});

test('/pos answers 503 with a hint when the page is not built', async (t) => {
  const empty = mkdtempSync(join(tmpdir(), 'tillwatch-pos-empty-'));
  t.after(() => rmSync(empty, { recursive: true, force: true }));
  const h = await startHarness(t, 'pglite', { env: { POS_DIST_DIR: empty } });
  if (!h) return;
  const res = await fetch(`${h.url}/pos/`);
  assert.equal(res.status, 503);
  assert.match(await res.text(), /npm run build:pos/);
  assert.equal((await h.api('GET', '/pos/config.json')).body.sentry_dsn, null);
});

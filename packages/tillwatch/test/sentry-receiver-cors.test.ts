/** The test Sentry receiver accepts envelopes from a browser on another origin, as Sentry's ingest does. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sentryReceiver } from '../src/testing/sentry-receiver.ts';

test('the Sentry receiver answers CORS preflights without counting them, and allows cross-origin envelope posts', async (t) => {
  const sentry = await sentryReceiver();
  t.after(() => sentry.close());
  const url = `${sentry.dsn.replace('publickey@', '').replace(/\/1$/, '')}/api/1/envelope/?sentry_key=publickey&sentry_version=7`;
  const pre = await fetch(url, {
    method: 'OPTIONS',
    headers: { origin: 'http://127.0.0.1:1', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
  });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get('access-control-allow-origin'), '*');
  assert.match(pre.headers.get('access-control-allow-methods') ?? '', /POST/);
  assert.equal(pre.headers.get('access-control-allow-headers'), 'content-type');
  assert.equal(sentry.requests, 0);

  const envelope = `${JSON.stringify({ event_id: 'abc' })}\n${JSON.stringify({ type: 'event' })}\n${JSON.stringify({ event_id: 'abc', message: 'hi' })}\n`;
  const res = await fetch(url, { method: 'POST', headers: { origin: 'http://127.0.0.1:1', 'content-type': 'text/plain;charset=UTF-8' }, body: envelope });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('access-control-allow-origin'), '*');
  await sentry.waitFor((r) => r.events.length === 1, 2000);
  assert.equal(sentry.requests, 1);
});

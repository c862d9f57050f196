import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test, type TestContext } from 'node:test';
import { createApiFetch, type ApiCall } from '../src/api-fetch.ts';

interface Seen {
  headers: http.IncomingHttpHeaders;
  url: string;
}

/** A real server on 127.0.0.1, port 0, that records requests and answers with `answerId` as X-Correlation-ID. */
async function server(t: TestContext, answerId?: (req: http.IncomingMessage) => string | undefined): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const s = http.createServer((req, res) => {
    seen.push({ headers: req.headers, url: req.url ?? '' });
    const id = answerId?.(req);
    if (id !== undefined) res.setHeader('x-correlation-id', id);
    res.setHeader('content-type', 'application/json');
    res.end('{"ok":true}');
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => s.close(() => r())));
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}/`, seen };
}

test('an API call carries a fresh UUIDv7 X-Correlation-ID and a traceparent, and keeps its own headers', async (t) => {
  const api = await server(t, (req) => req.headers['x-correlation-id'] as string);
  const calls: ApiCall[] = [];
  const f = createApiFetch({ apiBase: api.url, onCall: (c) => calls.push(c) });
  const res = await f(`${api.url}orders`, { method: 'post', headers: { authorization: 'Bearer t', 'content-type': 'application/json' }, body: '{}' });
  assert.equal(res.status, 200);
  await f(`${api.url}products`);
  const [a, b] = api.seen as [Seen, Seen];
  assert.match(String(a.headers['x-correlation-id']), /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.notEqual(a.headers['x-correlation-id'], b.headers['x-correlation-id']);
  assert.match(String(a.headers.traceparent), /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  assert.notEqual(a.headers.traceparent, b.headers.traceparent);
  assert.equal(a.headers.authorization, 'Bearer t');
  assert.equal(calls.length, 2);
  assert.equal(calls[0]?.method, 'POST');
  assert.equal(calls[0]?.status, 200);
  assert.equal(calls[0]?.correlationId, a.headers['x-correlation-id']);
  assert.equal(`00-${calls[0]?.traceId}-${calls[0]?.spanId}-01`, a.headers.traceparent);
});

test('the correlation id the server answers with is the one recorded', async (t) => {
  const api = await server(t, () => 'server-chosen-id');
  const calls: ApiCall[] = [];
  await createApiFetch({ apiBase: api.url, onCall: (c) => calls.push(c) })(`${api.url}x`);
  assert.equal(calls[0]?.correlationId, 'server-chosen-id');
});

test('calls outside the API get no extra headers and are not recorded', async (t) => {
  const api = await server(t);
  const other = await server(t);
  const calls: ApiCall[] = [];
  await createApiFetch({ apiBase: `${api.url}v1/`, onCall: (c) => calls.push(c) })(`${other.url}thing`);
  assert.equal(other.seen[0]?.headers['x-correlation-id'], undefined);
  assert.equal(other.seen[0]?.headers.traceparent, undefined);
  assert.equal(calls.length, 0);
});

test('a failed call is recorded without a status and the error reaches the caller', async (t) => {
  const api = await server(t);
  const calls: ApiCall[] = [];
  const f = createApiFetch({ apiBase: api.url, onCall: (c) => calls.push(c), fetch: async () => Promise.reject(new TypeError('fetch failed')) });
  await assert.rejects(f(`${api.url}x`), /fetch failed/);
  assert.equal(calls[0]?.status, undefined);
  assert.ok(calls[0]?.error instanceof TypeError);
});

test('a throwing onCall never breaks the call', async (t) => {
  const api = await server(t);
  const f = createApiFetch({ apiBase: api.url, onCall: () => { throw new Error('telemetry bug'); } });
  assert.equal((await f(`${api.url}x`)).status, 200);
});

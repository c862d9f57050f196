/**
 * tillwatch/fastify against a real Fastify 5 app on an ephemeral port, driven with fetch.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { type FastifyInstance } from 'fastify';
import { tillwatchFastify } from '../src/adapters/fastify.ts';
import { createTillwatch, type Tillwatch } from '../src/tillwatch.ts';
import { logSink, type LogSink } from '../src/testing/log-sink.ts';
import { UUIDV7, expectSample } from './helpers/exposition.ts';

async function start(t: TestContext): Promise<{ tw: Tillwatch; sink: LogSink; base: string; app: FastifyInstance }> {
  const sink = logSink();
  const tw = createTillwatch({
    service: { name: 'test' },
    log: { destination: sink },
    lifecycle: { handleSignals: false, handleCrashes: false, exit: false },
  });
  const log = tw.logger.child({ module: 'orders' });
  const app = Fastify();
  await app.register(tillwatchFastify, { tw });
  await app.register(
    async (api) => {
      api.get<{ Params: { storeId: string; id: string } }>('/stores/:storeId/orders/:id', async (request) => {
        await sleep(5);
        log.info({ order_id: request.params.id }, 'order loaded');
        return { store: request.params.storeId, id: request.params.id };
      });
      await api.register(
        async (v1) => {
          v1.post('/echo', async (request) => {
            await sleep(1);
            log.info('echoing');
            return request.body;
          });
        },
        { prefix: '/v1' },
      );
    },
    { prefix: '/api' },
  );
  app.get('/boom-sync', () => {
    throw new Error('sync kaboom');
  });
  app.get('/boom-async', async () => {
    await sleep(1);
    throw new Error('async kaboom');
  });
  app.get('/teapot', async () => {
    throw Object.assign(new Error('short and stout'), { statusCode: 418 });
  });
  t.after(async () => {
    await app.close();
    await tw.close();
  });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  return { tw, sink, app, base };
}

test('route templates include plugin prefixes and params; a 404 is __unmatched__', async (t) => {
  const { base } = await start(t);
  const ok = await fetch(`${base}/api/stores/12/orders/7`);
  assert.equal(ok.status, 200);
  assert.deepEqual(await ok.json(), { store: '12', id: '7' });
  const posted = await fetch(`${base}/api/v1/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"total":1250}' });
  assert.deepEqual(await posted.json(), { total: 1250 });
  const missing = await fetch(`${base}/api/stores/12/nope`);
  assert.equal(missing.status, 404);
  await missing.text();

  await expectSample(base, 'http_requests_total', { method: 'GET', route: '/api/stores/:storeId/orders/:id', status_code: '200' }, 1);
  await expectSample(base, 'http_requests_total', { method: 'POST', route: '/api/v1/echo', status_code: '200' }, 1);
  await expectSample(base, 'http_requests_total', { method: 'GET', route: '__unmatched__', status_code: '404' }, 1);
  await expectSample(base, 'http_request_duration_seconds_count', { method: 'GET', route: '/api/stores/:storeId/orders/:id', status_code: '200' }, 1);
  const text = await (await fetch(`${base}/metrics`)).text();
  assert.doesNotMatch(text, /route="\/api\/stores\/12/, 'a concrete path never becomes a label value');
  assert.doesNotMatch(text, /route="\/metrics"/, 'the management endpoint is not counted as app traffic');
});

test('the management endpoints are real routes on the main port', async (t) => {
  const { app, base } = await start(t);
  assert.match(app.printRoutes({ commonPrefix: false }), /metrics/);
  const ready = await fetch(`${base}/health/live`);
  assert.equal(ready.status, 200);
  assert.match(ready.headers.get('content-type') ?? '', /json/);
  await ready.text();
});

test('the correlation id is echoed in both headers and carried by log lines written after an await, also after body parsing', async (t) => {
  const { base, sink } = await start(t);
  const res = await fetch(`${base}/api/stores/12/orders/7`);
  await res.text();
  const id = res.headers.get('x-correlation-id');
  assert.match(id ?? '', UUIDV7);
  assert.equal(res.headers.get('x-request-id'), id);
  assert.equal(sink.find('order loaded')[0]?.correlation_id, id);

  const posted = await fetch(`${base}/api/v1/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"total":1}' });
  await posted.text();
  assert.equal(sink.find('echoing')[0]?.correlation_id, posted.headers.get('x-correlation-id'));
});

test('a valid inbound X-Correlation-ID is reused and an invalid one is replaced by a new UUIDv7', async (t) => {
  const { base } = await start(t);
  const reused = await fetch(`${base}/api/stores/1/orders/2`, { headers: { 'x-correlation-id': 'till-7:txn.0042' } });
  await reused.text();
  assert.equal(reused.headers.get('x-correlation-id'), 'till-7:txn.0042');
  assert.equal(reused.headers.get('x-request-id'), 'till-7:txn.0042');
  for (const bad of ['bad id\n', 'x'.repeat(200)]) {
    const res = await fetch(`${base}/api/stores/1/orders/2`, { headers: { 'x-correlation-id': bad } });
    await res.text();
    assert.match(res.headers.get('x-correlation-id') ?? '', UUIDV7, JSON.stringify(bad));
    assert.equal(res.headers.get('x-request-id'), res.headers.get('x-correlation-id'));
  }
});

test('a synchronous throw and a rejected promise each answer 500, log one request failed line and count one 500', async (t) => {
  const { base, sink } = await start(t);
  for (const path of ['/boom-sync', '/boom-async']) {
    const res = await fetch(`${base}${path}`);
    assert.equal(res.status, 500);
    await res.text();
    const id = res.headers.get('x-correlation-id');
    assert.match(id ?? '', UUIDV7);
    const failed = sink.find('request failed').filter((l) => l.correlation_id === id);
    assert.equal(failed.length, 1, path);
    assert.equal(failed[0]?.route, path);
    await expectSample(base, 'http_requests_total', { method: 'GET', route: path, status_code: '500' }, 1);
  }
  assert.equal(sink.find('request failed').length, 2);
});

test('an error carrying a 4xx status is answered by Fastify and not logged as a failure', async (t) => {
  const { base, sink } = await start(t);
  const teapot = await fetch(`${base}/teapot`);
  assert.equal(teapot.status, 418);
  await teapot.text();
  assert.equal(sink.find('request failed').length, 0);
  await expectSample(base, 'http_requests_total', { method: 'GET', route: '/teapot', status_code: '418' }, 1);
});

test("with Fastify's logger set to tw.logger and request logging off, a failed request is still logged exactly once", async (t) => {
  const sink = logSink();
  const tw = createTillwatch({
    service: { name: 'test' },
    log: { destination: sink },
    lifecycle: { handleSignals: false, handleCrashes: false, exit: false },
  });
  const app = Fastify({ loggerInstance: tw.logger, disableRequestLogging: true });
  await app.register(tillwatchFastify, { tw });
  app.get('/boom', async () => {
    throw new Error('kaboom');
  });
  t.after(async () => {
    await app.close();
    await tw.close();
  });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const res = await fetch(`${base}/boom`);
  assert.equal(res.status, 500);
  await res.text();
  await expectSample(base, 'http_requests_total', { method: 'GET', route: '/boom', status_code: '500' }, 1);
  assert.equal(sink.lines.filter((l) => (l.err as { message?: string } | undefined)?.message === 'kaboom').length, 1);
  assert.equal(sink.find('request failed').length, 1);
});

test('a route that hijacks the reply and writes it itself still echoes the correlation id', async () => {
  const tw = createTillwatch({ service: { name: 'hijack-test' }, log: { destination: logSink() }, lifecycle: { handleSignals: false, handleCrashes: false, exit: false } });
  const app = Fastify();
  await app.register(tillwatchFastify, { tw });
  app.get('/events', (_request, reply) => {
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream' });
    reply.raw.end('data: 1\n\n');
  });
  try {
    const res = await app.inject({ method: 'GET', url: '/events', headers: { 'x-correlation-id': 'sse-1' } });
    assert.equal(res.headers['x-correlation-id'], 'sse-1');
    assert.equal(res.headers['x-request-id'], 'sse-1');
  } finally {
    await app.close();
    await tw.close();
  }
});

/**
 * tillwatch/express against a real Express 5 app on an ephemeral port, driven with fetch:
 * route templates through nested routers, sub-apps and odd paths; ids; context; RED metrics; errors.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import express from 'express';
import { tillwatchExpressErrors, tillwatchExpress } from '../src/adapters/express.ts';
import { createTillwatch, type Tillwatch } from '../src/tillwatch.ts';
import { logSink, type LogSink } from '../src/testing/log-sink.ts';
import { UUIDV7, expectSample } from './helpers/exposition.ts';

async function start(t: TestContext): Promise<{ tw: Tillwatch; sink: LogSink; base: string; app: express.Express }> {
  const sink = logSink();
  const tw = createTillwatch({
    service: { name: 'test' },
    log: { destination: sink },
    lifecycle: { handleSignals: false, handleCrashes: false, exit: false },
  });
  const log = tw.logger.child({ module: 'orders' });

  // Routers are built before the app, the way route modules are imported before main wires them.
  const orders = express.Router({ mergeParams: true });
  orders.get('/', (_req, res) => {
    res.json([]);
  });
  orders.get('/:id', async (req, res) => {
    await sleep(5);
    log.info({ order_id: req.params.id }, 'order loaded');
    res.json({ id: req.params.id });
  });
  const store = express.Router({ mergeParams: true });
  store.use('/orders/', orders);
  const auth = express.Router();
  auth.use((_req, _res, next) => next()); // a router that matches everything and falls through
  const catalog = express(); // a sub-app
  catalog.get('/items/:sku', (req, res) => {
    res.json({ sku: req.params.sku });
  });
  const versioned = express.Router();
  versioned.get('/ping', (_req, res) => {
    res.send('pong');
  });

  const app = express();
  app.use(tillwatchExpress(tw));
  app.use(express.json());
  app.use('/', auth);
  app.use('/stores/:storeId', store);
  app.use('/catalog', catalog);
  app.use(['/v1', '/v2'], versioned);
  app.get(/^\/legacy\/(\d+)$/, (_req, res) => {
    res.send('legacy');
  });
  app.post('/echo', async (req, res) => {
    await sleep(1);
    log.info('echoing');
    res.json(req.body);
  });
  app.get('/boom-sync', () => {
    throw new Error('sync kaboom');
  });
  app.get('/boom-async', async () => {
    await sleep(1);
    throw new Error('async kaboom');
  });
  app.get('/teapot', () => {
    throw Object.assign(new Error('short and stout'), { status: 418, expose: true });
  });
  app.use(tillwatchExpressErrors(tw));

  const server: Server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await tw.close();
  });
  return { tw, sink, app, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

test('route templates join mount paths of nested routers, params and sub-apps; a 404 is __unmatched__', async (t) => {
  const { base } = await start(t);
  const cases: [path: string, status: number, route: string][] = [
    ['/stores/12/orders/7', 200, '/stores/:storeId/orders/:id'],
    ['/stores/12/orders', 200, '/stores/:storeId/orders'],
    ['/catalog/items/sku-9', 200, '/catalog/items/:sku'],
    ['/v2/ping', 200, '[/v1,/v2]/ping'],
    ['/legacy/42', 200, String(/^\/legacy\/(\d+)$/)],
    ['/stores/12/nope', 404, '__unmatched__'],
    ['/nope', 404, '__unmatched__'],
  ];
  for (const [path, status, route] of cases) {
    const res = await fetch(`${base}${path}`);
    await res.text();
    assert.equal(res.status, status, path);
    await expectSample(base, 'http_requests_total', { method: 'GET', route, status_code: String(status) }, route === '__unmatched__' ? (path === '/nope' ? 2 : 1) : 1);
  }
  await expectSample(base, 'http_request_duration_seconds_count', { method: 'GET', route: '/stores/:storeId/orders/:id', status_code: '200' }, 1);
  const text = await (await fetch(`${base}/metrics`)).text();
  assert.doesNotMatch(text, /route="\/stores\/12/, 'a concrete path never becomes a label value');
  assert.doesNotMatch(text, /route="\/metrics"/, 'the management endpoint is not counted as app traffic');
});

test('mounted routers keep their identity, so router.listRoutes() and other instrumentations still see them', async (t) => {
  const { app } = await start(t);
  const router = (app as unknown as { router: { stack: { handle: { stack?: unknown } }[] } }).router;
  const mounted = router.stack.filter((l) => Array.isArray(l.handle.stack));
  assert.ok(mounted.length >= 3, 'auth, store and versioned are still the Router functions themselves');
});

test('the correlation id is echoed in both headers and carried by log lines written after an await, also after body parsing', async (t) => {
  const { base, sink } = await start(t);
  const res = await fetch(`${base}/stores/12/orders/7`);
  await res.text();
  const id = res.headers.get('x-correlation-id');
  assert.match(id ?? '', UUIDV7);
  assert.equal(res.headers.get('x-request-id'), id);
  assert.equal(sink.find('order loaded')[0]?.correlation_id, id);

  const posted = await fetch(`${base}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"total":1250}' });
  assert.deepEqual(await posted.json(), { total: 1250 });
  assert.equal(sink.find('echoing')[0]?.correlation_id, posted.headers.get('x-correlation-id'));
});

test('a valid inbound X-Correlation-ID is reused and an invalid one is replaced by a new UUIDv7', async (t) => {
  const { base } = await start(t);
  const reused = await fetch(`${base}/stores/1/orders/2`, { headers: { 'x-correlation-id': 'till-7:txn.0042' } });
  await reused.text();
  assert.equal(reused.headers.get('x-correlation-id'), 'till-7:txn.0042');
  assert.equal(reused.headers.get('x-request-id'), 'till-7:txn.0042');
  for (const bad of ['bad id\n', 'x'.repeat(200)]) {
    const res = await fetch(`${base}/stores/1/orders/2`, { headers: { 'x-correlation-id': bad } });
    await res.text();
    assert.match(res.headers.get('x-correlation-id') ?? '', UUIDV7, JSON.stringify(bad));
    assert.equal(res.headers.get('x-request-id'), res.headers.get('x-correlation-id'));
  }
});

test('a synchronous throw and a rejected promise each answer 500 with the correlation id, log one request failed line and count one 500', async (t) => {
  const { base, sink } = await start(t);
  for (const path of ['/boom-sync', '/boom-async']) {
    const res = await fetch(`${base}${path}`);
    assert.equal(res.status, 500);
    const id = res.headers.get('x-correlation-id');
    assert.deepEqual(await res.json(), { error: 'internal_error', correlation_id: id });
    const failed = sink.find('request failed').filter((l) => l.correlation_id === id);
    assert.equal(failed.length, 1, path);
    assert.equal(failed[0]?.route, path);
    await expectSample(base, 'http_requests_total', { method: 'GET', route: path, status_code: '500' }, 1);
  }
  assert.equal(sink.find('request failed').length, 2);
});

test('an error carrying a 4xx status answers that status and is not logged as a failure', async (t) => {
  const { base, sink } = await start(t);
  const teapot = await fetch(`${base}/teapot`);
  assert.equal(teapot.status, 418);
  assert.deepEqual(await teapot.json(), { error: 'i_m_a_teapot', message: 'short and stout', correlation_id: teapot.headers.get('x-correlation-id') });

  const badJson = await fetch(`${base}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"total":' });
  assert.equal(badJson.status, 400);
  const body = (await badJson.json()) as Record<string, unknown>;
  assert.equal(body.error, 'bad_request');
  assert.equal(body.correlation_id, badJson.headers.get('x-correlation-id'));
  assert.equal(sink.find('request failed').length, 0);
  await expectSample(base, 'http_requests_total', { method: 'GET', route: '/teapot', status_code: '418' }, 1);
});

/**
 * tillwatch/nestjs against a real NestJS 11 app (Express platform) on an ephemeral port, driven with
 * fetch. Decorators are applied as functions: Node runs this file with type stripping only.
 */
import 'reflect-metadata';
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Controller, Get, Module, NotFoundException, Param, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TillwatchNestModule, TillwatchNestLogger } from '../src/adapters/nestjs.ts';
import { createTillwatch, type Tillwatch } from '../src/tillwatch.ts';
import { logSink, type LogSink } from '../src/testing/log-sink.ts';
import { UUIDV7, expectSample } from './helpers/exposition.ts';

/** Applies a Nest method decorator the way the `@Get()` syntax would. */
function decorate(target: object, method: string, ...decorators: MethodDecorator[]): void {
  const descriptor = Object.getOwnPropertyDescriptor(target, method);
  assert.ok(descriptor, method);
  for (const d of decorators) d(target, method, descriptor);
}

async function start(t: TestContext): Promise<{ tw: Tillwatch; sink: LogSink; base: string; app: INestApplication }> {
  const sink = logSink();
  const tw = createTillwatch({
    service: { name: 'test' },
    log: { destination: sink },
    lifecycle: { handleSignals: false, handleCrashes: false, exit: false },
  });
  const log = tw.logger.child({ module: 'orders' });

  class OrdersController {
    async get(storeId: string, id: string): Promise<unknown> {
      await sleep(5);
      log.info({ order_id: id }, 'order loaded');
      return { store: storeId, id };
    }
    missing(): never {
      throw new NotFoundException('no such order');
    }
  }
  Controller('stores/:storeId/orders')(OrdersController);
  decorate(OrdersController.prototype, 'get', Get(':id'));
  Param('storeId')(OrdersController.prototype, 'get', 0);
  Param('id')(OrdersController.prototype, 'get', 1);
  decorate(OrdersController.prototype, 'missing', Get('missing/:id'));

  class BoomController {
    sync(): never {
      throw new Error('sync kaboom');
    }
    async async(): Promise<never> {
      await sleep(1);
      throw new Error('async kaboom');
    }
  }
  Controller('boom')(BoomController);
  decorate(BoomController.prototype, 'sync', Get('sync'));
  decorate(BoomController.prototype, 'async', Get('async'));

  class AppModule {}
  Module({ imports: [TillwatchNestModule.forRoot(tw)], controllers: [OrdersController, BoomController] })(AppModule);

  const app = await NestFactory.create(AppModule, { logger: new TillwatchNestLogger(tw) });
  app.setGlobalPrefix('api');
  await app.listen(0, '127.0.0.1');
  t.after(async () => {
    await app.close();
    await tw.close();
  });
  const port = ((app.getHttpServer() as Server).address() as AddressInfo).port;
  return { tw, sink, app, base: `http://127.0.0.1:${port}` };
}

test('route templates include the global prefix, the controller prefix and params; a 404 is __unmatched__', async (t) => {
  const { base } = await start(t);
  const ok = await fetch(`${base}/api/stores/12/orders/7`);
  assert.equal(ok.status, 200);
  assert.deepEqual(await ok.json(), { store: '12', id: '7' });
  const missing = await fetch(`${base}/api/nope`);
  assert.equal(missing.status, 404);
  assert.deepEqual(await missing.json(), { message: 'Cannot GET /api/nope', error: 'Not Found', statusCode: 404 });

  await expectSample(base, 'http_requests_total', { method: 'GET', route: '/api/stores/:storeId/orders/:id', status_code: '200' }, 1);
  await expectSample(base, 'http_requests_total', { method: 'GET', route: '__unmatched__', status_code: '404' }, 1);
  await expectSample(base, 'http_request_duration_seconds_count', { method: 'GET', route: '/api/stores/:storeId/orders/:id', status_code: '200' }, 1);
  const text = await (await fetch(`${base}/metrics`)).text();
  assert.doesNotMatch(text, /route="\/api\/stores\/12/, 'a concrete path never becomes a label value');
});

test('the correlation id is echoed in both headers and carried by log lines written after an await in a controller', async (t) => {
  const { base, sink } = await start(t);
  const res = await fetch(`${base}/api/stores/12/orders/7`);
  await res.text();
  const id = res.headers.get('x-correlation-id');
  assert.match(id ?? '', UUIDV7);
  assert.equal(res.headers.get('x-request-id'), id);
  assert.equal(sink.find('order loaded')[0]?.correlation_id, id);
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

test('a synchronous throw and a rejected promise each answer Nest\'s 500 body, log one request failed line and count one 500', async (t) => {
  const { base, sink } = await start(t);
  for (const [path, route] of [['/api/boom/sync', '/api/boom/sync'], ['/api/boom/async', '/api/boom/async']] as const) {
    const res = await fetch(`${base}${path}`);
    assert.equal(res.status, 500);
    assert.deepEqual(await res.json(), { statusCode: 500, message: 'Internal server error' });
    const id = res.headers.get('x-correlation-id');
    const failed = sink.find('request failed').filter((l) => l.correlation_id === id);
    assert.equal(failed.length, 1, path);
    assert.equal(failed[0]?.route, route);
    await expectSample(base, 'http_requests_total', { method: 'GET', route, status_code: '500' }, 1);
  }
  assert.equal(sink.find('request failed').length, 2);
  assert.equal(sink.lines.filter((l) => l.context === 'ExceptionsHandler').length, 0, "Nest's own handler did not log the stack again");
});

test('an HttpException keeps its status and body and is not logged as a failure', async (t) => {
  const { base, sink } = await start(t);
  const res = await fetch(`${base}/api/stores/1/orders/missing/9`);
  assert.equal(res.status, 404);
  assert.deepEqual(await res.json(), { message: 'no such order', error: 'Not Found', statusCode: 404 });
  assert.equal(sink.find('request failed').length, 0);
  await expectSample(base, 'http_requests_total', { method: 'GET', route: '/api/stores/:storeId/orders/missing/:id', status_code: '404' }, 1);
});

test("Nest's own log lines go through tillwatch's logger as JSON with their context", async (t) => {
  const { sink } = await start(t);
  const started = sink.find('Nest application successfully started')[0];
  assert.equal(started?.context, 'NestApplication');
  assert.ok(sink.lines.some((l) => l.context === 'RouterExplorer' && /\/api\/stores\/:storeId\/orders\/:id/.test(String(l.msg))));
});

test("tillwatch runs before Nest's body parser: a request it rejects still carries the correlation id and is counted", async (t) => {
  const { base, sink } = await start(t);
  const res = await fetch(`${base}/api/stores/1/orders/2`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"total":' });
  assert.equal(res.status, 400);
  await res.text();
  assert.match(res.headers.get('x-correlation-id') ?? '', UUIDV7);
  assert.equal(sink.find('request failed').length, 0);
  await expectSample(base, 'http_requests_total', { method: 'POST', route: '__unmatched__', status_code: '400' }, 1);
});

/**
 * tillwatch/node-http against a real node:http server on an ephemeral port, driven with fetch.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import http, { type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { tillwatchNodeHttp } from '../src/adapters/node-http.ts';
import { createTillwatch, type Tillwatch } from '../src/tillwatch.ts';
import { logSink, type LogSink } from '../src/testing/log-sink.ts';
import { UUIDV7, expectSample } from './helpers/exposition.ts';

async function start(t: TestContext): Promise<{ tw: Tillwatch; sink: LogSink; base: string }> {
  const sink = logSink();
  const tw = createTillwatch({
    service: { name: 'test' },
    log: { destination: sink },
    lifecycle: { handleSignals: false, handleCrashes: false, exit: false },
  });
  const log = tw.logger.child({ module: 'orders' });
  const server: Server = http.createServer(
    tillwatchNodeHttp(
      tw,
      async (req, res) => {
        const path = (req.url ?? '/').split('?')[0];
        if (path === '/boom-sync') throw new Error('sync kaboom');
        if (path === '/boom-async') {
          await sleep(1);
          throw new Error('async kaboom');
        }
        const order = /^\/stores\/([^/]+)\/orders\/([^/]+)$/.exec(path ?? '');
        if (order) {
          await sleep(5);
          log.info({ order_id: order[2] }, 'order loaded');
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ store: order[1], id: order[2] }));
          return;
        }
        res.statusCode = 404;
        res.end('{"error":"not_found"}');
      },
      {
        route: (req) => {
          const path = (req.url ?? '/').split('?')[0] ?? '/';
          if (/^\/stores\/[^/]+\/orders\/[^/]+$/.test(path)) return '/stores/:storeId/orders/:id';
          if (path === '/boom-sync' || path === '/boom-async') return path;
          return undefined;
        },
      },
    ),
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await tw.close();
  });
  return { tw, sink, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

test('a request is counted under the template the route callback names, and an unknown path under __unmatched__', async (t) => {
  const { base } = await start(t);
  const ok = await fetch(`${base}/stores/12/orders/7`);
  assert.equal(ok.status, 200);
  assert.deepEqual(await ok.json(), { store: '12', id: '7' });
  const missing = await fetch(`${base}/nope/123`);
  assert.equal(missing.status, 404);
  await missing.text();

  await expectSample(base, 'http_requests_total', { method: 'GET', route: '/stores/:storeId/orders/:id', status_code: '200' }, 1);
  await expectSample(base, 'http_requests_total', { method: 'GET', route: '__unmatched__', status_code: '404' }, 1);
  await expectSample(base, 'http_request_duration_seconds_count', { method: 'GET', route: '/stores/:storeId/orders/:id', status_code: '200' }, 1);
  const text = await (await fetch(`${base}/metrics`)).text();
  assert.doesNotMatch(text, /route="\/nope\/123"/, 'a raw path never becomes a label value');
  assert.doesNotMatch(text, /route="\/metrics"/, 'the management endpoint is not counted as app traffic');
});

test('the correlation id is echoed in both headers and carried by log lines written after an await in the handler', async (t) => {
  const { base, sink } = await start(t);
  const res = await fetch(`${base}/stores/12/orders/7`);
  await res.text();
  const id = res.headers.get('x-correlation-id');
  assert.match(id ?? '', UUIDV7);
  assert.equal(res.headers.get('x-request-id'), id);
  const line = sink.find('order loaded')[0];
  assert.equal(line?.correlation_id, id);
  assert.equal(line?.order_id, '7');
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
  assert.doesNotMatch(await (await fetch(`${base}/boom-sync`)).text(), /kaboom/, 'the error message never reaches the client');
});

test('a card number or a token sent as X-Request-ID or X-Correlation-ID is never logged, echoed in a header or in an error body', async (t) => {
  const { base, sink } = await start(t);
  const pan = '4111111111111111';
  const hostile = [pan, '4111-1111-1111-1111', '4111.1111.1111.1111', `req_${pan}`, 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjYXNoaWVyIn0.c2lnbmF0dXJl'];
  for (const header of ['x-request-id', 'x-correlation-id']) {
    for (const v of hostile) {
      for (const path of ['/stores/1/orders/2', '/boom-sync', '/nowhere']) {
        const res = await fetch(`${base}${path}`, { headers: { [header]: v } });
        const body = await res.text();
        const id = res.headers.get('x-correlation-id') ?? '';
        assert.match(id, UUIDV7, `${header}: ${v}`);
        assert.equal(res.headers.get('x-request-id'), id);
        assert.ok(!body.includes(v) && !body.includes(pan), body);
      }
    }
  }
  await sleep(20);
  const text = sink.text();
  for (const v of hostile) assert.ok(!text.includes(v), `logged: ${v}`);
  assert.ok(!text.replace(/[^0-9]/g, ' ').includes(pan));
  assert.ok(sink.lines.length > 0);
});

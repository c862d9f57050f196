/**
 * `metrics.clients`: requests counted by API version, device class and region from the runtime's HTTP
 * instrumentation, against a real node:http server on an ephemeral port.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import http, { type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { tillwatchNodeHttp } from '../src/adapters/node-http.ts';
import { createTillwatch } from '../src/tillwatch.ts';
import type { TillwatchOptions } from '../src/config/options.ts';
import { TillwatchConfigError } from '@tillwatch/spec';
import { logSink, type LogSink } from '../src/testing/log-sink.ts';
import { expectSample, sample } from './helpers/exposition.ts';

const IPAD = 'Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';
const ANDROID_PHONE = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36';
const DESKTOP = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36';

async function start(t: TestContext, options: TillwatchOptions): Promise<{ sink: LogSink; base: string }> {
  const sink = logSink();
  const tw = createTillwatch({
    service: { name: 'test', location: 'store-9' },
    log: { destination: sink },
    lifecycle: { handleSignals: false, handleCrashes: false, exit: false },
    ...options,
  });
  const server: Server = http.createServer(
    tillwatchNodeHttp(tw, (_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end('{}');
    }),
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await tw.close();
  });
  return { sink, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

test('requests are counted by API version (path prefix, else the named header), device class and region (trusted header, else the location)', async (t) => {
  const { sink, base } = await start(t, { metrics: { clients: { enabled: true, apiVersionHeader: 'X-API-Version', regionHeader: 'X-Client-Region' } } });
  const get = async (path: string, headers: Record<string, string>) => assert.equal((await fetch(base + path, { headers })).status, 200);
  await get('/v2/orders', { 'user-agent': IPAD, 'x-client-region': 'eu-west' });
  await get('/api/v2/orders/7', { 'user-agent': IPAD, 'x-client-region': 'eu-west', 'x-api-version': '1' }); // the path wins
  await get('/orders', { 'user-agent': ANDROID_PHONE, 'x-api-version': '1' });
  await get('/orders', { 'user-agent': DESKTOP, 'x-api-version': 'V1.2', 'x-client-region': 'not a region!' });
  await get('/orders', { 'user-agent': DESKTOP, 'x-api-version': '../../etc/passwd' });

  await expectSample(base, 'api_version_requests_total', { api_version: 'v2' }, 2);
  await expectSample(base, 'api_version_requests_total', { api_version: 'v1' }, 1);
  await expectSample(base, 'api_version_requests_total', { api_version: 'v1.2' }, 1);
  await expectSample(base, 'api_version_requests_total', { api_version: 'other' }, 1);
  await expectSample(base, 'client_device_requests_total', { device_class: 'tablet' }, 2);
  await expectSample(base, 'client_device_requests_total', { device_class: 'mobile' }, 1);
  await expectSample(base, 'client_device_requests_total', { device_class: 'desktop' }, 2);
  await expectSample(base, 'client_region_requests_total', { region: 'eu-west' }, 2);
  await expectSample(base, 'client_region_requests_total', { region: 'other' }, 1);
  // The scrapes themselves (no region header) count under the location too: at least the two requests without one.
  const text = await (await fetch(`${base}/metrics`)).text();
  assert.ok((sample(text, 'client_region_requests_total', { region: 'store-9' }) ?? 0) >= 2, 'a request without the region header counts under service.location');
  // A scrape sends neither a /vN/ path nor the header: not counted by version.
  const versions = text.split('\n').filter((l) => l.startsWith('api_version_requests_total{'));
  assert.equal(versions.length, 4, versions.join('\n'));

  // The access log's device class is the same classification.
  const lines = sink.find('request completed');
  assert.ok(lines.some((l) => l.route !== undefined && l.device_class === 'tablet' && l.ua_family === 'safari'), JSON.stringify(lines.slice(0, 3)));
  assert.ok(lines.some((l) => l.device_class === 'mobile' && l.ua_family === 'chrome'));
});

test('client counting is off by default: no client series, the access log still classifies the user agent', async (t) => {
  const { sink, base } = await start(t, {});
  assert.equal((await fetch(`${base}/v1/orders`, { headers: { 'user-agent': IPAD } })).status, 200);
  await expectSample(base, 'http_requests_total', { method: 'GET', route: '__unmatched__', status_code: '200' }, 1);
  const text = await (await fetch(`${base}/metrics`)).text();
  assert.doesNotMatch(text, /^(api_version|client_device|client_region)_requests_total/m);
  assert.ok(sink.find('request completed').some((l) => l.device_class === 'tablet'));
});

test('a malformed header name stops start-up naming the option, what was expected and what was given', () => {
  assert.throws(
    () => createTillwatch({ metrics: { clients: { enabled: true, regionHeader: 'x client region' } }, lifecycle: { handleSignals: false, handleCrashes: false, exit: false } }),
    (err: unknown) => {
      assert.ok(err instanceof TillwatchConfigError);
      assert.match(err.message, /metrics\.clients\.regionHeader/);
      assert.match(err.message, /matching/);
      assert.match(err.message, /"x client region"/);
      return true;
    },
  );
});

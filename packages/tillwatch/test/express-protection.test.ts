/**
 * express-rate-limit and cors on a real Express 5 server, instrumented by tillwatch/express: refused clients and
 * refused origins become security events and metrics, once each, like the Fastify plugins' in the store.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import cors from 'cors';
import express from 'express';
import { rateLimit } from 'express-rate-limit';
import { instrumentCors, instrumentRateLimit, tillwatchExpress } from '../src/adapters/express.ts';
import { createSecurityEvents } from '../src/security/index.ts';
import { createTillwatch } from '../src/tillwatch.ts';
import { logSink } from '../src/testing/log-sink.ts';
import { listenForTest } from './helpers/listen.ts';

async function start(t: TestContext) {
  const sink = logSink();
  const tw = createTillwatch({
    service: { name: 'shop' },
    log: { destination: sink },
    metrics: { runtime: false },
    lifecycle: { handleSignals: false, handleCrashes: false, exit: false },
  });
  const security = createSecurityEvents(tw, { sourceAddress: 'truncate' });
  const app = express();
  app.use(tillwatchExpress(tw, { security }));
  app.use(instrumentCors(security, cors({ origin: ['https://shop.example'], methods: ['GET', 'POST'] })));
  app.use('/api', instrumentRateLimit(security, rateLimit({ windowMs: 60_000, limit: 3, standardHeaders: 'draft-8', legacyHeaders: false })));
  app.get('/api/products', (_req, res) => void res.json([{ sku: 'A-1' }]));
  t.after(() => tw.close());
  const base = await listenForTest(t, http.createServer(app));
  const metric = async (series: string): Promise<number> => {
    const body = await (await fetch(`${base}/metrics`)).text();
    const line = body.split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? Number.NaN : Number(line.slice(series.length + 1));
  };
  return { base, sink, metric };
}

test('express-rate-limit: each refused request is one rate_limited event with the limit, and the client is counted', async (t) => {
  const { base, sink, metric } = await start(t);
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) {
    const res = await fetch(`${base}/api/products`);
    statuses.push(res.status);
    await res.text();
  }
  assert.deepEqual(statuses, [200, 200, 200, 429, 429, 429]);
  const events = sink.lines.filter((l) => l.security_event === 'rate_limited');
  assert.equal(events.length, 3, 'once per refusal, not again from the adapter 429 hook');
  for (const e of events) {
    assert.equal(e.limit, 3);
    assert.equal(e.route, '/api/products');
    assert.equal(e.source, '127.0.0.0');
  }
  assert.equal(await metric('rate_limited_requests_total'), 3);
  assert.equal(await metric('rate_limited_clients'), 1);
  assert.equal(await metric('security_events_total{type="rate_limited",severity="medium"}'), 3);
});

test('cors: an origin the policy refuses is a cors_violation (simple request and preflight); allowed and origin-less requests are not', async (t) => {
  const { base, sink, metric } = await start(t);
  const allowed = await fetch(`${base}/api/products`, { headers: { origin: 'https://shop.example' } });
  assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://shop.example');
  await allowed.text();
  await (await fetch(`${base}/api/products`)).text(); // a terminal or curl: no Origin

  const refused = await fetch(`${base}/api/products`, { headers: { origin: 'https://evil.example' } });
  assert.equal(refused.headers.get('access-control-allow-origin'), null);
  await refused.text();
  const preflight = await fetch(`${base}/api/products`, {
    method: 'OPTIONS',
    headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
  });
  assert.equal(preflight.status, 204, 'answered by cors itself');
  assert.equal(preflight.headers.get('access-control-allow-origin'), null);
  await preflight.text();

  const events = sink.lines.filter((l) => l.security_event === 'cors_violation');
  assert.deepEqual(events.map((e) => e.origin), ['https://evil.example', 'https://evil.example']);
  assert.deepEqual(events.map((e) => e.route), ['/api/products', '/api/products']);
  assert.equal(await metric('cors_violations_total'), 2);
  assert.equal(await metric('security_events_total{type="cors_violation",severity="medium"}'), 2);
});

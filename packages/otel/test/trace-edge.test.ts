/**
 * Sampling decided at the edge of the request: an unsampled request creates no span and patches nothing, yet its
 * outgoing calls (fetch and node:http) carry the W3C context downstream (its trace id, flags 00, the caller's
 * tracestate and baggage); a sampled one gets client spans from the diagnostics-channel hooks. Real Fastify and
 * node:http servers on port 0, the real Postgres, a local OTLP/HTTP receiver, a stand-in provider recording the
 * headers it receives.
 */
import { test, before, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { hasSubscribers } from 'node:diagnostics_channel';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type pgModule from 'pg';
import { createTillwatch, type Tillwatch } from 'tillwatch';
import { logSink, otlpReceiver, type LogSink, type OtlpReceiver } from 'tillwatch/testing';
import type { PaymentProvider } from './fixtures/trace/checkout-app.ts';
import { tillwatchNodeHttp } from 'tillwatch/node-http';
import { enableInstrumentations } from '../src/trace/instrumentations.ts';
import { POSTGRES_URL, requireReal, tcpReachable } from '../../tillwatch/test/helpers/real-parts.ts';
import { untracedFetch } from './fixtures/trace/untraced-fetch.ts';

enableInstrumentations();
const { checkoutApp, paymentProvider, ordersPool } = await import('./fixtures/trace/checkout-app.ts');

const CLIENT = 3;
const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const PARENT_ID = 'b7ad6b7169203331';

let pgAvailable = false;
before(async () => {
  pgAvailable = await tcpReachable(Number(new URL(POSTGRES_URL).port || 5432), new URL(POSTGRES_URL).hostname);
});

/** A tillwatch instance tracing at `sampleRatio` to a fresh OTLP receiver, a stand-in provider, a log sink. */
async function setUp(t: TestContext, sampleRatio: number): Promise<{ otlp: OtlpReceiver; provider: PaymentProvider; sink: LogSink; tw: Tillwatch }> {
  const otlp = await otlpReceiver();
  t.after(() => otlp.close());
  const provider = await paymentProvider();
  t.after(() => provider.close());
  const sink = logSink();
  const tw = createTillwatch({
    service: { name: 'pos-api', version: '2.3.4', environment: 'staging' },
    log: { destination: sink },
    lifecycle: { handleSignals: false, handleCrashes: false, exit: false },
    trace: { endpoint: otlp.endpoint, sampleRatio },
  });
  t.after(() => tw.close());
  return { otlp, provider, sink, tw };
}

function accessLine(sink: LogSink, route: string): Record<string, unknown> {
  const line = sink.lines.find((l) => l.msg === 'request completed' && l.route === route);
  assert.ok(line, `an access-log line for ${route}`);
  return line;
}

test('the tracing hooks patch neither node:http nor Fastify: requests are traced at the adapter, outgoing calls from diagnostics channels', () => {
  for (const [name, fn] of [
    ['http.request', http.request],
    ['http.get', http.get],
    ['http.Server.prototype.emit', http.Server.prototype.emit],
  ] as const) {
    assert.equal((fn as unknown as { __wrapped?: boolean }).__wrapped, undefined, `${name} is not wrapped`);
  }
  assert.equal(hasSubscribers('fastify.initialization'), false, 'no plugin is injected into every Fastify instance');
});

test('an unsampled request with an incoming traceparent exports no span and forwards its trace id, flags 00, tracestate and baggage on fetch', async (t) => {
  const { otlp, provider, sink, tw } = await setUp(t, 1);
  const app = await checkoutApp({ tw, providerUrl: provider.url });
  t.after(() => app.close());
  const res = await untracedFetch(`${app.base}/stores/5/quote`, {
    headers: { traceparent: `00-${TRACE_ID}-${PARENT_ID}-00`, tracestate: 'pos=t3', baggage: 'pos.terminal=T-3' },
  });
  assert.equal(res.status, 200);
  await res.arrayBuffer();
  const sent = provider.calls.at(-1);
  const line = accessLine(sink, '/stores/:storeId/quote');
  assert.equal(line.trace_id, TRACE_ID, 'the log line names the caller\'s trace');
  assert.match(String(line.span_id), /^[0-9a-f]{16}$/);
  assert.notEqual(line.span_id, PARENT_ID);
  // Downstream sees the same trace, not sampled, with this request as the parent.
  assert.equal(sent?.traceparent, `00-${TRACE_ID}-${String(line.span_id)}-00`);
  assert.equal(sent?.tracestate, 'pos=t3');
  assert.match(String(sent?.baggage), /pos\.terminal=T-3/);
  await tw.tracing?.forceFlush(5000);
  assert.equal(otlp.spans.length, 0, 'nothing was recorded');
  assert.equal(otlp.requests, 0, 'nothing was exported');
});

test('a trace that starts here and is not sampled (ratio 0) still reaches downstream with the log line\'s trace id; its database queries make no span', async (t) => {
  if (!requireReal(t, 'Postgres', pgAvailable, `nothing listens at ${POSTGRES_URL}`)) return;
  const { otlp, provider, sink, tw } = await setUp(t, 0);
  const { Pool } = createRequire(import.meta.url)('pg') as typeof pgModule;
  const { pool, orderId } = await ordersPool(t, Pool, POSTGRES_URL, 'edge');
  const app = await checkoutApp({ tw, pool, providerUrl: provider.url });
  t.after(() => app.close());
  const res = await untracedFetch(`${app.base}/stores/7/checkout`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ orderId, totalCents: 500 }),
  });
  assert.equal(res.status, 201);
  const line = accessLine(sink, '/stores/:storeId/checkout');
  assert.match(String(line.trace_id), /^[0-9a-f]{32}$/);
  const sent = provider.calls.at(-1);
  assert.equal(sent?.traceparent, `00-${String(line.trace_id)}-${String(line.span_id)}-00`);
  assert.equal(sent?.baggage, undefined, 'no baggage invented');
  // The handler's own lines carry the same ids.
  const created = sink.lines.find((l) => l.msg === 'order created');
  assert.equal(created?.trace_id, line.trace_id);
  await tw.tracing?.forceFlush(5000);
  assert.equal(otlp.spans.length, 0, 'neither the request nor its queries nor its provider call made a span');
});

test('node:http client calls: a sampled request gets a client span named in traceparent, an unsampled one forwards flags 00 and makes none', async (t) => {
  const { otlp, provider, sink, tw } = await setUp(t, 1);
  const target = new URL(`${provider.url}/charges`);
  const server = http.createServer(
    tillwatchNodeHttp(
      tw,
      (_req, res) => {
        const out = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST' }, (r) => {
          r.resume();
          r.on('end', () => res.end('charged'));
        });
        out.end('{}');
      },
      { route: () => '/pay' },
    ),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((r) => server.close(r)));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const sampled = await untracedFetch(`${base}/pay`, { method: 'POST', headers: { traceparent: `00-${TRACE_ID}-${PARENT_ID}-01` } });
  assert.equal(await sampled.text(), 'charged');
  await tw.tracing?.forceFlush(5000);
  const spans = await otlp.waitFor((all) => all.some((s) => s.kind === CLIENT) && all.some((s) => s.kind === 2));
  const serverSpan = spans.find((s) => s.kind === 2);
  const client = spans.find((s) => s.kind === CLIENT);
  assert.equal(serverSpan?.name, 'POST /pay');
  assert.equal(serverSpan?.parentSpanId, PARENT_ID);
  assert.equal(client?.traceId, TRACE_ID);
  assert.equal(client?.parentSpanId, serverSpan?.spanId, 'the call is a child of the request span');
  assert.ok(client?.scope.includes('instrumentation-http'));
  assert.equal(client?.attributes['url.full'], `${provider.url}/charges`);
  assert.equal(client?.attributes['http.response.status_code'], 201);
  assert.equal(provider.calls.at(-1)?.traceparent, `00-${TRACE_ID}-${client?.spanId}-01`);

  const before = otlp.spans.length;
  const unsampled = await untracedFetch(`${base}/pay`, { method: 'POST', headers: { traceparent: `00-${TRACE_ID}-${PARENT_ID}-00` } });
  assert.equal(await unsampled.text(), 'charged');
  const line = sink.lines.filter((l) => l.msg === 'request completed').at(-1);
  assert.equal(provider.calls.at(-1)?.traceparent, `00-${TRACE_ID}-${String(line?.span_id)}-00`);
  await tw.tracing?.forceFlush(5000);
  assert.equal(otlp.spans.length, before, 'the unsampled request recorded nothing');
});

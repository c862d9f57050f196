/**
 * Tracing end to end with the real OpenTelemetry SDK, exporter and instrumentations, the real
 * Postgres and a real Fastify app, exporting to a local OTLP/HTTP receiver (tillwatch/testing) that
 * decodes what the exporter sends. No timing assertions: every wait is bounded and returns as soon
 * as its condition holds.
 */
import { test, before, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type pgModule from 'pg';
import { createTillwatch, type Tillwatch, type TillwatchOptions } from 'tillwatch';
import { logSink, otlpReceiver, type LogSink, type ReceivedSpan } from 'tillwatch/testing';
import { enableInstrumentations } from '../src/trace/instrumentations.ts';
import { POSTGRES_URL, REDIS_URL, requireReal, tcpReachable } from '../../tillwatch/test/helpers/real-parts.ts';
import { untracedFetch } from './fixtures/trace/untraced-fetch.ts';

// What `--import @tillwatch/otel/register` does for an application, done before Fastify (and the node:http
// it requires) loads: a module patched by a require hook must be loaded after the hook is in place.
enableInstrumentations();
const { checkoutApp, paymentProvider, ordersPool, ORDERS_TABLE } = await import('./fixtures/trace/checkout-app.ts');

const SERVER = 2;
const CLIENT = 3;

let pgAvailable = false;
let redisAvailable = false;
let pg: typeof pgModule | undefined;

before(async () => {
  pgAvailable = await tcpReachable(Number(new URL(POSTGRES_URL).port || 5432), new URL(POSTGRES_URL).hostname);
  redisAvailable = await tcpReachable(Number(new URL(REDIS_URL).port || 6379), new URL(REDIS_URL).hostname);
});

function start(t: TestContext, sink: LogSink, trace: NonNullable<TillwatchOptions['trace']>, extra: TillwatchOptions = {}): Tillwatch {
  const tw = createTillwatch({
    service: { name: 'pos-api', version: '2.3.4', environment: 'staging', location: 'store-12' },
    log: { destination: sink },
    lifecycle: { handleSignals: false, handleCrashes: false, exit: false },
    trace,
    ...extra,
  });
  t.after(() => tw.close());
  return tw;
}

/**
 * pg, loaded with require() once the instrumentations are enabled, as a CommonJS service would: the
 * require hook must see the load (an ES import of pg would need `--import @tillwatch/otel/register`).
 */
async function loadPg(): Promise<typeof pgModule> {
  pg ??= createRequire(import.meta.url)('pg') as typeof pgModule;
  return pg;
}

function ancestors(span: ReceivedSpan, spans: readonly ReceivedSpan[]): ReceivedSpan[] {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const chain: ReceivedSpan[] = [];
  let cur = byId.get(span.parentSpanId);
  while (cur) {
    chain.push(cur);
    cur = byId.get(cur.parentSpanId);
  }
  return chain;
}

test('"create order, pay" is one trace: the inbound request, the database queries and the payment-provider call, parent/child right, with the route template', async (t) => {
  if (!requireReal(t, 'Postgres', pgAvailable, `nothing listens at ${POSTGRES_URL}`)) return;
  const otlp = await otlpReceiver();
  t.after(() => otlp.close());
  const provider = await paymentProvider();
  t.after(() => provider.close());
  const sink = logSink();
  const tw = start(t, sink, { endpoint: otlp.endpoint, sampleRatio: 1 });
  const { Pool } = await loadPg();
  const { pool, orderId } = await ordersPool(t, Pool, POSTGRES_URL, 'o');
  const app = await checkoutApp({ tw, pool, providerUrl: provider.url });
  t.after(() => app.close());

  const res = await untracedFetch(`${app.base}/stores/12/checkout`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', baggage: 'pos.terminal=T-3' },
    body: JSON.stringify({ orderId, totalCents: 1299 }),
  });
  assert.equal(res.status, 201);
  const correlationId = res.headers.get('x-correlation-id');
  // Export now rather than at the batch processor's next 5 s tick (the wait below is bounded either way).
  await tw.tracing?.forceFlush(5000);

  const isServer = (s: ReceivedSpan) => s.kind === SERVER && s.attributes['http.route'] === '/stores/:storeId/checkout';
  const spans = await otlp.waitFor((all) => {
    const server = all.find(isServer);
    if (!server) return false;
    const mine = all.filter((s) => s.traceId === server.traceId);
    return mine.filter((s) => s.name.startsWith('pg.query')).length >= 2 && mine.some((s) => s.kind === CLIENT && s.scope.includes('undici'));
  });
  const server = spans.find(isServer) as ReceivedSpan;
  const traceSpans = spans.filter((s) => s.traceId === server.traceId);

  // The inbound request: the root of its trace, named and attributed with the template.
  assert.equal(server.parentSpanId, '', 'the inbound request span is the root');
  assert.equal(server.name, 'POST /stores/:storeId/checkout');
  assert.equal(server.attributes['http.response.status_code'], 201);
  assert.equal(server.attributes['tillwatch.correlation_id'], correlationId);
  assert.equal(spans.filter(isServer).length, 1, 'one inbound request span');
  // Resource: who, which release, where.
  assert.equal(server.resource['service.name'], 'pos-api');
  assert.equal(server.resource['service.version'], '2.3.4');
  assert.equal(server.resource['deployment.environment.name'], 'staging');
  assert.equal(server.resource['deployment.environment'], 'staging');
  assert.equal(server.resource['tillwatch.location'], 'store-12');

  // The database queries: the INSERT and the UPDATE, children (through the Fastify handler span) of the request.
  const queries = traceSpans.filter((s) => s.name.startsWith('pg.query'));
  const statements = queries.map((s) => String(s.attributes['db.query.text'] ?? s.attributes['db.statement']));
  assert.ok(statements.some((q) => q.startsWith(`INSERT INTO ${ORDERS_TABLE}`)), statements.join(' | '));
  assert.ok(statements.some((q) => q.startsWith(`UPDATE ${ORDERS_TABLE}`)), statements.join(' | '));
  for (const q of queries) {
    assert.equal(q.kind, CLIENT);
    assert.ok(ancestors(q, traceSpans).includes(server), `${q.name} descends from the request span`);
  }

  // The payment-provider call: a client span under the request, whose traceparent reached the provider.
  const call = traceSpans.find((s) => s.kind === CLIENT && s.scope.includes('undici')) as ReceivedSpan;
  assert.equal(call.attributes['url.full'], `${provider.url}/charges`);
  assert.ok(ancestors(call, traceSpans).includes(server), 'the provider call descends from the request span');
  const sent = provider.calls.at(-1);
  assert.equal(sent?.traceparent, `00-${server.traceId}-${call.spanId}-01`, 'W3C traceparent out, naming the client span');
  assert.match(String(sent?.baggage), /pos\.terminal=T-3/, 'W3C baggage in and out');

  // The same trace id in the request's access-log line (span id: the request span) and handler lines.
  const access = sink.lines.find((l) => l.msg === 'request completed' && l.route === '/stores/:storeId/checkout');
  assert.ok(access, 'access-log line written');
  assert.equal(access.trace_id, server.traceId);
  assert.equal(access.span_id, server.spanId);
  assert.equal(access.correlation_id, correlationId);
  for (const msg of ['order created', 'order paid']) {
    const line = sink.lines.find((l) => l.msg === msg);
    assert.equal(line?.trace_id, server.traceId, `${msg}: trace_id`);
    assert.match(String(line?.span_id), /^[0-9a-f]{16}$/, `${msg}: span_id`);
    assert.ok(traceSpans.some((s) => s.spanId === line?.span_id), `${msg}: span_id names a span of the trace`);
  }

  // ... and as an exemplar on the latency histogram, in the OpenMetrics exposition.
  const metrics = await untracedFetch(`${app.base}/metrics`, { headers: { accept: 'application/openmetrics-text; version=1.0.0' } });
  const exposition = await metrics.text();
  const bucket = exposition
    .split('\n')
    .find((l) => l.startsWith('http_request_duration_seconds_bucket{') && l.includes('route="/stores/:storeId/checkout"') && l.includes(' # {'));
  assert.ok(bucket, 'a bucket of the checkout route carries an exemplar');
  assert.match(bucket, new RegExp(`# \\{trace_id="${server.traceId}"\\} `));
});

test('span attributes pass through the shared redactor: no card number or query-string secret reaches the collector', async (t) => {
  const otlp = await otlpReceiver();
  t.after(() => otlp.close());
  const provider = await paymentProvider();
  t.after(() => provider.close());
  const tw = start(t, logSink(), { endpoint: otlp.endpoint });
  const app = await checkoutApp({ tw, providerUrl: provider.url });
  t.after(() => app.close());
  const res = await untracedFetch(`${app.base}/stores/12/fail?card=4111111111111111&access_token=tok_live_0123456789&cvv=737`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk_live_0123456789abcdef' },
    body: JSON.stringify({ cardNumber: '5555555555554444', cvv: '737' }),
  });
  assert.equal(res.status, 500);
  await tw.tracing?.forceFlush(5000);
  await otlp.waitFor((s) => s.some((x) => x.kind === SERVER && x.attributes['http.route'] === '/stores/:storeId/fail') && s.some((x) => x.kind === CLIENT && String(x.attributes['url.full']).includes('/charges?')));
  const text = otlp.bodies.join('\n');
  for (const secret of ['4111111111111111', '5555555555554444', 'tok_live_0123456789', 'sk_live_0123456789abcdef']) {
    assert.ok(!text.includes(secret), `${secret} reached the collector`);
  }
  assert.doesNotMatch(text, /cvv=737/);
  const server = otlp.spans.find((x) => x.kind === SERVER && x.attributes['http.route'] === '/stores/:storeId/fail') as ReceivedSpan;
  assert.match(String(server.attributes['url.query']), /card=411111\*+1111/, 'the card number is masked, the rest of the query kept');
  // The exception event carries the thrown message, scrubbed.
  const withException = otlp.spans.find((s) => s.events.some((e) => e.name === 'exception'));
  if (withException) assert.ok(!JSON.stringify(withException.events).includes('5555555555554444'));
});

test('an incoming traceparent continues the caller\'s trace, and its sampled flag decides even at sampleRatio 0', async (t) => {
  const otlp = await otlpReceiver();
  t.after(() => otlp.close());
  const provider = await paymentProvider();
  t.after(() => provider.close());
  const sink = logSink();
  const tw = start(t, sink, { endpoint: otlp.endpoint, sampleRatio: 0 });
  const app = await checkoutApp({ tw, providerUrl: provider.url });
  t.after(() => app.close());
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const r1 = await untracedFetch(`${app.base}/stores/1/fail`, { method: 'POST', headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-00f067aa0ba902b7-01` }, body: '{}' });
  assert.equal(r1.status, 500);
  // Not sampled: no span is exported, but the log line still names the trace (the caller has it).
  const r2 = await untracedFetch(`${app.base}/stores/2/fail`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  assert.equal(r2.status, 500);
  await tw.tracing?.forceFlush(5000);
  const spans = await otlp.waitFor((s) => s.some((x) => x.kind === SERVER));
  await tw.tracing?.forceFlush(5000);
  const server = spans.find((x) => x.kind === SERVER) as ReceivedSpan;
  assert.equal(server.traceId, traceId);
  assert.equal(server.parentSpanId, '00f067aa0ba902b7');
  assert.ok(otlp.spans.every((s) => s.traceId === traceId), 'the unsampled request exported nothing');
  const lines = sink.lines.filter((l) => l.msg === 'request completed');
  assert.equal(lines.length, 2);
  assert.equal(lines[0]?.trace_id, traceId);
  assert.match(String(lines[1]?.trace_id), /^[0-9a-f]{32}$/);
  assert.notEqual(lines[1]?.trace_id, traceId);
});

for (const mode of ['blackhole', 'fail'] as const) {
  test(`an OTLP endpoint that is ${mode === 'blackhole' ? 'black-holed (accepts, never answers)' : 'failing (503)'} changes no response; the queue stays bounded and drops are counted`, async (t) => {
    const otlp = await otlpReceiver({ mode });
    t.after(() => otlp.close());
    const provider = await paymentProvider();
    t.after(() => provider.close());
    const tw = start(t, logSink(), { endpoint: otlp.endpoint, exportTimeoutMs: 300, maxQueueSize: 8 });
    const app = await checkoutApp({ tw, providerUrl: provider.url });
    t.after(() => app.close());
    // 40 concurrent requests of ~6 spans each against a queue of 8 that no export can drain.
    const statuses = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const res = await untracedFetch(`${app.base}/stores/${i}/quote`);
        await res.arrayBuffer();
        return res.status;
      }),
    );
    // The same answers as without tracing: every request succeeds.
    assert.deepEqual(new Set(statuses), new Set([200]));
    const counter = async (re: RegExp): Promise<number> => {
      const { body } = await tw.metrics.render(undefined);
      return Number(re.exec(body)?.[1] ?? 0);
    };
    const queueFull = /^tillwatch_trace_spans_dropped_total\{reason="queue_full"\} (\d+)/m;
    const exportFailed = /^tillwatch_trace_spans_dropped_total\{reason="export_failed"\} (\d+)/m;
    const sinkErrors = /^tillwatch_sink_errors_total\{sink="otlp"\} (\d+)/m;
    // A black hole never frees the queue, so most of these spans cannot be queued. (A failing endpoint
    // frees it within exportTimeoutMs; test/trace-processors.test.ts proves the bound deterministically.)
    if (mode === 'blackhole') assert.ok((await counter(queueFull)) > 0, 'queue_full drops counted: the queue is bounded');
    // Export failures (timeouts for the black hole, 503s for the failing one) are counted within a bounded wait.
    for (let i = 0; i < 200 && (await counter(exportFailed)) === 0; i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok((await counter(exportFailed)) > 0, 'export_failed drops counted');
    assert.ok((await counter(sinkErrors)) > 0, 'tillwatch_sink_errors_total{sink="otlp"} counted');
    assert.ok(otlp.requests > 0, 'the exporter did try');
  });
}

test('Express and ioredis: the server span carries the Express route template and the Redis command is its descendant', async (t) => {
  if (!requireReal(t, 'Redis', redisAvailable, `nothing listens at ${REDIS_URL}`)) return;
  const otlp = await otlpReceiver();
  t.after(() => otlp.close());
  const tw = start(t, logSink(), { endpoint: otlp.endpoint });
  const { default: express } = await import('express');
  const { tillwatchExpress, tillwatchExpressErrors } = await import('tillwatch/express');
  // require(), as a CommonJS service would: an ES `import` of ioredis would need `--import @tillwatch/otel/register`.
  const { Redis } = createRequire(import.meta.url)('ioredis') as typeof import('ioredis');
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  t.after(() => redis.quit());
  await redis.connect();
  const app = express();
  app.use(tillwatchExpress(tw));
  app.get('/carts/:cartId', async (req, res) => {
    const items = await redis.get(`tw-trace-test:cart:${req.params.cartId}`);
    res.json({ items: items ?? '0' });
  });
  app.use(tillwatchExpressErrors(tw));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  t.after(() => new Promise((r) => server.close(r)));
  const { port } = server.address() as import('node:net').AddressInfo;
  const res = await untracedFetch(`http://127.0.0.1:${port}/carts/c-77`);
  assert.equal(res.status, 200);
  await tw.tracing?.forceFlush(5000);
  const spans = await otlp.waitFor((all) => all.some((s) => s.kind === SERVER && s.attributes['http.route'] === '/carts/:cartId') && all.some((s) => s.scope.includes('ioredis')));
  const serverSpan = spans.find((s) => s.kind === SERVER) as ReceivedSpan;
  assert.equal(serverSpan.name, 'GET /carts/:cartId');
  const get = spans.find((s) => s.scope.includes('ioredis')) as ReceivedSpan;
  assert.equal(get.name, 'get');
  assert.ok(ancestors(get, spans).includes(serverSpan), 'the Redis command descends from the request span');
});

test('close() flushes the spans still queued (the shutdown hook does the same within its budget)', async (t) => {
  const otlp = await otlpReceiver();
  t.after(() => otlp.close());
  const provider = await paymentProvider();
  const tw = createTillwatch({
    service: { name: 'pos-api' },
    log: { destination: logSink() },
    lifecycle: { handleSignals: false, handleCrashes: false, exit: false },
    trace: { endpoint: otlp.endpoint },
  });
  const app = await checkoutApp({ tw, providerUrl: provider.url });
  const res = await untracedFetch(`${app.base}/stores/9/fail`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  assert.equal(res.status, 500);
  await app.close();
  await provider.close();
  // The batch processor waits 5 s before a scheduled export; close() must not.
  assert.equal(otlp.spans.length, 0, 'nothing exported yet');
  await tw.close();
  assert.ok(otlp.spans.some((s) => s.kind === SERVER && s.attributes['http.route'] === '/stores/:storeId/fail'), 'queued spans were flushed by close()');
});

test('graceful shutdown flushes queued spans in the tillwatch.traces-and-reports hook, after the app\'s own hooks', async (t) => {
  const otlp = await otlpReceiver();
  t.after(() => otlp.close());
  const provider = await paymentProvider();
  t.after(() => provider.close());
  const sink = logSink();
  const tw = start(t, sink, { endpoint: otlp.endpoint });
  const app = await checkoutApp({ tw, providerUrl: provider.url });
  let spansWhenAppHookRan = -1;
  tw.onShutdown('app.db', () => {
    spansWhenAppHookRan = otlp.spans.length;
  });
  const res = await untracedFetch(`${app.base}/stores/4/quote`);
  assert.equal(res.status, 200);
  await app.close();
  assert.equal(await tw.lifecycle.shutdown('test'), 0);
  assert.equal(spansWhenAppHookRan, 0, 'the app hook ran first, before the flush');
  assert.ok(otlp.spans.some((s) => s.kind === SERVER && s.attributes['http.route'] === '/stores/:storeId/quote'), 'queued spans were exported during shutdown');
});

test('ESM: a child started with `node --import @tillwatch/otel/register app.ts` traces its statically imported pg and node:http', async (t) => {
  if (!requireReal(t, 'Postgres', pgAvailable, `nothing listens at ${POSTGRES_URL}`)) return;
  const otlp = await otlpReceiver();
  t.after(() => otlp.close());
  const app = fileURLToPath(new URL('./fixtures/trace/esm-app.ts', import.meta.url));
  const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', '@tillwatch/otel/register', app], {
      env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint, TILLWATCH_TEST_DATABASE_URL: POSTGRES_URL },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child did not exit within 60 s: ${out}`));
    }, 60_000);
    child.on('exit', (c) => {
      clearTimeout(timer);
      resolve({ code: c, stdout: out });
    });
  });
  assert.equal(code, 0);
  assert.deepEqual(JSON.parse(stdout.trim()), { body: '1' });
  // The child's close() flushed before it exited: the spans are here already.
  const server = otlp.spans.find((s) => s.kind === SERVER);
  assert.ok(server, `an http server span; got ${otlp.spans.map((s) => s.name).join(', ')}`);
  assert.equal(server.name, 'GET /one');
  assert.equal(server.attributes['http.route'], '/one');
  assert.equal(server.resource['service.name'], 'esm-app');
  const query = otlp.spans.find((s) => s.name.startsWith('pg.query'));
  assert.ok(query, 'a pg query span from the statically imported pg');
  assert.ok(ancestors(query, otlp.spans).includes(server));
  assert.ok(otlp.spans.some((s) => s.kind === CLIENT && s.scope.includes('instrumentation-http')), 'the outgoing node:http call');
});

after(() => undefined);

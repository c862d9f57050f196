/**
 * Error reports end to end with the real @sentry/node client, against a local Sentry envelope
 * receiver (tillwatch/testing) that decodes what the client sends. Sentry shares tillwatch's tracer
 * provider, so reports carry the trace ids the OTLP receiver sees. Every wait is bounded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createTillwatch, type Tillwatch, type TillwatchOptions } from 'tillwatch';
import { logSink, otlpReceiver, sentryReceiver, type SentryEvent } from 'tillwatch/testing';
import { enableInstrumentations } from '../src/trace/instrumentations.ts';
import { untracedFetch } from './fixtures/trace/untraced-fetch.ts';

// As `--import @tillwatch/otel/register` would: the HTTP instrumentation must be in place before Fastify loads.
enableInstrumentations();
const { checkoutApp, paymentProvider } = await import('./fixtures/trace/checkout-app.ts');


function start(t: { after: (fn: () => unknown) => void }, options: TillwatchOptions): Tillwatch {
  const tw = createTillwatch({
    service: { name: 'pos-api', version: '2.3.4', environment: 'staging', location: 'store-12' },
    log: { destination: logSink() },
    lifecycle: { handleSignals: false, handleCrashes: false, exit: false },
    ...options,
  });
  t.after(() => tw.close());
  return tw;
}

const JSON_HEADERS = { 'content-type': 'application/json' };

test('a handler error is reported once, tagged with correlation_id, trace_id, location and terminal, with the user id only, on the trace the OTLP receiver got', async (t) => {
  const sentry = await sentryReceiver();
  t.after(() => sentry.close());
  const otlp = await otlpReceiver();
  t.after(() => otlp.close());
  const provider = await paymentProvider();
  t.after(() => provider.close());
  const tw = start(t, { sentry: { dsn: sentry.dsn, release: 'pos-api@2.3.4' }, trace: { endpoint: otlp.endpoint } });
  const app = await checkoutApp({ tw, providerUrl: provider.url });
  t.after(() => app.close());

  const res = await untracedFetch(`${app.base}/stores/12/fail`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ note: 'no paper' }) });
  assert.equal(res.status, 500);
  const correlationId = res.headers.get('x-correlation-id');
  await sentry.waitFor((r) => r.events.length >= 1);
  await tw.tracing?.forceFlush(5000);
  const server = (await otlp.waitFor((s) => s.some((x) => x.kind === 2 && x.attributes['http.route'] === '/stores/:storeId/fail'))).find((x) => x.kind === 2);
  // Bounded settle: anything else queued would have been sent by now.
  await tw.sentry?.flush(2000);

  assert.equal(sentry.events.length, 1, 'exactly one event');
  const event = sentry.events[0] as SentryEvent;
  assert.equal(event.level, 'error');
  assert.equal(event.release, 'pos-api@2.3.4');
  assert.equal(event.environment, 'staging');
  assert.equal(event.exception?.values?.[0]?.value, 'payment declined for  cvv= no paper');
  assert.equal(event.tags?.correlation_id, correlationId);
  assert.equal(event.tags?.trace_id, server?.traceId, 'trace_id tag: the trace the collector received');
  assert.equal(event.contexts?.trace?.trace_id, server?.traceId, 'Sentry sees the same active trace (shared provider)');
  assert.equal(event.tags?.location, 'store-12');
  assert.equal(event.tags?.terminal, 'T-7');
  assert.equal(event.tags?.route, '/stores/:storeId/fail');
  assert.deepEqual(event.user, { id: 'cashier-42' }, 'user id only');
  assert.ok(!sentry.text().includes('jo@example.com'), 'no PII');
  // Transactions stay off unless sentry.sendTransactions: only the OTLP collector gets spans.
  assert.equal(sentry.transactions.length, 0);
});

test('with sentry.sendTransactions, sampled traces also reach Sentry as transactions, scrubbed like events', async (t) => {
  const sentry = await sentryReceiver();
  t.after(() => sentry.close());
  const otlp = await otlpReceiver();
  t.after(() => otlp.close());
  const provider = await paymentProvider();
  t.after(() => provider.close());
  const tw = start(t, { sentry: { dsn: sentry.dsn, sendTransactions: true }, trace: { endpoint: otlp.endpoint } });
  const app = await checkoutApp({ tw, providerUrl: provider.url });
  t.after(() => app.close());
  const res = await untracedFetch(`${app.base}/stores/5/quote?card=4111111111111111&cvv=737`, { headers: { authorization: 'Bearer sk_live_zzzz9999' } });
  assert.equal(res.status, 200);
  await sentry.waitFor((r) => r.transactions.length >= 1);
  const tx = sentry.transactions[0] as SentryEvent;
  await tw.tracing?.forceFlush(5000);
  const server = (await otlp.waitFor((s) => s.some((x) => x.kind === 2))).find((x) => x.kind === 2);
  assert.equal(tx.contexts?.trace?.trace_id, server?.traceId, 'one trace, two back ends');
  const text = sentry.text();
  assert.ok(!text.includes('4111111111111111'));
  assert.ok(!text.includes('sk_live_zzzz9999'));
  assert.doesNotMatch(text, /cvv=737/);
});

/** Luhn-valid test PANs in several spellings, and a CVV, token and cookie unique to each variant. */
const VARIANTS = [
  { card: '4111111111111111', cvv: '7391', token: 'sk_live_aaaa1111bbbb2222', cookie: 'sess_c0ffee0001' },
  { card: '5555 5555 5555 4444', cvv: '8462', token: 'sk_live_cccc3333dddd4444', cookie: 'sess_c0ffee0002' },
  { card: '3782-822463-10005', cvv: '9573', token: 'sk_live_eeee5555ffff6666', cookie: 'sess_c0ffee0003' },
  { card: '6011111111111117', cvv: '1684', token: 'sk_live_gggg7777hhhh8888', cookie: 'sess_c0ffee0004' },
  { card: '4012 8888 8888 1881', cvv: '2795', token: 'sk_live_iiii9999jjjj0000', cookie: 'sess_c0ffee0005' },
];

test('no card number, CVV, Authorization header, cookie or secret reaches Sentry, fuzzed over body, query, headers, error message and breadcrumbs', async (t) => {
  const sentry = await sentryReceiver();
  t.after(() => sentry.close());
  const provider = await paymentProvider();
  t.after(() => provider.close());
  const tw = start(t, { sentry: { dsn: sentry.dsn } });
  const app = await checkoutApp({ tw, providerUrl: provider.url });
  t.after(() => app.close());

  let sent = 0;
  for (const v of VARIANTS) {
    const digits = v.card.replace(/\D/g, '');
    // Each placement on its own request, then all at once: a scrubber must not rely on a neighbour.
    const placements: { name: string; query?: string; headers?: Record<string, string>; body?: Record<string, unknown> }[] = [
      { name: 'body', body: { cardNumber: v.card, cvv: v.cvv, password: v.token } },
      { name: 'query', query: `card=${encodeURIComponent(v.card)}&cvv=${v.cvv}&api_key=${v.token}` },
      { name: 'headers', headers: { authorization: `Bearer ${v.token}`, cookie: `session=${v.cookie}`, 'x-api-key': v.token } },
      { name: 'message', body: { note: `customer card ${v.card} cvv=${v.cvv} token=${v.token}` } },
      { name: 'breadcrumb', headers: { 'x-crumb': `swiped ${v.card} cvv=${v.cvv} Bearer ${v.token}`, authorization: `Bearer ${v.token}` }, body: { cvv: v.cvv } },
      {
        name: 'all',
        query: `pan=${digits}&cvv=${v.cvv}&access_token=${v.token}`,
        headers: { authorization: `Basic ${Buffer.from(`u:${v.token}`).toString('base64')}`, cookie: `sid=${v.cookie}; theme=dark`, 'x-crumb': `card ${digits}` },
        body: { cardNumber: digits, cvv: v.cvv, note: `pan ${v.card} cvc=${v.cvv}`, nested: { payment: { card_number: v.card, security_code: v.cvv } } },
      },
    ];
    for (const p of placements) {
      const url = `${app.base}/stores/7/fail${p.query ? `?${p.query}` : ''}`;
      const res = await untracedFetch(url, { method: 'POST', headers: { ...JSON_HEADERS, ...p.headers }, body: JSON.stringify(p.body ?? {}) });
      assert.equal(res.status, 500, p.name);
      sent++;
    }
  }
  await sentry.waitFor((r) => r.events.length >= sent, 20_000);
  await tw.sentry?.flush(2000);
  assert.equal(sentry.events.length, sent, 'exactly one event per handler error');

  const text = sentry.text();
  for (const v of VARIANTS) {
    const digits = v.card.replace(/\D/g, '');
    assert.ok(!text.includes(v.card), `card number ${v.card} appears in an envelope`);
    assert.ok(!text.includes(digits), `card number ${digits} appears in an envelope`);
    assert.ok(!text.includes(v.token), `token ${v.token} appears in an envelope`);
    assert.ok(!text.includes(Buffer.from(`u:${v.token}`).toString('base64')), 'Basic credentials appear in an envelope');
    assert.ok(!text.includes(v.cookie), `cookie ${v.cookie} appears in an envelope`);
    assert.doesNotMatch(text, new RegExp(`(cvv|cvc|security_code)[^A-Za-z0-9]{0,8}${v.cvv}`, 'i'), `CVV ${v.cvv} appears next to its key`);
  }
  for (const event of sentry.events) {
    const headers = (event.request?.headers ?? {}) as Record<string, unknown>;
    for (const h of ['authorization', 'cookie', 'x-api-key']) assert.ok(!(h in headers), `${h} header kept`);
    assert.ok(!('cookies' in (event.request ?? {})), 'cookies kept');
  }
  // The breadcrumbs were there, scrubbed, not dropped: the app's own and the provider call's.
  const crumbs = sentry.events.flatMap((e) => (Array.isArray(e.breadcrumbs) ? e.breadcrumbs : (e.breadcrumbs?.values ?? [])));
  assert.ok(crumbs.some((c) => c.category === 'pos'), 'app breadcrumbs kept');
  assert.ok(crumbs.some((c) => c.category === 'http'), 'HTTP breadcrumbs kept');
});

test('an uncaught exception in a child process is reported once, as fatal, tagged with correlation_id and trace_id, scrubbed, before the process exits 1', async (t) => {
  const sentry = await sentryReceiver();
  t.after(() => sentry.close());
  const fixture = fileURLToPath(new URL('./fixtures/report/crash-server.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', '@tillwatch/otel/register', fixture], {
    env: { ...process.env, SENTRY_DSN: sentry.dsn },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  t.after(() => clearTimeout(killer));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('{"port"'));
      if (line) resolve((JSON.parse(line) as { port: number }).port);
    });
    void exited.then(() => reject(new Error(`child exited before listening: ${out}`)));
  });
  const traceId = 'a3ce929d0e0e47364bf92f3577b34da6';
  const res = await untracedFetch(`http://127.0.0.1:${port}/sale`, { headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
  assert.equal(await res.text(), 'ok');
  const correlationId = res.headers.get('x-correlation-id');
  assert.equal(await exited, 1, 'the crash exits 1');
  // The child waited for the upload before exiting: the event is here already.
  assert.equal(sentry.events.length, 1, 'exactly one event');
  const event = sentry.events[0] as SentryEvent;
  assert.equal(event.level, 'fatal');
  assert.equal(event.tags?.correlation_id, correlationId);
  assert.equal(event.tags?.trace_id, traceId);
  assert.equal(event.tags?.location, 'store-3');
  assert.equal(event.tags?.terminal, 'T-1');
  assert.equal(event.tags?.crash, 'uncaughtException');
  assert.deepEqual(event.user, { id: 'cashier-7' });
  assert.match(String(event.exception?.values?.[0]?.value), /till drawer jammed reading card 411111\*+1111 cvv=\[REDACTED\]/);
  assert.ok(!sentry.text().includes('4111111111111111'));
});

for (const mode of ['blackhole', 'down'] as const) {
  test(`a Sentry endpoint that is ${mode === 'blackhole' ? 'black-holed (accepts, never answers)' : 'down (connection refused)'} changes no response; uploads are bounded and drops counted`, async (t) => {
    const sentry = await sentryReceiver({ mode: mode === 'blackhole' ? 'blackhole' : 'ok' });
    const dsn = sentry.dsn;
    if (mode === 'down') await sentry.close();
    else t.after(() => sentry.close());
    const provider = await paymentProvider();
    t.after(() => provider.close());
    const tw = start(t, { sentry: { dsn, sendTimeoutMs: 200, flushTimeoutMs: 500 } });
    const app = await checkoutApp({ tw, providerUrl: provider.url });
    t.after(() => app.close());
    // More concurrent errors than Sentry's buffer (64) holds, between successful requests.
    const statuses = await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        const res = i % 4 === 0 ? await untracedFetch(`${app.base}/stores/1/quote`) : await untracedFetch(`${app.base}/stores/1/fail`, { method: 'POST', headers: JSON_HEADERS, body: '{}' });
        await res.arrayBuffer();
        return res.status;
      }),
    );
    // The same answers as without Sentry: 25 successes, 75 handler errors.
    assert.equal(statuses.filter((s) => s === 200).length, 25);
    assert.equal(statuses.filter((s) => s === 500).length, 75);
    const sinkErrors = async (): Promise<number> => {
      const { body } = await tw.metrics.render(undefined);
      return Number(/^tillwatch_sink_errors_total\{sink="sentry"\} (\d+)/m.exec(body)?.[1] ?? 0);
    };
    for (let i = 0; i < 200 && (await sinkErrors()) < 75; i++) await new Promise((r) => setTimeout(r, 25));
    // Every one of the 75 reports is accounted for: dropped at the full buffer or failed/timed out.
    assert.ok((await sinkErrors()) >= 75, `every lost report counted (got ${await sinkErrors()})`);
    // Shutdown's flush is bounded by flushTimeoutMs, whatever the endpoint does.
    assert.equal(await tw.sentry?.close(2000), true);
  });
}

/**
 * tillwatch/synthetic: a journey declared in the spec, walked against a real HTTP server on 127.0.0.1 (port 0).
 * State flows between steps, a run stops at the first failing step and blames it in the blackbox vocabulary,
 * a step past its own timeout fails as timed out (even when it ignores its signal), and configuration errors
 * name the option. No timing assertions: the slow step is held until its timeout fires, not measured.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test, type TestContext } from 'node:test';
import { defineJourney, isTillwatchConfigError } from '@tillwatch/spec';
import { createTillwatch, type Tillwatch } from '../src/index.ts';
import { createJourneyRunner, JourneyStepError, type JourneyRequestRecord, type JourneyStep } from '../src/synthetic/index.ts';
import { logSink, type LogSink } from '../src/testing/log-sink.ts';

const journey = defineJourney({
  name: 'checkout',
  description: 'Log in, order, pay.',
  intervalSeconds: 30,
  timeoutSeconds: 10,
  steps: [
    { name: 'login', description: 'POST /login' },
    { name: 'order', description: 'POST /orders' },
    { name: 'pay', description: 'POST /orders/:id/pay', timeoutSeconds: 0.3 },
  ],
});

interface Service {
  readonly url: string;
  /** How POST /orders/:id/pay answers: a status, or `hang` (never answers). */
  pay: number | 'hang';
  readonly seen: string[];
}

async function service(t: TestContext): Promise<Service> {
  const s: Service = { url: '', pay: 200, seen: [] };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      s.seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? '-'} ${req.headers['x-synthetic-journey'] ?? '-'}`);
      const json = (status: number, v: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(v));
      if (req.url === '/login') return JSON.parse(body).password === 'pw' ? json(200, { token: 'tok-1' }) : json(401, { error: { code: 'BAD_LOGIN' } });
      if (req.url === '/orders') return req.headers.authorization === 'Bearer tok-1' ? json(201, { id: 'o/1' }) : json(401, {});
      if (req.url === '/orders/o%2F1/pay') {
        if (s.pay === 'hang') return; // the client's timeout ends it
        return json(s.pay, s.pay === 200 ? { ok: true } : { code: 'PROVIDER_DOWN' });
      }
      json(404, {});
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  t.after(() => server.closeAllConnections());
  (s as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return s;
}

function instance(t: TestContext): { tw: Tillwatch; sink: LogSink } {
  const sink = logSink();
  const tw = createTillwatch({ service: { name: 'prober' }, log: { destination: sink }, lifecycle: { handleSignals: false, handleCrashes: false, exit: false } });
  t.after(() => tw.metrics.close());
  return { tw, sink };
}

const steps = (password = 'pw'): Record<string, JourneyStep> => ({
  login: { method: 'POST', route: '/login', body: () => ({ password }), expect: 200, then: (b, s) => (s.token = b.token) },
  order: async (ctx) => {
    const r = await ctx.http('POST', '/orders', { bearer: String(ctx.state.token), body: {}, expect: 201 });
    ctx.state.id = r.body.id;
  },
  pay: { method: 'POST', route: '/orders/:id/pay', params: (s) => ({ id: String(s.id) }), bearer: (s) => String(s.token), expect: 200 },
});

async function sample(tw: Tillwatch, series: string): Promise<number | undefined> {
  const line = (await tw.metrics.render(undefined)).body.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

test('a run walks the steps in order, hands state between them, and records probe_success and the step durations', async (t) => {
  const svc = await service(t);
  const { tw } = instance(t);
  const calls: JourneyRequestRecord[] = [];
  const runner = createJourneyRunner({ tw, journey, baseUrl: `${svc.url}/`, steps: steps(), onRequest: (r) => calls.push(r) });
  const r = await runner.runOnce();
  assert.equal(r.success, true, JSON.stringify(r));
  assert.deepEqual(r.steps.map((s) => [s.name, s.success]), [['login', true], ['order', true], ['pay', true]]);
  assert.deepEqual(svc.seen, ['POST /login - checkout', 'POST /orders Bearer tok-1 checkout', 'POST /orders/o%2F1/pay Bearer tok-1 checkout']);
  assert.deepEqual(calls.map((c) => [c.step, c.method, c.route, c.status]), [['login', 'POST', '/login', 200], ['order', 'POST', '/orders', 201], ['pay', 'POST', '/orders/:id/pay', 200]]);
  assert.equal(await sample(tw, 'probe_success{journey="checkout"}'), 1);
  assert.equal(await sample(tw, 'probe_runs_total{journey="checkout"}'), 1);
  for (const step of ['login', 'order', 'pay']) assert.ok((await sample(tw, `probe_step_duration_seconds{journey="checkout",step="${step}"}`))! >= 0);
  assert.ok((await sample(tw, 'probe_duration_seconds{journey="checkout"}'))! >= r.steps.reduce((a, s) => a + s.durationSeconds, 0) * 0.999);
  assert.deepEqual(runner.last(), r);
});

test('a failing step ends the run: probe_success 0, the failure counted on that step only, the status and code as the error', async (t) => {
  const svc = await service(t);
  const { tw, sink } = instance(t);
  const runner = createJourneyRunner({ tw, journey, baseUrl: svc.url, steps: steps() });
  svc.pay = 503;
  const r = await runner.runOnce();
  assert.deepEqual([r.success, r.failedStep, r.error], [false, 'pay', 'HTTP 503 PROVIDER_DOWN']);
  assert.equal(await sample(tw, 'probe_success{journey="checkout"}'), 0);
  assert.equal(await sample(tw, 'probe_step_failures_total{journey="checkout",step="pay"}'), 1);
  assert.equal(await sample(tw, 'probe_step_failures_total{journey="checkout",step="login"}') ?? 0, 0);
  assert.equal(sink.find('synthetic journey failed').length, 1);

  const early = createJourneyRunner({ journey, baseUrl: svc.url, steps: steps('wrong') });
  const e = await early.runOnce();
  assert.deepEqual([e.failedStep, e.error, e.steps.length], ['login', 'HTTP 401 BAD_LOGIN', 1], 'no later step runs');

  svc.pay = 200;
  assert.equal((await runner.runOnce()).success, true);
  assert.equal(await sample(tw, 'probe_success{journey="checkout"}'), 1);
  assert.equal(await sample(tw, 'probe_runs_total{journey="checkout"}'), 2);
});

test('a step past its own timeout fails as timed out, whether it is an HTTP call or a function that ignores its signal', async (t) => {
  const svc = await service(t);
  svc.pay = 'hang';
  const runner = createJourneyRunner({ journey, baseUrl: svc.url, steps: steps() });
  const r = await runner.runOnce();
  assert.deepEqual([r.failedStep, r.error], ['pay', 'timed out after 0.3 s']);

  let release: () => void = () => {};
  t.after(() => release());
  const stubborn = createJourneyRunner({ journey, baseUrl: svc.url, steps: { ...steps(), pay: () => new Promise<void>((resolve) => (release = resolve)) } });
  const s = await stubborn.runOnce();
  assert.deepEqual([s.failedStep, s.error], ['pay', 'timed out after 0.3 s']);

  const thrower = createJourneyRunner({ journey, baseUrl: svc.url, steps: { ...steps(), pay: async () => { throw new JourneyStepError('receipt not printed'); } } });
  assert.equal((await thrower.runOnce()).error, 'receipt not printed');
});

test('a session walks a journey one step at a time, for benches that run many in lock-step', async (t) => {
  const svc = await service(t);
  const runner = createJourneyRunner({ journey, baseUrl: svc.url, steps: steps() });
  const s = runner.session();
  assert.equal((await s.next())?.name, 'login');
  assert.equal(s.state.token, 'tok-1');
  assert.equal((await s.next())?.name, 'order');
  assert.equal((await s.next())?.success, true);
  assert.equal(await s.next(), undefined);
});

test('configuration errors name each option, what was expected and what was given', () => {
  assert.throws(
    () => createJourneyRunner({ journey: { ...journey, timeoutSeconds: 0 }, baseUrl: 'ftp://x', steps: { login: steps().login!, refund: steps().pay! } }),
    (err: unknown) => {
      assert.ok(isTillwatchConfigError(err));
      assert.deepEqual(err.issues.map((i) => i.option).sort(), ['synthetic.baseUrl', 'synthetic.journey.timeoutSeconds', 'synthetic.steps.order', 'synthetic.steps.pay', 'synthetic.steps.refund'].sort());
      assert.match(err.message, /synthetic\.baseUrl: expected an http\(s\) URL, got "ftp:\/\/x"/);
      return true;
    },
  );
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { resolveOptions, type ResolvedTillwatchOptions } from '../src/config/options.ts';
import { isTillwatchError } from '@tillwatch/spec';
import { Health } from '../src/health/health.ts';
import type { CheckResult, HealthCheck } from '../src/health/health-check.ts';
import { customCheck } from '../src/health/checks/custom-check.ts';
import { logSink } from '../src/testing/log-sink.ts';
import type { TestContext } from 'node:test';

function makeHealth(t: TestContext, overrides: Partial<ResolvedTillwatchOptions['health']> = {}, scrub?: (s: string) => string) {
  const sink = logSink();
  const options = { ...resolveOptions(undefined, {}).options.health, ...overrides };
  const health = new Health({ options, logger: pino({ level: 'debug' }, sink), service: { name: 'till-api', version: '1.2.3' }, ...(scrub ? { scrub } : {}) });
  t.after(() => health.close());
  return { health, sink };
}

const pass = (name: string, opts: Partial<HealthCheck> = {}): HealthCheck => ({ name, ...opts, run: async () => {} });
const fail = (name: string, opts: Partial<HealthCheck> = {}): HealthCheck => ({
  name,
  ...opts,
  run: async () => {
    throw new Error(`${name} is down`);
  },
});
const checksOf = (body: Record<string, unknown>) => body.checks as CheckResult[];

test('startup is 503 until markStarted, then 200', (t) => {
  const { health } = makeHealth(t);
  assert.deepEqual(health.startup(), { httpStatus: 503, body: { status: 'starting' } });
  health.markStarted();
  assert.deepEqual(health.startup(), { httpStatus: 200, body: { status: 'ok' } });
});

test('readiness is 503 starting before markStarted and does not call dependencies', async (t) => {
  const { health } = makeHealth(t);
  let calls = 0;
  health.add(customCheck('db', async () => void calls++));
  const r = await health.ready();
  assert.equal(r.httpStatus, 503);
  assert.equal(r.body.status, 'starting');
  assert.equal(calls, 0);
});

test('readiness is 200 ok when started and every check passes', async (t) => {
  const { health } = makeHealth(t);
  health.add(pass('db'));
  health.add(pass('cache', { required: false }));
  health.markStarted();
  const r = await health.ready();
  assert.equal(r.httpStatus, 200);
  assert.equal(r.body.status, 'ok');
  assert.equal(typeof r.body.checked_at, 'string');
  const checks = checksOf(r.body);
  assert.deepEqual(checks.map((c) => [c.name, c.status, c.required]), [['db', 'pass', true], ['cache', 'pass', false]]);
  for (const c of checks) assert.ok(c.latency_ms >= 0);
});

test('a failing optional check makes readiness degraded but still 200', async (t) => {
  const { health } = makeHealth(t);
  health.add(pass('db'));
  health.add(fail('loyalty-api', { required: false }));
  health.markStarted();
  const r = await health.ready();
  assert.equal(r.httpStatus, 200);
  assert.equal(r.body.status, 'degraded');
  const failed = checksOf(r.body).find((c) => c.name === 'loyalty-api');
  assert.equal(failed?.status, 'fail');
  assert.deepEqual(failed?.error, { code: 'TW_ERR_HEALTH_CHECK_FAILED', message: 'loyalty-api is down' });
});

test('a failing required check makes readiness 503 fail', async (t) => {
  const { health } = makeHealth(t);
  health.add(fail('db'));
  health.add(fail('cache', { required: false }));
  health.markStarted();
  const r = await health.ready();
  assert.equal(r.httpStatus, 503);
  assert.equal(r.body.status, 'fail');
});

test('a check that throws synchronously or resolves details is reported, never thrown', async (t) => {
  const { health } = makeHealth(t);
  health.add({
    name: 'sync-throw',
    run: () => {
      throw new TypeError('boom');
    },
  });
  health.add(customCheck('with-details', async () => ({ queue_depth: 3 })));
  health.markStarted();
  const checks = checksOf((await health.ready()).body);
  assert.equal(checks[0]?.error?.message, 'boom');
  assert.deepEqual(checks[1]?.details, { queue_depth: 3 });
});

test('after setShuttingDown readiness is 503 at once while liveness stays 200', async (t) => {
  const { health } = makeHealth(t);
  let calls = 0;
  health.add(customCheck('db', async () => void calls++));
  health.markStarted();
  assert.equal((await health.ready()).httpStatus, 200);
  health.setShuttingDown();
  const r = await health.ready();
  assert.equal(r.httpStatus, 503);
  assert.equal(r.body.status, 'shutting_down');
  assert.equal(calls, 1, 'no dependency call once shutting down');
  assert.equal(health.live().httpStatus, 200);
});

test('liveness is 200 with lag and heap figures and makes no dependency calls', (t) => {
  const { health } = makeHealth(t);
  let calls = 0;
  health.add(customCheck('db', async () => void calls++));
  const r = health.live();
  assert.equal(r.httpStatus, 200);
  assert.equal(r.body.status, 'ok');
  assert.equal(typeof r.body.event_loop_lag_p99_ms, 'number');
  assert.equal(typeof r.body.heap_used_ratio, 'number');
  assert.equal(calls, 0);
});

test('liveness is 503 when used heap exceeds maxHeapUsedRatio, and the failure is logged once', (t) => {
  const { health, sink } = makeHealth(t, { maxHeapUsedRatio: 0.000001 });
  const r = health.live();
  assert.equal(r.httpStatus, 503);
  assert.equal(r.body.status, 'fail');
  assert.match(String((r.body.reasons as string[])[0]), /heap used ratio .* exceeds maxHeapUsedRatio/);
  health.live();
  assert.equal(sink.find('health: liveness failing').length, 1);
});

/** Blocks the event loop `times` times for `ms` each, so the delay sampler fires late. */
async function blockLoop(times: number, ms: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    const until = performance.now() + ms;
    while (performance.now() < until) {
      // busy
    }
    await sleep(15);
  }
}

test('liveness stays 200 with busy: true when event-loop lag is over maxEventLoopLagMs (busy is not stuck)', async (t) => {
  const { health, sink } = makeHealth(t, { maxEventLoopLagMs: 1 });
  await blockLoop(8, 40);
  const r = health.live();
  assert.equal(r.httpStatus, 200);
  assert.equal(r.body.status, 'ok');
  assert.equal(r.body.busy, true);
  assert.ok((r.body.event_loop_lag_p99_ms as number) > 1);
  assert.ok(!sink.lines.some((l) => l.code === 'TW_ERR_HEALTH_LIVENESS_FAILING'));
});

test('liveness is 503 when a probe is answered after no loop turn for stuckAfterMs', async (t) => {
  const { health, sink } = makeHealth(t, { stuckAfterMs: 200 });
  assert.equal(health.live().httpStatus, 200, 'the first probe starts the watchdog');
  await sleep(50);
  const until = performance.now() + 600;
  while (performance.now() < until) {
    // stuck: no turn of the loop
  }
  const r = health.live(); // on the same turn: the heartbeat has not run since
  assert.equal(r.httpStatus, 503);
  assert.match(String((r.body.reasons as string[])[0]), /no event-loop turn for \d+(\.\d+)? ms \(stuckAfterMs 200\)/);
  assert.ok(sink.lines.some((l) => l.code === 'TW_ERR_HEALTH_LIVENESS_FAILING'));
  await sleep(600); // the heartbeat turns again
  assert.equal(health.live().httpStatus, 200);
  assert.ok(sink.lines.some((l) => l.code === 'TW_ERR_HEALTH_EVENT_LOOP_STUCK' && (l.stalled_ms as number) > 200), 'the stall is logged when the loop turns');
});

test('a start-up stall that is over does not fail liveness once the service is marked started', async (t) => {
  const { health } = makeHealth(t, { maxEventLoopLagMs: 50, stuckAfterMs: 300 });
  assert.equal(health.live().httpStatus, 200);
  const until = performance.now() + 700; // start-up work: module loading, migrations, a cache warm-up
  while (performance.now() < until) {
    // busy
  }
  health.markStarted();
  const r = health.live();
  assert.equal(r.httpStatus, 200, `started: the stall is over (${JSON.stringify(r.body)})`);
});

test('a check past its timeout fails with TW_ERR_HEALTH_CHECK_TIMEOUT and its signal is aborted', async (t) => {
  const { health } = makeHealth(t);
  let seen: AbortSignal | undefined;
  health.add(
    customCheck(
      'hangs',
      (signal) =>
        new Promise<void>((resolve) => {
          seen = signal;
          const timer = setTimeout(resolve, 10_000);
          signal.addEventListener('abort', () => {
            clearTimeout(timer);
            resolve();
          });
        }),
      { timeoutMs: 50 },
    ),
  );
  health.markStarted();
  const startedAt = performance.now();
  const r = await health.ready();
  assert.ok(performance.now() - startedAt < 10_000, 'the 50 ms timeout fired before the 10 s hang finished');
  assert.equal(r.httpStatus, 503);
  const [check] = checksOf(r.body);
  assert.equal(check?.error?.code, 'TW_ERR_HEALTH_CHECK_TIMEOUT');
  assert.equal(check?.error?.message, 'did not finish within 50 ms');
  assert.equal(seen?.aborted, true);
  assert.ok(isTillwatchError(seen?.reason) && seen.reason.code === 'TW_ERR_HEALTH_CHECK_TIMEOUT');
});

test('a check that ignores its signal is not started again while the earlier run still hangs', async (t) => {
  const { health } = makeHealth(t, { cacheTtlMs: 0 });
  let calls = 0;
  let release: () => void = () => {};
  health.add(
    customCheck(
      'stuck',
      () => {
        calls++;
        if (calls > 1) return Promise.resolve();
        return new Promise<void>((resolve) => (release = resolve));
      },
      { timeoutMs: 20 },
    ),
  );
  t.after(() => release());
  health.markStarted();
  assert.equal(checksOf((await health.ready()).body)[0]?.error?.code, 'TW_ERR_HEALTH_CHECK_TIMEOUT');
  const second = checksOf((await health.ready()).body)[0];
  assert.equal(calls, 1);
  assert.equal(second?.error?.code, 'TW_ERR_HEALTH_CHECK_TIMEOUT');
  assert.match(second?.error?.message ?? '', /still running from an earlier probe/);
  release();
  await sleep(0);
  assert.equal((await health.ready()).httpStatus, 200);
  assert.equal(calls, 2);
});

test('a run that never settles is abandoned after three timeouts: readiness follows the dependency again once it is back', async (t) => {
  const { health } = makeHealth(t, { cacheTtlMs: 0 });
  let calls = 0;
  health.add(
    customCheck(
      'partitioned',
      () => {
        calls++;
        // The first run hangs forever (a statement on a connection whose packets are dropped); the database is back after.
        return calls === 1 ? new Promise<void>(() => {}) : Promise.resolve();
      },
      { timeoutMs: 20 },
    ),
  );
  health.markStarted();
  assert.equal((await health.ready()).httpStatus, 503);
  const deadline = Date.now() + 5000;
  let status = 503;
  while (status !== 200 && Date.now() < deadline) {
    await sleep(20);
    status = (await health.ready()).httpStatus;
  }
  assert.equal(status, 200, 'readiness recovered although the first run never settled');
  assert.equal(calls, 2, 'one new run, not one per probe');
});

test('200 concurrent readiness probes share one run and later probes reuse the cached result', async (t) => {
  const { health } = makeHealth(t, { cacheTtlMs: 60_000 });
  let db = 0;
  let redis = 0;
  health.add(customCheck('db', async () => void (db++, await sleep(10))));
  health.add(customCheck('redis', async () => void redis++));
  health.markStarted();
  const answers = await Promise.all(Array.from({ length: 200 }, () => health.ready()));
  assert.ok(answers.every((a) => a.httpStatus === 200));
  assert.equal(db, 1);
  assert.equal(redis, 1);
  await health.ready();
  await health.summary();
  assert.equal(db, 1, 'cached for cacheTtlMs');
});

test('with cacheTtlMs 0 every sequential probe runs the checks again', async (t) => {
  const { health } = makeHealth(t, { cacheTtlMs: 0 });
  let calls = 0;
  health.add(customCheck('db', async () => void calls++));
  health.markStarted();
  await health.ready();
  await health.ready();
  assert.equal(calls, 2);
});

test('adding a check invalidates cached results', async (t) => {
  const { health } = makeHealth(t, { cacheTtlMs: 60_000 });
  health.add(pass('db'));
  health.markStarted();
  assert.equal((await health.ready()).body.status, 'ok');
  health.add(fail('redis'));
  assert.equal((await health.ready()).body.status, 'fail');
});

test('an error containing a connection string with credentials does not leak the password', async (t) => {
  const { health, sink } = makeHealth(t, {}, (s) => s.replaceAll('4111111111111111', '[card]'));
  health.add(
    customCheck('db', async () => {
      const e = new Error('connect failed for postgres://user:secret@db.internal:5432/pos?sslpassword=alsosecret (card 4111111111111111)\n    at Socket.connect (net.js:1:1)');
      throw e;
    }),
  );
  health.markStarted();
  const ready = JSON.stringify((await health.ready()).body);
  const summary = JSON.stringify((await health.summary()).body);
  for (const text of [ready, summary, sink.text()]) {
    assert.doesNotMatch(text, /secret/);
    assert.doesNotMatch(text, /4111111111111111/);
    assert.doesNotMatch(text, /\bat Socket\.connect/, 'no stack trace');
  }
  assert.equal(checksOf((await health.ready()).body)[0]?.error?.message, 'connect failed for postgres://***@db.internal:5432/pos?*** (card [card])');
});

test('registering two checks with one name throws TW_ERR_HEALTH_DUPLICATE_CHECK', (t) => {
  const { health } = makeHealth(t);
  health.add(pass('db'));
  assert.throws(
    () => health.add(pass('db')),
    (e: unknown) => isTillwatchError(e) && e.code === 'TW_ERR_HEALTH_DUPLICATE_CHECK' && /"db"/.test(e.message),
  );
});

test('a malformed check is rejected at registration with TW_ERR_HEALTH_INVALID_CHECK', (t) => {
  const { health } = makeHealth(t);
  assert.throws(() => health.add({ name: 'has space', run: async () => {} }), (e: unknown) => isTillwatchError(e) && e.code === 'TW_ERR_HEALTH_INVALID_CHECK' && /name/.test(e.message));
  assert.throws(() => health.add({ name: 'db', timeoutMs: 0, run: async () => {} }), (e: unknown) => isTillwatchError(e) && /timeoutMs/.test(e.message));
});

test('a failing check is logged once when it starts failing and once when it recovers', async (t) => {
  const { health, sink } = makeHealth(t, { cacheTtlMs: 0 });
  let up = false;
  health.add(
    customCheck('db', async () => {
      if (!up) throw new Error('ECONNREFUSED');
    }),
  );
  health.markStarted();
  for (let i = 0; i < 3; i++) await health.ready();
  up = true;
  for (let i = 0; i < 3; i++) await health.ready();
  const failing = sink.find('health: check failing');
  assert.equal(failing.length, 1);
  assert.equal(failing[0]?.check, 'db');
  assert.equal(failing[0]?.code, 'TW_ERR_HEALTH_CHECK_FAILED');
  assert.equal(sink.find('health: check recovered').length, 1);
});

test('a check slower than half its timeout logs TWWRN004 once, not on every probe', async (t) => {
  const { health, sink } = makeHealth(t, { cacheTtlMs: 0 });
  health.add(customCheck('slow-db', (signal) => sleep(250, undefined, { signal }), { timeoutMs: 400 }));
  health.markStarted();
  for (let i = 0; i < 3; i++) await health.ready();
  const warnings = sink.lines.filter((l) => l.code === 'TWWRN004');
  assert.equal(warnings.length, 1);
  assert.equal(warnings[0]?.check, 'slow-db');
  assert.equal(warnings[0]?.timeout_ms, 400);
});

test('the summary carries service, version, uptime, each probe and every check, with readiness status code', async (t) => {
  const { health } = makeHealth(t);
  health.add(pass('db'));
  health.add(fail('tax-api', { required: false }));
  const before = await health.summary();
  assert.equal(before.httpStatus, 503, 'not started yet');
  assert.equal(before.body.status, 'starting');
  assert.equal(checksOf(before.body).length, 2, 'checks run even before start-up');
  health.markStarted();
  const r = await health.summary();
  assert.equal(r.httpStatus, 200);
  assert.equal(r.body.status, 'degraded');
  assert.equal(r.body.service, 'till-api');
  assert.equal(r.body.version, '1.2.3');
  assert.equal(typeof r.body.uptime_s, 'number');
  assert.equal((r.body.live as Record<string, unknown>).status, 'ok');
  assert.deepEqual(r.body.startup, { status: 'ok' });
  assert.equal((r.body.ready as Record<string, unknown>).status, 'degraded');
  assert.deepEqual(checksOf(r.body).map((c) => c.name), ['db', 'tax-api']);
});

test('a pending probe with a long timeout does not keep the process alive (timers are unref\'d)', () => {
  const healthUrl = new URL('../src/health/health.ts', import.meta.url).href;
  const script = `
    import { Health } from ${JSON.stringify(healthUrl)};
    import pino from 'pino';
    const health = new Health({
      options: { basePath: '/health', checkTimeoutMs: 60000, cacheTtlMs: 1000, maxEventLoopLagMs: 1000, maxHeapUsedRatio: 0.98, stuckAfterMs: 10000 },
      logger: pino({ level: 'silent' }),
    });
    health.add({ name: 'never', run: () => new Promise(() => {}) });
    health.markStarted();
    void health.ready();
    console.log('probing');
  `;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: fileURLToPath(new URL('../', import.meta.url)),
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.equal(child.signal, null, 'the process exited by itself');
  assert.equal(child.status, 0, child.stderr);
  assert.equal(child.stdout.trim(), 'probing');
});

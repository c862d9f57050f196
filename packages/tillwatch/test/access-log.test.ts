import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveOptions, type TillwatchOptions } from '../src/config/options.ts';
import { ContextStore } from '../src/context/request-context.ts';
import { createAccessLog, type AccessEntry } from '../src/log/access-log.ts';
import { createLogger } from '../src/log/logger.ts';
import { createRedactor } from '@tillwatch/redact';
import { logSink } from '../src/testing/log-sink.ts';

function setup(access: NonNullable<NonNullable<TillwatchOptions['log']>['access']> = {}, random?: () => number) {
  const sink = logSink();
  const { options } = resolveOptions({ log: { destination: sink, access } }, {});
  const context = new ContextStore();
  const logger = createLogger({ options, context, redactor: createRedactor() });
  const accessLog = createAccessLog({ logger, options: options.log.access, ...(random ? { random } : {}) });
  /** What an adapter does: decide, then record inside the request context. */
  const finish = (e: AccessEntry, correlationId = 'req-1'): void => {
    if (accessLog.shouldLog(e)) context.run({ correlationId }, () => accessLog.record(e));
  };
  return { sink, accessLog, finish };
}

const entry = (over: Partial<AccessEntry> = {}): AccessEntry => ({
  method: 'GET',
  route: '/orders/:id',
  path: '/orders/42',
  status: 200,
  durationMs: 12.3456,
  bytes: 512,
  userAgent: 'okhttp/4.12.0',
  ...over,
});

test('one info line per request with the documented fields and the correlation id', () => {
  const { sink, finish } = setup();
  finish(entry());
  assert.equal(sink.lines.length, 1);
  const l = sink.lines[0] as Record<string, unknown>;
  assert.equal(l.msg, 'request completed');
  assert.equal(l.level, 'info');
  assert.equal(l.correlation_id, 'req-1');
  assert.equal(l.method, 'GET');
  assert.equal(l.route, '/orders/:id');
  assert.equal(l.status, 200);
  assert.equal(l.duration_ms, 12.35);
  assert.equal(l.bytes, 512);
  assert.equal(l.ua_family, 'okhttp');
  assert.equal(l.device_class, 'mobile');
  assert.equal('path' in l, false);
  assert.equal('slow' in l, false);
});

test('5xx is logged at error with the error type only, never its stack or message', () => {
  const { sink, finish } = setup();
  finish(entry({ status: 503, error: new TypeError('db down at postgres://u:p@db/x') }));
  const l = sink.lines[0] as Record<string, unknown>;
  assert.equal(l.level, 'error');
  assert.equal(l.err_type, 'TypeError');
  assert.equal('err' in l, false);
  assert.doesNotMatch(sink.text(), /db down|stack/);
});

test('slow requests are logged at warn with slow: true', () => {
  const { sink, finish } = setup({ slowMs: 1000 });
  finish(entry({ durationMs: 1000 }));
  assert.equal(sink.lines[0]?.level, 'warn');
  assert.equal(sink.lines[0]?.slow, true);
});

test('statuses in alwaysLogStatuses are logged at warn; other 4xx at info', () => {
  const { sink, finish } = setup();
  finish(entry({ status: 401 }));
  finish(entry({ status: 429 }));
  finish(entry({ status: 404 }));
  assert.deepEqual(sink.lines.map((l) => [l.status, l.level]), [[401, 'warn'], [429, 'warn'], [404, 'info']]);
});

test('skipPaths are not logged unless the response is a 5xx or slow', () => {
  const { sink, finish } = setup({ slowMs: 500 });
  finish(entry({ path: '/health/ready', route: '/health/ready' }));
  finish(entry({ path: '/metrics?x=1', route: '/metrics' }));
  finish(entry({ path: '/health/ready', route: '/health/ready', status: 503 }));
  finish(entry({ path: '/metrics', route: '/metrics', durationMs: 600 }));
  assert.deepEqual(sink.lines.map((l) => [l.route, l.status]), [['/health/ready', 503], ['/metrics', 200]]);
});

test('sample rates: method-specific key wins over the route key, and sampled lines carry sample_rate', () => {
  const draws = [0.05, 0.5, 0.05, 0.5];
  const { sink, finish } = setup({ sampleRates: { '/orders/:id': 0.1, 'POST /orders/:id': 0 } }, () => draws.shift() ?? 1);
  finish(entry()); // 0.05 < 0.1: logged
  finish(entry()); // 0.5: dropped
  finish(entry({ method: 'POST' })); // rate 0: never, no draw
  finish(entry({ method: 'post' })); // method matched case-insensitively
  assert.equal(sink.lines.length, 1);
  assert.equal(sink.lines[0]?.sample_rate, 0.1);
  assert.deepEqual(draws, [0.05, 0.5]); // only two draws were taken
});

test('sampling never drops errors, slow requests or always-logged statuses', () => {
  const { sink, finish } = setup({ sampleRates: { '/orders/:id': 0 }, slowMs: 100 }, () => 0.99);
  finish(entry());
  finish(entry({ status: 500 }));
  finish(entry({ durationMs: 150 }));
  finish(entry({ status: 403 }));
  assert.deepEqual(sink.lines.map((l) => l.level), ['error', 'warn', 'warn']);
  assert.equal(sink.lines.some((l) => 'sample_rate' in l), false);
});

test('a missing user agent and unknown byte count are written as unknown / absent', () => {
  const { sink, finish } = setup();
  finish(entry({ userAgent: undefined, bytes: undefined }));
  const l = sink.lines[0] as Record<string, unknown>;
  assert.equal(l.ua_family, 'unknown');
  assert.equal(l.device_class, 'unknown');
  assert.equal('bytes' in l, false);
});

test('record and shouldLog never throw, even on hostile entries', () => {
  const { accessLog } = setup();
  const hostile = { get method(): never { throw new Error('x') } } as unknown as AccessEntry;
  assert.doesNotThrow(() => accessLog.shouldLog(hostile));
  assert.doesNotThrow(() => accessLog.record(hostile));
  const weirdError = entry({ status: 500, error: { get name(): never { throw new Error('x') } } });
  assert.doesNotThrow(() => accessLog.record(weirdError));
});

test('the route and method are scrubbed by the shared redactor before the line is written', () => {
  const sink = logSink();
  const redactor = createRedactor();
  const { options } = resolveOptions({ log: { destination: sink } }, {});
  const logger = createLogger({ options, context: new ContextStore(), redactor });
  const access = createAccessLog({ logger, options: options.log.access, scrub: (v) => redactor.string(v) });
  // A node:http route callback that returns raw paths is a bug, but it must not leak a card number.
  access.record({ method: 'GET', route: '/cards/4111111111111111', path: '/cards/4111111111111111', status: 200, durationMs: 1, bytes: 2, userAgent: undefined });
  assert.ok(!sink.text().includes('4111111111111111'));
  assert.equal(sink.lines[0]?.route, '/cards/411111******1111');
});

test('the fixed-shape access line is the line pino writes for the same fields, byte for byte', () => {
  const sink = logSink();
  const { options } = resolveOptions({ log: { destination: sink, access: { slowMs: 1000, sampleRates: { '/sampled': 0.5 } } } }, {});
  const context = new ContextStore();
  const logger = createLogger({ options, context, redactor: createRedactor() });
  const accessLog = createAccessLog({ logger, options: options.log.access, contextStore: context, random: () => 0 });
  const cases: [AccessEntry, Record<string, unknown>][] = [];
  const add = (over: Partial<AccessEntry>, fields: Record<string, unknown>): void => void cases.push([entry(over), fields]);
  add({}, { method: 'GET', route: '/orders/:id', status: 200, duration_ms: 12.35, bytes: 512, ua_family: 'okhttp', device_class: 'mobile' });
  add({ bytes: undefined, userAgent: undefined, status: 503, error: new TypeError('x') }, { method: 'GET', route: '/orders/:id', status: 503, duration_ms: 12.35, ua_family: 'unknown', device_class: 'unknown', err_type: 'TypeError' });
  add({ durationMs: 1500, route: '/sampled' }, { method: 'GET', route: '/sampled', status: 200, duration_ms: 1500, bytes: 512, ua_family: 'okhttp', device_class: 'mobile', slow: true });
  add({ route: '/sampled', method: 'POST', bytes: Number.NaN }, { method: 'POST', route: '/sampled', status: 200, duration_ms: 12.35, bytes: Number.NaN, ua_family: 'okhttp', device_class: 'mobile', sample_rate: 0.5 });
  add({ route: '/caf\u00e9/"quoted"\\path\u0001/\u{1F600}' }, { method: 'GET', route: '/caf\u00e9/"quoted"\\path\u0001/\u{1F600}', status: 200, duration_ms: 12.35, bytes: 512, ua_family: 'okhttp', device_class: 'mobile' });
  // Durations are written from their integer and hundredths parts: the same text as pino's for the rounded number.
  for (const durationMs of [0, 0.004, 0.005, 0.05, 0.1, 0.5, 1.005, 7, 12.3, 99.995, 999.999, 123.456789]) {
    add({ durationMs }, { method: 'GET', route: '/orders/:id', status: 200, duration_ms: Math.round(durationMs * 100) / 100, bytes: 512, ua_family: 'okhttp', device_class: 'mobile' });
  }
  // Long strings take the regular-expression check rather than the character loop.
  const long = `/${'segment/'.repeat(10)}:id`;
  add({ route: long }, { method: 'GET', route: long, status: 200, duration_ms: 12.35, bytes: 512, ua_family: 'okhttp', device_class: 'mobile' });
  add({ route: `${long}/"x"` }, { method: 'GET', route: `${long}/"x"`, status: 200, duration_ms: 12.35, bytes: 512, ua_family: 'okhttp', device_class: 'mobile' });
  const contexts = [{ correlationId: 'req-1' }, { correlationId: 'req-2', traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' }];
  for (const ctx of contexts) {
    for (const [e, fields] of cases) {
      accessLog.record({ ...e, context: ctx });
      const level = e.status >= 500 ? 'error' : e.durationMs >= 1000 ? 'warn' : 'info';
      context.run(ctx, () => logger[level]({ ...fields }, 'request completed'));
    }
  }
  const withoutTime = (l: string): string => l.replace(/"time":"[^"]*"/, '"time":"-"');
  assert.equal(sink.raw.length, 2 * contexts.length * cases.length);
  for (let i = 0; i < sink.raw.length; i += 2) assert.equal(withoutTime(sink.raw[i] as string), withoutTime(sink.raw[i + 1] as string));
  // Bound context fields need the redactor: such a line takes pino's path, and still carries the request's ids.
  accessLog.record({ ...entry(), context: { correlationId: 'req-3', bindings: { location: 'store-12' } } });
  const bound = sink.lines.at(-1) as Record<string, unknown>;
  assert.equal(bound.correlation_id, 'req-3');
  assert.equal(bound.location, 'store-12');
});

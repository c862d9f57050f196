import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { Writable } from 'node:stream';
import { resolveOptions, type TillwatchOptions } from '../src/config/options.ts';
import { ContextStore } from '../src/context/request-context.ts';
import { createLogger } from '../src/log/logger.ts';
import { createRedactor } from '@tillwatch/redact';
import { logSink, type LogSink } from '../src/testing/log-sink.ts';

const PAN = '4111111111111111';
const PAN_SPACED = '4111 1111 1111 1111';

function setup(overrides: TillwatchOptions = {}, onSinkError?: (err: Error) => void) {
  const sink = logSink();
  const { options } = resolveOptions(
    { service: { name: 'pos-api', version: '1.2.3', environment: 'test', location: 'store-12' }, ...overrides, log: { level: 'debug', destination: sink, ...overrides.log } },
    {},
  );
  const context = new ContextStore();
  const redactor = createRedactor({ extraKeys: options.log.redactKeys });
  const logger = createLogger({ options, context, redactor, ...(onSinkError ? { onSinkError } : {}) });
  return { sink, context, logger };
}

function assertClean(sink: LogSink, secrets: readonly string[]): void {
  const text = sink.text();
  for (const s of secrets) assert.ok(!text.includes(s), `secret ${JSON.stringify(s)} leaked into:\n${text}`);
}

test('lines are JSON with the level label, an ISO time and the service fields', () => {
  const { sink, logger } = setup();
  logger.info('ready');
  const line = sink.lines[0] as Record<string, unknown>;
  assert.equal(line.level, 'info');
  assert.match(String(line.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal(line.service, 'pos-api');
  assert.equal(line.env, 'test');
  assert.equal(line.version, '1.2.3');
  assert.equal(line.location, 'store-12');
  assert.equal(line.msg, 'ready');
  assert.equal('pid' in line, false);
  assert.equal('hostname' in line, false);
});

test('the configured level filters lower levels', () => {
  const { sink, logger } = setup({ log: { level: 'warn' } });
  logger.info('dropped');
  logger.warn('kept');
  assert.deepEqual(sink.lines.map((l) => l.msg), ['kept']);
});

test('every line inside context.run carries the correlation id, also after awaits', async () => {
  const { sink, context, logger } = setup();
  const payments = logger.child({ module: 'payments' });
  await context.run({ correlationId: 'req-1', traceId: 'a'.repeat(32), spanId: 'b'.repeat(16) }, async () => {
    logger.info('start');
    await tick();
    payments.info('after await');
    await new Promise((r) => setTimeout(r, 1));
    logger.warn('after timer');
  });
  logger.info('outside');
  const inside = sink.lines.slice(0, 3);
  for (const l of inside) {
    assert.equal(l.correlation_id, 'req-1');
    assert.equal(l.trace_id, 'a'.repeat(32));
    assert.equal(l.span_id, 'b'.repeat(16));
  }
  assert.equal(sink.lines[1]?.module, 'payments');
  assert.equal('correlation_id' in (sink.lines[3] as object), false);
});

test('context bindings appear on every line of the request, redacted, and cannot overwrite the correlation id', () => {
  const { sink, context, logger } = setup();
  context.run({ correlationId: 'req-2' }, () => {
    context.bind({ terminal: 'till-3', password: 'hunter2', correlation_id: 'forged', note: `card ${PAN}` });
    logger.info('bound');
  });
  const l = sink.lines[0] as Record<string, unknown>;
  assert.equal(l.terminal, 'till-3');
  assert.equal(l.correlation_id, 'req-2');
  assertClean(sink, ['hunter2', PAN]);
});

test('card numbers, CVVs, passwords, auth headers and connection-string credentials never reach the sink', () => {
  const { sink, logger } = setup();
  const child = logger.child({ module: 'payments', apiKey: 'sk_live_child' });
  child.info(`charging card ${PAN_SPACED}`);
  child.info({ payment: { card: { number: PAN, cvv: '737', exp: '12/30' }, amount: 12.5 } }, 'payment attempt');
  child.info({ headers: { Authorization: 'Bearer tok_abc123456789', 'x-api-key': 'k_123456' } }, 'outbound call');
  child.info({ db: 'postgres://pos:Sup3rSecret@db:5432/pos', user: { password: 'hunter2', dbPassword: 'pw-db' } }, 'connect');
  child.info({ url: `https://psp.example/charge?pan=${PAN}&token=tok_url&amount=5` }, 'calling %s', `https://psp.example/x?access_token=tok_fmt&card=${PAN}`);
  child.info('payload %o', { cvc: '999', password: 'fmt-pass' });
  child.info('payload %j', { card_number: PAN });
  const err = Object.assign(new Error(`declined for ${PAN} at postgres://pos:Sup3rSecret@db/pos`), { config: { headers: { authorization: 'Basic dXNlcjpwYXNz' } } });
  child.error(err);
  child.error(err, 'charge failed');
  child.error({ err, order: 'o-1' }, 'charge failed again');
  child.error({ err: new Error('outer', { cause: new Error(`inner ${PAN}`) }) }, 'with cause');
  assertClean(sink, [PAN, PAN_SPACED, '737', 'tok_abc', 'k_123456', 'Sup3rSecret', 'hunter2', 'pw-db', 'tok_url', 'tok_fmt', '"999"', 'fmt-pass', 'dXNlcjpwYXNz', 'sk_live_child']);
  assert.ok(sink.text().includes('411111******1111'));
  assert.equal(sink.lines.filter((l) => l.module === 'payments').length, sink.lines.length);
});

test('errors are serialised with type, scrubbed message and stack; msg defaults to the scrubbed message', () => {
  const { sink, logger } = setup();
  logger.error(new TypeError(`bad card ${PAN}`));
  const l = sink.lines[0] as { msg: string; err: { type: string; message: string; stack: string } };
  assert.equal(l.msg, 'bad card 411111******1111');
  assert.equal(l.err.type, 'TypeError');
  assert.equal(l.err.message, 'bad card 411111******1111');
  assert.match(l.err.stack, /^TypeError: bad card 411111\*{6}1111\n\s+at /);
});

test('a message that tries to forge a second JSON line stays one line', () => {
  const { sink, logger } = setup();
  logger.info('innocent\n{"level":"fatal","msg":"forged"}');
  logger.info({ 'k\n{"level":"fatal"}': 1, v: 'a\r\n{"level":"fatal"}' }, 'fields too');
  assert.equal(sink.raw.length, 2);
  assert.equal(sink.lines.filter((l) => l.level === 'fatal').length, 0);
});

test('circular, BigInt and throwing-getter objects log without throwing', () => {
  const { sink, logger } = setup();
  const circular: Record<string, unknown> = { id: 1 };
  circular.self = circular;
  const hostile = { get boom(): never { throw new Error('getter') }, big: 12n };
  const proxy = new Proxy({}, { get() { throw new Error('trap') }, ownKeys() { throw new Error('trap') } });
  assert.doesNotThrow(() => logger.info({ circular, hostile }, 'hostile'));
  assert.doesNotThrow(() => logger.info(proxy, 'proxy'));
  assert.doesNotThrow(() => logger.info({ proxy }, 'proxy field'));
  assert.deepEqual(sink.lines[0]?.circular, { id: 1, self: '[Circular]' });
  assert.deepEqual(sink.lines[0]?.hostile, { boom: '[Thrown]', big: '12' });
  assert.equal(sink.lines.length, 3);
});

test('a destination whose write throws does not throw into the caller and calls onSinkError', () => {
  const errors: Error[] = [];
  const broken = new Writable({ write(_c, _e, cb) { cb(); } });
  broken.write = () => { throw new Error('EPIPE-ish'); };
  const { logger } = setup({ log: { destination: broken } }, (e) => errors.push(e));
  assert.doesNotThrow(() => logger.info('one'));
  assert.doesNotThrow(() => logger.fatal('two'));
  assert.equal(errors.length, 2);
  assert.equal(errors[0]?.message, 'EPIPE-ish');
});

test('a destination that emits error (disk full) is reported, then lines are dropped without throwing', async () => {
  const errors: Error[] = [];
  const full = new Writable({
    write(_c, _e, cb) {
      cb(Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' }));
    },
  });
  const { logger } = setup({ log: { destination: full } }, (e) => errors.push(e));
  assert.doesNotThrow(() => logger.info('first'));
  await tick();
  assert.equal(errors[0]?.message, 'ENOSPC: no space left on device');
  assert.doesNotThrow(() => logger.info('second'));
  assert.ok(errors.some((e) => (e as Error & { code?: string }).code === 'ERR_STREAM_DESTROYED'));
});

test('an onSinkError that logs or throws does not recurse or escape', () => {
  const broken = new Writable({ write(_c, _e, cb) { cb(); } });
  broken.write = () => { throw new Error('down'); };
  let calls = 0;
  const { logger } = setup({ log: { destination: broken } }, () => {
    calls++;
    logger.error('sink failed'); // would recurse into the same broken destination
    throw new Error('hook failed');
  });
  assert.doesNotThrow(() => logger.info('x'));
  assert.equal(calls, 1);
});

test('extra redact keys from the options are honoured', () => {
  const { sink, logger } = setup({ log: { redactKeys: ['loyaltyPin'] } });
  logger.info({ loyalty_pin: '4321', keep: 1 }, 'custom');
  assertClean(sink, ['4321']);
  assert.equal(sink.lines[0]?.keep, 1);
});

/**
 * Process-level lifecycle behaviour: signals, crashes and exits, each in a child process running
 * fixtures/lifecycle/server.ts against real HTTP requests (the pino test/exit.test.js pattern).
 * No timing assertions beyond ordering; every wait is bounded by the harness.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { DUPLICATE_SIGNAL_WINDOW_MS } from '../src/lifecycle/lifecycle.ts';
import { get, startFixture, values, type LogLine } from './fixtures/lifecycle/harness.ts';

const TEST_TIMEOUT = { timeout: 90_000 };

function keepAliveAgent(t: { after: (fn: () => void) => void }): http.Agent {
  const agent = new http.Agent({ keepAlive: true });
  t.after(() => agent.destroy());
  return agent;
}

const indexOf = (lines: readonly LogLine[], match: (l: LogLine) => boolean): number => lines.findIndex(match);

test('SIGTERM mid-request: the in-flight request completes with Connection: close, new connections are refused, hooks run once each in reverse order, exit 0', TEST_TIMEOUT, async (t) => {
  const child = await startFixture(t);
  const agent = keepAliveAgent(t);

  const slow = get(child.port, '/slow?ms=300', agent);
  await child.waitFor((l) => l.marker === 'slow-start', 'the slow request to arrive');
  child.signal('SIGTERM');

  await child.waitFor((l) => l.shutdown_phase === 'close', 'the close phase');
  await assert.rejects(get(child.port, '/', false), (e: NodeJS.ErrnoException) => e.code === 'ECONNREFUSED');

  const reply = await slow;
  assert.equal(reply.status, 200);
  assert.equal(reply.body, 'slow done');
  assert.equal(reply.headers.connection, 'close');

  assert.equal(await child.exited, 0);
  assert.deepEqual(values(child.lines, 'hook_ran'), ['worker', 'db-pool', 'telemetry']);
  assert.deepEqual(values(child.lines, 'shutdown_phase'), ['start', 'close', 'hooks', 'hooks', 'hooks', 'hooks', 'done']);
  const start = child.lines.find((l) => l.shutdown_phase === 'start');
  assert.equal(start?.reason, 'SIGTERM');
  assert.equal(start?.shutdown_timeout_ms, 5000);
  assert.equal(start?.in_flight, 1);
  assert.equal(child.lines.find((l) => l.shutdown_phase === 'done')?.exit_code, 0);
  assert.equal(values(child.lines, 'code').includes('TWWRN001'), false, 'drain 0 + timeout 5 s fits in 30 s');
});

/** Sends one request on an open socket and resolves with what came back, or the socket error's code. */
function requestOn(socket: net.Socket): Promise<{ head: string } | { error: string }> {
  return new Promise((resolve) => {
    let data = '';
    socket.on('data', (d: Buffer) => (data += d.toString()));
    socket.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
    socket.on('close', () => resolve(data === '' ? { error: 'closed without an answer' } : { head: data.split('\r\n\r\n')[0] ?? '' }));
    socket.write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
  });
}

test('connections accepted before the close get their request answered with Connection: close, keep-alive ones included: no reset', TEST_TIMEOUT, async (t) => {
  const child = await startFixture(t);
  const agent = keepAliveAgent(t);
  // Connections the server accepted whose first request has not arrived yet (under load there are always some).
  const fresh = await Promise.all(Array.from({ length: 5 }, () => new Promise<net.Socket>((resolve) => {
    const s = net.connect(child.port, '127.0.0.1', () => resolve(s));
  })));
  // A keep-alive connection between requests.
  const idle = await Promise.all(Array.from({ length: 2 }, () => new Promise<net.Socket>((resolve) => {
    const s = net.connect(child.port, '127.0.0.1', () => {
      s.write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
      s.once('data', () => resolve(s));
    });
  })));
  await sleep(200); // let the server accept them
  const slow = get(child.port, '/slow?ms=1500', agent); // keeps the close step open while the others send
  await child.waitFor((l) => l.marker === 'slow-start', 'the slow request to arrive');
  child.signal('SIGTERM');
  await child.waitFor((l) => l.shutdown_phase === 'close', 'the close phase');

  const answers = await Promise.all([...fresh, ...idle].map((s) => requestOn(s)));
  for (const a of answers) {
    assert.ok('head' in a, `answered, not ${'error' in a ? a.error : ''}`);
    assert.match(a.head, /^HTTP\/1\.1 200/);
    assert.match(a.head, /connection: close/i);
  }
  assert.equal((await slow).status, 200);
  assert.equal(await child.exited, 0);
});

test('during the drain delay readiness answers 503 while other requests are still served, with Connection: close', TEST_TIMEOUT, async (t) => {
  const child = await startFixture(t, { TILLWATCH_DRAIN_DELAY_MS: '2000' });
  const agent = keepAliveAgent(t);

  const before = await get(child.port, '/ready', agent);
  assert.equal(before.status, 200);
  assert.equal(before.headers.connection, 'keep-alive');

  child.signal('SIGTERM');
  await child.waitFor((l) => l.shutdown_phase === 'drain', 'the drain phase');

  const ready = await get(child.port, '/ready', agent);
  assert.equal(ready.status, 503);
  const served = await get(child.port, '/', agent);
  assert.equal(served.status, 200);
  assert.equal(served.headers.connection, 'close');

  assert.equal(await child.exited, 0);
  const lines = child.lines;
  assert.ok(indexOf(lines, (l) => l.marker === 'on-shutting-down') < indexOf(lines, (l) => l.shutdown_phase === 'drain'), 'readiness fails before the drain starts');
  assert.deepEqual(values(lines, 'hook_ran'), ['worker', 'db-pool', 'telemetry']);
});

test('a hook that never resolves hits the shutdown timeout: the timeout line names the hook and the exit code is 1', TEST_TIMEOUT, async (t) => {
  const child = await startFixture(t, { LC_SCENARIO: 'hang', TILLWATCH_SHUTDOWN_TIMEOUT_MS: '500' });
  child.signal('SIGTERM');

  assert.equal(await child.exited, 1);
  const timeout = child.lines.find((l) => l.code === 'TW_ERR_LIFECYCLE_SHUTDOWN_TIMEOUT');
  assert.ok(timeout, 'a timeout line');
  assert.equal(timeout.level, 50);
  assert.equal(timeout.hook, 'hanging-hook');
  assert.match(String(timeout.msg), /hook "hanging-hook"/);
  assert.deepEqual(timeout.hooks_not_run, ['db-pool', 'telemetry']);
  assert.deepEqual(values(child.lines, 'hook_ran'), ['worker'], 'no hook starts after the timeout');
  assert.equal(child.lines.at(-1)?.exit_code, 1);
});

test('a second SIGTERM during a long drain exits at once with code 1', TEST_TIMEOUT, async (t) => {
  const child = await startFixture(t, { TILLWATCH_DRAIN_DELAY_MS: '20000', TILLWATCH_SHUTDOWN_TIMEOUT_MS: '10000', TILLWATCH_TERMINATION_GRACE_PERIOD_SECONDS: '60' });
  child.signal('SIGTERM');
  await child.waitFor((l) => l.shutdown_phase === 'drain', 'the drain phase');
  // Past the window in which a repeat of the same signal counts as a duplicate delivery.
  await sleep(DUPLICATE_SIGNAL_WINDOW_MS + 100);
  child.signal('SIGTERM');

  assert.equal(await child.exited, 1);
  const forced = child.lines.find((l) => /second signal/.test(String(l.msg)));
  assert.ok(forced, 'the log says why the process exited early');
  assert.equal(forced.signal, 'SIGTERM');
  assert.equal(forced.shutdown_phase, 'drain');
  assert.deepEqual(values(child.lines, 'hook_ran'), [], 'forced exit skips the rest of the sequence');
});

test('two SIGINTs delivered together (Ctrl-C under npm) count as one: shutdown stays graceful', TEST_TIMEOUT, async (t) => {
  const child = await startFixture(t, { TILLWATCH_DRAIN_DELAY_MS: '300' });
  child.signal('SIGINT');
  child.signal('SIGINT');

  assert.equal(await child.exited, 0);
  assert.deepEqual(values(child.lines, 'hook_ran'), ['worker', 'db-pool', 'telemetry']);
  assert.equal(child.lines.find((l) => l.shutdown_phase === 'start')?.reason, 'SIGINT');
});

test('uncaughtException: exactly one fatal line with the stack, the report hook is awaited, graceful shutdown, exit 1', TEST_TIMEOUT, async (t) => {
  const child = await startFixture(t, { TILLWATCH_DRAIN_DELAY_MS: '5000' });
  await get(child.port, '/crash', false);

  assert.equal(await child.exited, 1);
  const lines = child.lines;
  const fatal = lines.filter((l) => l.level === 60);
  assert.equal(fatal.length, 1);
  const line = fatal[0] as LogLine;
  assert.equal(line.code, 'TW_ERR_LIFECYCLE_UNCAUGHT_EXCEPTION');
  const err = line.err as { message?: string; stack?: string };
  assert.equal(err.message, 'boom from /crash');
  assert.match(String(err.stack), /Error: boom from \/crash\n\s+at /);

  const reported = lines.find((l) => l.marker === 'reported');
  assert.equal(reported?.kind, 'uncaughtException');
  assert.equal(reported?.error_message, 'boom from /crash');
  const at = (match: (l: LogLine) => boolean) => indexOf(lines, match);
  assert.ok(at((l) => l.level === 60) < at((l) => l.marker === 'reported'));
  assert.ok(at((l) => l.marker === 'report-finished') < at((l) => l.shutdown_phase === 'close'), 'the report is awaited before the servers close');
  assert.equal(lines.find((l) => l.shutdown_phase === 'start')?.drain_delay_ms, 0, 'no drain delay after a crash');
  assert.deepEqual(values(lines, 'hook_ran'), ['worker', 'db-pool', 'telemetry']);
  assert.equal(lines.at(-1)?.exit_code, 1);
});

test('an exception thrown while the crash is handled is logged, not reported again, and does not loop', TEST_TIMEOUT, async (t) => {
  const child = await startFixture(t, { LC_SCENARIO: 'report-throws' });
  await get(child.port, '/crash', false);

  assert.equal(await child.exited, 1);
  const lines = child.lines;
  assert.equal(lines.filter((l) => l.level === 60).length, 1, 'still exactly one fatal line');
  const secondary = lines.filter((l) => l.during_shutdown === true);
  assert.equal(secondary.length, 1);
  assert.equal((secondary[0]?.err as { message?: string }).message, 'reporter blew up');
  assert.equal(lines.filter((l) => l.marker === 'reported').length, 1, 'reported once');
  assert.deepEqual(values(lines, 'hook_ran'), ['worker', 'db-pool', 'telemetry']);
});

test('a report hook that never settles delays a crash exit by its bound only', TEST_TIMEOUT, async (t) => {
  const child = await startFixture(t, { LC_SCENARIO: 'report-hangs' });
  await get(child.port, '/crash', false);

  assert.equal(await child.exited, 1);
  const timeout = child.lines.find((l) => l.code === 'TW_ERR_SINK_WRITE_FAILED');
  assert.equal(timeout?.sink, 'errorReporter');
  assert.equal(timeout?.timeout, true);
  assert.equal(child.lines.some((l) => l.marker === 'report-finished'), false);
  assert.deepEqual(values(child.lines, 'hook_ran'), ['worker', 'db-pool', 'telemetry']);
});

test('unhandledRejection with policy crash: logged, reported, exit 1', TEST_TIMEOUT, async (t) => {
  const child = await startFixture(t, { TILLWATCH_UNHANDLED_REJECTION: 'crash' });
  await get(child.port, '/reject', false);

  assert.equal(await child.exited, 1);
  const logged = child.lines.filter((l) => l.code === 'TW_ERR_LIFECYCLE_UNHANDLED_REJECTION');
  assert.equal(logged.length, 1);
  assert.equal((logged[0]?.err as { message?: string }).message, 'rejected from /reject');
  assert.equal(child.lines.find((l) => l.marker === 'reported')?.kind, 'unhandledRejection');
  assert.deepEqual(values(child.lines, 'hook_ran'), ['worker', 'db-pool', 'telemetry']);
});

test('unhandledRejection with policy log: logged at error, reported, and the service keeps serving', TEST_TIMEOUT, async (t) => {
  const child = await startFixture(t, { TILLWATCH_UNHANDLED_REJECTION: 'log' });
  await get(child.port, '/reject', false);
  const logged = await child.waitFor((l) => l.code === 'TW_ERR_LIFECYCLE_UNHANDLED_REJECTION', 'the rejection line');
  assert.equal(logged.level, 50);
  await child.waitFor((l) => l.marker === 'reported', 'the report');

  assert.equal((await get(child.port, '/', false)).status, 200);
  assert.equal((await get(child.port, '/ready', false)).status, 200);

  child.signal('SIGTERM');
  assert.equal(await child.exited, 0);
});

test('TWWRN001 is logged once at install when drain + timeout exceed the termination grace period', TEST_TIMEOUT, async (t) => {
  const child = await startFixture(t, {
    TILLWATCH_DRAIN_DELAY_MS: '500',
    TILLWATCH_SHUTDOWN_TIMEOUT_MS: '1000',
    TILLWATCH_TERMINATION_GRACE_PERIOD_SECONDS: '1',
  });
  const warnings = child.lines.filter((l) => l.code === 'TWWRN001');
  assert.equal(warnings.length, 1, 'install() ran twice, the warning once');
  assert.equal(warnings[0]?.level, 40);
  assert.match(String(warnings[0]?.msg), /1500 ms is longer than terminationGracePeriodSeconds \(1 s\)/);

  child.signal('SIGTERM');
  assert.equal(await child.exited, 0);
});

test('a hook that throws is logged with TW_ERR_LIFECYCLE_HOOK_FAILED and the next hook still runs', TEST_TIMEOUT, async (t) => {
  const child = await startFixture(t, { LC_SCENARIO: 'throw' });
  child.signal('SIGTERM');

  assert.equal(await child.exited, 0);
  const failed = child.lines.find((l) => l.code === 'TW_ERR_LIFECYCLE_HOOK_FAILED');
  assert.equal(failed?.hook, 'throwing-hook');
  assert.equal((failed?.err as { message?: string }).message, 'hook exploded');
  assert.deepEqual(values(child.lines, 'hook_ran'), ['worker', 'db-pool', 'throwing-hook', 'telemetry']);
});

test('a hook awaiting a promise nothing can settle is skipped when the event loop empties, and later hooks run', TEST_TIMEOUT, async (t) => {
  const child = await startFixture(t, { LC_SCENARIO: 'stall', TILLWATCH_SHUTDOWN_TIMEOUT_MS: '60000', TILLWATCH_TERMINATION_GRACE_PERIOD_SECONDS: '120' });
  child.signal('SIGTERM');

  assert.equal(await child.exited, 0);
  const stalled = child.lines.find((l) => l.code === 'TW_ERR_LIFECYCLE_HOOK_FAILED');
  assert.equal(stalled?.hook, 'stalled-hook');
  assert.equal(stalled?.stalled, true);
  assert.deepEqual(values(child.lines, 'hook_ran'), ['worker', 'db-pool', 'telemetry']);
});

test('idle keep-alive sockets are closed at shutdown, not left to the keep-alive timeout', TEST_TIMEOUT, async (t) => {
  const child = await startFixture(t);
  const agent = keepAliveAgent(t);
  const reply = await get(child.port, '/', agent);
  assert.equal(reply.headers.connection, 'keep-alive');
  const closed = once(reply.socket, 'close');
  // The fixture's keepAliveTimeout is 60 s: only the lifecycle can close this socket within the test.
  await sleep(10);
  assert.equal(reply.socket.destroyed, false, 'the socket is idle in the agent pool');

  child.signal('SIGTERM');
  await closed;
  assert.equal(await child.exited, 0);
});

test('a connection attempt after shutdown closed the server is refused', TEST_TIMEOUT, async (t) => {
  const child = await startFixture(t, { LC_SCENARIO: 'hang', TILLWATCH_SHUTDOWN_TIMEOUT_MS: '3000' });
  child.signal('SIGTERM');
  await child.waitFor((l) => l.shutdown_phase === 'hooks', 'the hooks phase');
  const socket = net.connect({ host: '127.0.0.1', port: child.port });
  const [error] = (await once(socket, 'error')) as [NodeJS.ErrnoException];
  assert.equal(error.code, 'ECONNREFUSED');
  assert.equal(await child.exited, 1);
});

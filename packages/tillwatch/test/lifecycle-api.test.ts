/**
 * The Lifecycle API in-process, with `exit: false` and an in-memory log sink. Signals, crashes and
 * real exits are covered in child processes by lifecycle.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { once } from 'node:events';
import pino from 'pino';
import { resolveOptions, type TillwatchOptions } from '../src/config/options.ts';
import { Lifecycle, type LifecycleDeps } from '../src/lifecycle/lifecycle.ts';
import { logSink } from '../src/testing/log-sink.ts';

function build(lifecycle: NonNullable<TillwatchOptions['lifecycle']> = {}, deps: Partial<LifecycleDeps> = {}) {
  const sink = logSink();
  const { options } = resolveOptions({ lifecycle: { exit: false, ...lifecycle } }, {});
  const exits: number[] = [];
  const instance = new Lifecycle({ options: options.lifecycle, logger: pino({ level: 'debug' }, sink), exit: (code) => exits.push(code), ...deps });
  return { lifecycle: instance, sink, exits };
}

test('shutdown() runs hooks once each in reverse registration order and returns the code without exiting when exit is false', async () => {
  const { lifecycle, sink, exits } = build();
  const ran: string[] = [];
  lifecycle.onShutdown('telemetry', () => ran.push('telemetry'));
  lifecycle.onShutdown('db-pool', async () => {
    await new Promise((resolve) => setTimeout(resolve, 5));
    ran.push('db-pool');
  });
  lifecycle.onShutdown('worker', () => ran.push('worker'));

  assert.equal(lifecycle.shuttingDown, false);
  const first = lifecycle.shutdown('test');
  assert.equal(lifecycle.shuttingDown, true);
  assert.equal(lifecycle.shutdown('again'), first, 'a second call returns the same promise');
  assert.equal(await first, 0);
  assert.deepEqual(ran, ['worker', 'db-pool', 'telemetry']);
  assert.deepEqual(exits, []);
  assert.deepEqual(
    sink.lines.filter((l) => l.shutdown_phase !== undefined && l.hook === undefined).map((l) => l.shutdown_phase),
    ['start', 'close', 'hooks', 'done'],
  );
  assert.ok(sink.lines.every((l) => l.shutdown_phase === undefined || typeof l.elapsed_ms === 'number'));
});

test('onShuttingDown is called once, before anything else, and a throw from it does not stop shutdown', async () => {
  const calls: string[] = [];
  const { lifecycle, sink } = build({}, {
    onShuttingDown: () => {
      calls.push('onShuttingDown');
      throw new Error('health is broken');
    },
  });
  lifecycle.onShutdown('hook', () => calls.push('hook'));
  assert.equal(await lifecycle.shutdown('test'), 0);
  assert.deepEqual(calls, ['onShuttingDown', 'hook']);
  assert.equal(sink.find(/onShuttingDown threw/).length, 1);
});

test('a later shutdown() call with a higher exit code raises the final code', async () => {
  const { lifecycle } = build();
  const first = lifecycle.shutdown('clean');
  void lifecycle.shutdown('crash while shutting down', 1);
  assert.equal(await first, 1);
});

test('with exit true the injected exit is called once with the final code, after the logs are flushed', async () => {
  const order: string[] = [];
  const { lifecycle } = build({ exit: true }, { flushLogs: () => order.push('flush'), exit: (code) => order.push(`exit ${code}`) });
  assert.equal(await lifecycle.shutdown('test', 3), 3);
  assert.deepEqual(order, ['flush', 'exit 3']);
});

test('install() is idempotent and its uninstall removes every handler it added', () => {
  const { lifecycle } = build({ handleSignals: true, handleCrashes: true });
  const events = ['SIGTERM', 'SIGINT', 'uncaughtException', 'unhandledRejection'] as const;
  const before = events.map((e) => process.listenerCount(e));
  const uninstall = lifecycle.install();
  assert.equal(lifecycle.install(), uninstall);
  assert.deepEqual(events.map((e) => process.listenerCount(e)), before.map((n) => n + 1));
  uninstall();
  uninstall();
  assert.deepEqual(events.map((e) => process.listenerCount(e)), before);
});

test('install() adds only the handlers the options ask for', () => {
  const { lifecycle } = build({ handleSignals: false, handleCrashes: true });
  const before = process.listenerCount('SIGTERM');
  const uninstall = lifecycle.install();
  assert.equal(process.listenerCount('SIGTERM'), before);
  uninstall();
});

test('TWWRN001 is logged once when drain + timeout exceed the grace period, and not at all when they fit', () => {
  const over = build({ drainDelayMs: 5000, shutdownTimeoutMs: 26_000, terminationGracePeriodSeconds: 30 });
  over.lifecycle.install()();
  over.lifecycle.install()();
  assert.equal(over.sink.lines.filter((l) => l.code === 'TWWRN001').length, 1);

  const fits = build({ drainDelayMs: 5000, shutdownTimeoutMs: 25_000, terminationGracePeriodSeconds: 30 });
  fits.lifecycle.install()();
  assert.equal(fits.sink.lines.filter((l) => l.code === 'TWWRN001').length, 0);
});

test('a hook that rejects is logged with its name and the remaining hooks still run', async () => {
  const { lifecycle, sink } = build();
  const ran: string[] = [];
  lifecycle.onShutdown('last', () => ran.push('last'));
  lifecycle.onShutdown('broken', () => Promise.reject(new Error('nope')));
  assert.equal(await lifecycle.shutdown('test'), 0);
  assert.deepEqual(ran, ['last']);
  const failed = sink.lines.find((l) => l.code === 'TW_ERR_LIFECYCLE_HOOK_FAILED');
  assert.equal(failed?.hook, 'broken');
});

test('the shutdown timeout names the pending hook and the hooks that never ran, and resolves 1', async () => {
  const { lifecycle, sink } = build({ shutdownTimeoutMs: 50 });
  const ran: string[] = [];
  lifecycle.onShutdown('telemetry', () => ran.push('telemetry'));
  let release: () => void = () => {};
  lifecycle.onShutdown('stuck', () => new Promise<void>((resolve) => (release = resolve)));
  const keepAlive = setInterval(() => {}, 1000); // what a real hung hook would be waiting on
  try {
    assert.equal(await lifecycle.shutdown('test'), 1);
  } finally {
    clearInterval(keepAlive);
    release();
  }
  const line = sink.lines.find((l) => l.code === 'TW_ERR_LIFECYCLE_SHUTDOWN_TIMEOUT');
  assert.equal(line?.hook, 'stuck');
  assert.deepEqual(line?.hooks_not_run, ['telemetry']);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(ran, [], 'no hook starts after the timeout');
});

test('responses during shutdown carry Connection: close, and the server is closed before hooks run', async (t) => {
  const server = http.createServer((_req, res) => res.end('ok'));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.close());
  const port = (server.address() as AddressInfo).port;
  const { lifecycle } = build({ drainDelayMs: 200, shutdownTimeoutMs: 5000 });
  lifecycle.addServer(server);
  let listeningDuringHooks: boolean | undefined;
  lifecycle.onShutdown('check', () => {
    listeningDuringHooks = server.listening;
  });
  const agent = new http.Agent({ keepAlive: true });
  t.after(() => agent.destroy());
  const request = () =>
    new Promise<http.IncomingMessage>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res));
      }).on('error', reject);
    });

  assert.equal((await request()).headers.connection, 'keep-alive');
  const done = lifecycle.shutdown('test');
  assert.equal((await request()).headers.connection, 'close');
  assert.equal(await done, 0);
  assert.equal(listeningDuringHooks, false);
});

test('connections the kernel completed while the loop was busy are accepted and answered before the listener closes, not reset', async (t) => {
  const server = http.createServer((_req, res) => res.end('ok'));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.close());
  const port = (server.address() as AddressInfo).port;
  const { lifecycle } = build({ drainDelayMs: 50, shutdownTimeoutMs: 5000 });
  lifecycle.addServer(server);
  const done = lifecycle.shutdown('test');
  // Clients connect (the handshake completes in the kernel, the connection waits in the listen backlog) while
  // the process is busy; the drain ends during that busy stretch, so the close comes first thing after it.
  const outcomes = Array.from({ length: 20 }, () =>
    new Promise<string>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
      let data = '';
      socket.setEncoding('utf8').on('data', (d: string) => (data += d));
      socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
      socket.on('close', () => resolve(data.split('\r\n')[0] ?? ''));
    }),
  );
  const until = performance.now() + 200;
  while (performance.now() < until) {
    // busy: nothing is accepted
  }
  const answers = await Promise.all(outcomes);
  assert.deepEqual(answers, Array.from({ length: 20 }, () => 'HTTP/1.1 200 OK'), 'every connection made before the close is answered');
  assert.equal(await done, 0);
});

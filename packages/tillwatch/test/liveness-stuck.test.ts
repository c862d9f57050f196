/**
 * Liveness tells a stuck event loop from a busy one, on a real service in a child process
 * (fixtures/liveness/server.ts) probed over HTTP as the kubelet probes it.
 * - Busy: CPU-bound work in 1.2 s synchronous slices, with loop turns between them. Lag p99 is over
 *   maxEventLoopLagMs (1 s), which used to answer 503; now every probe answers 200, with `busy: true`.
 * - Stuck: one 6 s synchronous slice, longer than stuckAfterMs (3 s). A probe gets no answer within a
 *   kubelet-like timeout, and the watchdog thread writes TW_ERR_HEALTH_EVENT_LOOP_STUCK to stderr while the
 *   loop is still stuck (before the slice ends). Once the loop turns, liveness is 200 again and the stall
 *   is logged with its length.
 * No timing assertions: the durations only set up the two conditions; what is asserted is who answered what.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { startListening } from './helpers/listening-child.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/liveness/server.ts', import.meta.url));
const WAIT_MS = 60_000;

async function probe(url: string, timeoutMs: number): Promise<{ status: number; body: Record<string, unknown> } | 'timeout'> {
  try {
    const res = await fetch(`${url}/health/live`, { signal: AbortSignal.timeout(timeoutMs) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  } catch (e) {
    if ((e as Error).name === 'TimeoutError') return 'timeout';
    throw e;
  }
}

async function until(what: string, output: () => string, match: (out: string) => boolean): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!match(output())) {
    if (Date.now() > deadline) throw new Error(`no ${what} within ${WAIT_MS} ms\n--- output ---\n${output()}`);
    await sleep(50);
  }
}

test('liveness: a busy loop that turns stays 200; a loop stuck past stuckAfterMs fails and is reported while stuck', async (t) => {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test', TILLWATCH_HEALTH_STUCK_AFTER_MS: '3000', NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --conditions=tillwatch-source` };
  delete env.NODE_TEST_CONTEXT;
  const svc = await startListening(process.execPath, [FIXTURE], { env });
  t.after(() => svc.stop(2000));

  const first = await probe(svc.url, 10_000);
  assert.ok(first !== 'timeout' && first.status === 200, `idle: ${JSON.stringify(first)}`);

  // Busy: ~7 s of CPU-bound work in 1.2 s slices.
  assert.equal((await fetch(`${svc.url}/busy?ms=7000&chunk=1200`, { method: 'POST' })).status, 200);
  const busyAnswers: Array<{ status: number; body: Record<string, unknown> } | 'timeout'> = [];
  while (!svc.output().includes('"busy-done"')) {
    busyAnswers.push(await probe(svc.url, 10_000));
    if (busyAnswers.length > 200) break;
  }
  const detail = JSON.stringify(busyAnswers);
  assert.ok(busyAnswers.length >= 2, `probed during the busy work: ${detail}`);
  assert.ok(busyAnswers.every((a) => a !== 'timeout' && a.status === 200), `every probe of the busy loop answered 200: ${detail}`);
  assert.ok(busyAnswers.some((a) => a !== 'timeout' && a.body.busy === true && (a.body.event_loop_lag_p99_ms as number) > 1000), `the lag was over maxEventLoopLagMs and reported as busy: ${detail}`);
  assert.doesNotMatch(svc.output(), /TW_ERR_HEALTH_EVENT_LOOP_STUCK|TW_ERR_HEALTH_LIVENESS_FAILING/, 'busy is neither stuck nor failing');

  // Stuck: one 6 s synchronous slice.
  assert.equal((await fetch(`${svc.url}/block?ms=6000`, { method: 'POST' })).status, 200);
  await sleep(500);
  assert.equal(await probe(svc.url, 1500), 'timeout', 'a stuck loop does not answer the probe within a kubelet timeout');
  await until('watchdog line', svc.output, (out) => out.includes('TW_ERR_HEALTH_EVENT_LOOP_STUCK'));
  const out = svc.output();
  assert.ok(!out.includes('"block-done"'), `the watchdog reported while the loop was still stuck:\n${out}`);
  const stuckLine = JSON.parse(out.split('\n').find((l) => l.includes('TW_ERR_HEALTH_EVENT_LOOP_STUCK')) ?? '{}') as Record<string, unknown>;
  assert.equal(stuckLine.service, 'liveness-fixture');
  assert.ok((stuckLine.stuck_ms as number) > 3000, `stuck for more than stuckAfterMs: ${JSON.stringify(stuckLine)}`);

  await until('end of the blocking work', svc.output, (o) => o.includes('"block-done"'));
  await until('stall logged by the loop', svc.output, (o) => /turned again after a stall of \d+ ms/.test(o));
  const after = await probe(svc.url, 10_000);
  assert.ok(after !== 'timeout' && after.status === 200, `the loop turns again, liveness is 200: ${JSON.stringify(after)}`);
  assert.equal(await svc.stop(10_000), 0);
});

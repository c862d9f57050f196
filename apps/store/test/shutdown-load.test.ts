/**
 * SIGTERM under concurrent load: zero connection resets, exit 0. The real store (a child process, `npm start`'s
 * main) serves 32 concurrent cashier clients as fast as it can (the rate is reported; over 200 requests per second on an
 * idle two-core machine), half of them on keep-alive connections and half on a
 * fresh connection each (so connections accepted just before the close, whose request is not parsed yet, are
 * always present). Then it gets SIGTERM while the load goes on.
 *
 * The clients route like a Kubernetes Service: a prober reads /health/ready every 100 ms and, once it fails, no
 * new request is started (the ones in flight go on). The drain delay (3 s here) is longer than the probe period (with room for a loaded machine),
 * as docs/lifecycle.md asks, so nothing new arrives when the listening socket closes. (Without that, a client that
 * keeps connecting to a closing socket meets the kernel's reset of connections still in its accept queue: no
 * server can answer those. packages/tillwatch/test/lifecycle.test.ts covers the connections the process did
 * accept, with no drain at all.)
 *
 * Every request must end as an answer (200, or 503 once shutting down). A reset (ECONNRESET, EPIPE, "socket hang
 * up") is a request the store accepted and dropped: there must be none, and the process exits 0.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startPaymentProvider } from '../src/sim/payment-provider.ts';
import { spawnStoreProcess } from './helpers/alerting/store-process.ts';

const CLIENTS = 32;
const LOAD_MS = 3000;

type Outcome = ({ kind: 'answered'; status: number; at: number } | { kind: 'refused' | 'reset' | 'other'; code: string; at: number }) & { fresh?: boolean; sent?: boolean };

function get(url: URL, token: string, agent: http.Agent | false, path: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = http.request(
      { host: url.hostname, port: url.port, path, method: 'GET', agent, headers: { authorization: `Bearer ${token}`, ...(agent === false ? { connection: 'close' } : {}) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ kind: 'answered', status: res.statusCode ?? 0, at: Date.now() }));
        res.on('error', (err: NodeJS.ErrnoException) => resolve({ kind: 'reset', code: err.code ?? err.message, at: Date.now() }));
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? err.message;
      resolve({ kind: code === 'ECONNREFUSED' ? 'refused' : code === 'ECONNRESET' || code === 'EPIPE' || /socket hang up/.test(err.message) ? 'reset' : 'other', code, at: Date.now() });
    });
    req.setTimeout(15_000, () => req.destroy(new Error('timeout')));
    req.end();
  });
}

test('SIGTERM under concurrent load: every accepted request is answered, 0 connection resets, exit 0', { timeout: 120_000 }, async (t) => {
  const payment = await startPaymentProvider();
  t.after(() => payment.close());
  const store = await spawnStoreProcess({ PAYMENT_PROVIDER_URL: payment.url, TILLWATCH_DRAIN_DELAY_MS: '3000' });
  t.after(() => store.kill('SIGKILL'));
  const url = new URL(store.url);
  const login = (await (await fetch(`${store.url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'cashier', password: 'demo-cashier-pw' }) })).json()) as { token: string };

  const keepAlive = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
  t.after(() => keepAlive.destroy());
  const outcomes: Outcome[] = [];
  let stop = false;
  let refusedSeen = false;
  let routed = true;
  let unroutedAt = 0;
  const prober = (async () => {
    while (routed && !stop) {
      const r = await get(url, login.token, false, '/health/ready');
      if (r.kind !== 'answered' || r.status !== 200) {
        routed = false;
        unroutedAt = Date.now();
      }
      else await sleep(100);
    }
  })();
  const clients = Array.from({ length: CLIENTS }, async (_, i) => {
    while (!stop && routed) {
      // Mostly the cheap root route (the machine running the test is small and shared), every fourth a product lookup.
      const o = await get(url, login.token, i % 2 === 0 ? keepAlive : false, i % 4 === 1 ? '/products?limit=5' : '/');
      o.fresh = i % 2 === 1;
      outcomes.push(o);
      if (o.kind === 'refused') {
        refusedSeen = true;
        return; // the listening socket is closed: this client would go to another instance now
      }
    }
  });

  const started = Date.now();
  await sleep(LOAD_MS);
  const before = outcomes.filter((o) => o.kind === 'answered' && o.status === 200).length;
  const rate = before / ((Date.now() - started) / 1000);
  const sigtermAt = Date.now();
  process.kill(store.pid, 'SIGTERM');
  await store.exited;
  stop = true;
  await Promise.all(clients);
  await prober;

  const after = outcomes.filter((o) => o.at >= sigtermAt);
  const resets = outcomes.filter((o) => o.kind === 'reset');
  const other = outcomes.filter((o) => o.kind === 'other');
  const summary = {
    requestsPerSecondBeforeSigterm: Math.round(rate),
    requests: outcomes.length,
    afterSigterm: after.length,
    answeredAfterSigterm: after.filter((o) => o.kind === 'answered').length,
    refusedAfterClose: outcomes.filter((o) => o.kind === 'refused').length,
    statuses: outcomes.reduce<Record<string, number>>((acc, o) => ({ ...acc, [o.kind === 'answered' ? String(o.status) : o.code]: (acc[o.kind === 'answered' ? String(o.status) : o.code] ?? 0) + 1 }), {}),
    resetsAfterSigterm: resets.filter((o) => o.at >= sigtermAt).length,
    resets: resets.length,
    unroutedAfterSigtermMs: unroutedAt - sigtermAt,
    resetAtMs: resets.map((o) => o.at - sigtermAt),
    resetsOnFreshConnections: resets.filter((o) => o.fresh).length,
    otherErrors: other.length,
    exitCode: store.exitCode(),
  };
  t.diagnostic(`sigterm under load ${JSON.stringify(summary)}`);
  t.diagnostic(store.stdout().split('\n').filter((l) => l.includes('shutdown_phase') || l.includes('hook')).map((l) => { try { const j = JSON.parse(l); return `${j.shutdown_phase}@${j.elapsed_ms} ${j.msg}`; } catch { return ''; } }).join(' | '));

  assert.ok(summary.answeredAfterSigterm > 0, 'requests in flight at SIGTERM were answered');
  assert.deepEqual(resets.map((o) => (o.kind === 'answered' ? '' : o.code)).slice(0, 10), [], `no connection was reset (${resets.length})`);
  assert.deepEqual(other.map((o) => (o.kind === 'answered' ? '' : o.code)).slice(0, 10), [], 'no other client error');
  assert.ok(after.length > 0, 'the load was still running when SIGTERM came');
  assert.equal(store.exitCode(), 0, 'exit 0');
});

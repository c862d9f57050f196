/**
 * SIGTERM under concurrent load: zero connection resets, exit 0. The real store (a child process, `npm start`'s
 * main) serves 32 concurrent cashier clients as fast as it can, half of them on keep-alive connections and half on
 * a fresh connection each (so connections accepted just before the close, whose request is not parsed yet, are
 * always present). The load is a mix: most clients send cheap requests (the root route, product lookups), and 4
 * ring up card checkouts (create the order, pay it), so checkouts are in flight when SIGTERM comes. Then it gets
 * SIGTERM while the load goes on. The store's per-client rate limit is off (RATE_LIMIT_PER_MINUTE=0), so every request
 * does the store's real work instead of a cheap 429.
 *
 * The achieved rate is reported, not asserted (no timing assertions): it depends on the machine. The figures of
 * runs at >= 200 requests per second, with the load average, are in docs/lifecycle.md. SHUTDOWN_LOAD_MS lengthens
 * the load before SIGTERM (default 3 s).
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
import { loadavg } from 'node:os';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startPaymentProvider } from '../src/sim/payment-provider.ts';
import { spawnStoreProcess } from './helpers/alerting/store-process.ts';

const CLIENTS = 32;
/** Clients that ring up card checkouts instead of cheap requests. */
const CHECKOUT_CLIENTS = 4;
const LOAD_MS = Number(process.env.SHUTDOWN_LOAD_MS ?? 3000);
const CARD = { number: '4242 4242 4242 4242', cvv: '123', expiry: '12/39' };

type Outcome = ({ kind: 'answered'; status: number; at: number; body?: string } | { kind: 'refused' | 'reset' | 'other'; code: string; at: number }) & { fresh?: boolean; sent?: boolean; checkout?: boolean };

function get(url: URL, token: string, agent: http.Agent | false, path: string, post?: unknown): Promise<Outcome> {
  return new Promise((resolve) => {
    const payload = post === undefined ? undefined : JSON.stringify(post);
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path,
        method: payload === undefined ? 'GET' : 'POST',
        agent,
        headers: { authorization: `Bearer ${token}`, ...(agent === false ? { connection: 'close' } : {}), ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
      },
      (res) => {
        let body = '';
        if (payload === undefined) res.resume();
        else res.setEncoding('utf8').on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ kind: 'answered', status: res.statusCode ?? 0, at: Date.now(), ...(payload === undefined ? {} : { body }) }));
        res.on('error', (err: NodeJS.ErrnoException) => resolve({ kind: 'reset', code: err.code ?? err.message, at: Date.now() }));
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? err.message;
      resolve({ kind: code === 'ECONNREFUSED' ? 'refused' : code === 'ECONNRESET' || code === 'EPIPE' || /socket hang up/.test(err.message) ? 'reset' : 'other', code, at: Date.now() });
    });
    req.setTimeout(15_000, () => req.destroy(new Error('timeout')));
    req.end(payload);
  });
}

test('SIGTERM under concurrent load: every accepted request is answered, 0 connection resets, exit 0', { timeout: 120_000 }, async (t) => {
  const payment = await startPaymentProvider();
  t.after(() => payment.close());
  const store = await spawnStoreProcess({ PAYMENT_PROVIDER_URL: payment.url, TILLWATCH_DRAIN_DELAY_MS: '3000', RATE_LIMIT_PER_MINUTE: '0' });
  t.after(() => store.kill('SIGKILL'));
  const url = new URL(store.url);
  const loginAs = async (username: string) => (await (await fetch(`${store.url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: `demo-${username}-pw` }) })).json()) as { token: string };
  const login = await loginAs('cashier');
  // Enough stock that no checkout is refused as sold out.
  const manager = await loginAs('manager');
  await (await fetch(`${store.url}/locations/store-001/stock/MIXER-TONIC-4PK`, { method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${manager.token}` }, body: JSON.stringify({ on_hand: 100_000 }) })).arrayBuffer();

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
  let checkoutsPaid = 0;
  const clients = Array.from({ length: CLIENTS }, async (_, i) => {
    const agent = i % 2 === 0 ? keepAlive : false;
    const record = (o: Outcome, checkout: boolean): boolean => {
      o.fresh = i % 2 === 1;
      o.checkout = checkout;
      outcomes.push(o);
      if (o.kind === 'refused') refusedSeen = true; // the listening socket is closed: this client would go to another instance now
      return o.kind === 'refused';
    };
    while (!stop && routed) {
      if (i < CHECKOUT_CLIENTS) {
        const order = await get(url, login.token, agent, '/orders', { location: 'store-001', terminal: `till-${i}`, channel: 'in_store', items: [{ sku: 'MIXER-TONIC-4PK', quantity: 1 }] });
        if (record(order, true)) return;
        if (order.kind !== 'answered' || order.status !== 201 || !routed) continue;
        const { id, total } = JSON.parse(order.body ?? '{}') as { id: string; total: number };
        const pay = await get(url, login.token, agent, `/orders/${id}/pay`, { method: 'card', amount: total, card: CARD });
        if (record(pay, true)) return;
        if (pay.kind === 'answered' && pay.status === 200) checkoutsPaid++;
        continue;
      }
      // Cheap requests: mostly the root route (the machine running the test is small and shared), every fourth a product lookup.
      if (record(await get(url, login.token, agent, i % 4 === 1 ? '/products?limit=5' : '/'), false)) return;
    }
  });

  const started = Date.now();
  await sleep(LOAD_MS);
  const before = outcomes.filter((o) => o.kind === 'answered' && (o.status === 200 || o.status === 201)).length;
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
    loadAverage: loadavg().map((l) => Math.round(l * 10) / 10),
    requests: outcomes.length,
    checkoutRequests: outcomes.filter((o) => o.checkout).length,
    checkoutsPaid,
    checkoutRequestsAfterSigterm: after.filter((o) => o.checkout).length,
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
  assert.ok(checkoutsPaid > 0, 'checkouts were paid under the load');
  assert.equal(store.exitCode(), 0, 'exit 0');
});

/**
 * The kill -9 ledger check, shared by payment-kill.test.ts (Postgres, N=20 in CI) and
 * payment-kill-pglite.test.ts (PGlite, a smaller N in CI; N=20 by hand with PAYMENT_FAULT_KILLS=20).
 *
 * Card payments survive kill -9. The real store (a child process, `npm start`'s main) on a real Postgres (or on a
 * PGlite data directory) takes card payments from a few cashiers while the
 * simulated payment provider (in this process, so it outlives every store) captures a little slowly, so kills land
 * before, during and after captures. The store is killed with SIGKILL at randomised moments (seeded, reported;
 * counted from the round's first payment) and
 * restarted, N times; then a last instance runs the reconciler until no payment is open.
 *
 * The ledger compares the provider's captures with the store's payments:
 * - 0 double captures: no order was captured twice at the provider;
 * - 0 captures without a store record: every capture is a `captured` payment of its order (or was refunded as
 *   unwanted, `reversed`), after reconciliation;
 * - 0 phantom payments: every captured payment the store records is a capture at the provider;
 * - 0 orders stuck in `payment_pending`, 0 attempts left `pending` or `unknown`, 0 holds left on a card
 *   (every authorisation that was not captured is voided).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { requireReal, tcpReachable } from '../../../../packages/tillwatch/test/helpers/real-parts.ts';
import { prng } from '../../scripts/simulate.ts';
import { startPaymentProvider, type PaymentProviderSim } from '../../src/sim/payment-provider.ts';
import { callStore as call, spawnStoreProcess, type SpawnedStore } from './alerting/store-process.ts';
import { faultLedgerStorage, type LedgerDb, type LedgerEngine } from './fault-ledger-storage.ts';
import { waitFor } from './alerting/processes.ts';


/** The kill count from PAYMENT_FAULT_KILLS, or `fallback`. */
export function killsFromEnv(fallback: number): number {
  const n = Number(process.env.PAYMENT_FAULT_KILLS ?? fallback);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/** A bound for the whole run that grows with the kill count: each round starts a store (slow on a loaded machine). */
export function ledgerTimeoutMs(kills: number, engine: LedgerEngine): number {
  return 180_000 + kills * (engine === 'pglite' ? 120_000 : 45_000);
}

const CLIENTS = 3;
const CARD = { number: '4242 4242 4242 4242', cvv: '123', expiry: '12/39' };



/**
 * Compares the provider's captures with the store's payments (read from its database once no payment is open):
 * double captures, captures without a store record (unless refunded as unwanted), phantom payments, orders
 * stuck in payment_pending, attempts left open, holds left on a card, and acknowledged payments not recorded.
 */
export async function readPaymentLedger(ledger: LedgerDb, payment: PaymentProviderSim, paidAcknowledged: ReadonlySet<string>) {
  const captures = payment.captures();
  const payments = (await ledger.query<{ order_id: string; provider_ref: string | null; status: string }>(`SELECT order_id, provider_ref, status FROM payments WHERE method = 'card'`)).rows;
  const attempts = (await ledger.query<{ order_id: string; idempotency_key: string; status: string; resolved_by: string | null }>(`SELECT order_id, idempotency_key, status, resolved_by FROM payment_attempts`)).rows;
  const pendingOrders = (await ledger.query<{ id: string }>(`SELECT id FROM orders WHERE status = 'payment_pending'`)).rows;
  const storeCaptured = new Map(payments.filter((p) => p.status === 'captured' || p.status === 'reversed').map((p) => [p.provider_ref, p]));
  const reversedAttempts = new Set(attempts.filter((a) => a.status === 'reversed').map((a) => a.order_id));

  const perOrder = new Map<string, number>();
  for (const c of captures) perOrder.set(c.orderRef ?? '?', (perOrder.get(c.orderRef ?? '?') ?? 0) + 1);
  const doubleCaptures = [...perOrder.values()].filter((n) => n > 1).length;
  const unrecorded = captures.filter((c) => !storeCaptured.has(c.authorizationId) && !reversedAttempts.has(c.orderRef ?? ''));
  const captureIds = new Set(captures.map((c) => c.authorizationId));
  const phantom = payments.filter((p) => p.status === 'captured' && !captureIds.has(p.provider_ref ?? ''));
  const openAttempts = attempts.filter((a) => a.status === 'pending' || a.status === 'unknown');
  const holdsLeft = attempts.filter((a) => a.status !== 'captured' && payment.lookup(a.idempotency_key)?.status === 'authorized');
  const forgotten = [...paidAcknowledged].filter((id) => !payments.some((p) => p.order_id === id && p.status === 'captured'));
  return { captures, payments, attempts, pendingOrders, doubleCaptures, unrecorded, phantom, openAttempts, holdsLeft, forgotten };
}

/** Runs the kill -9 rounds and the ledger check; asserts through `t`'s assertions (node:assert). */
export async function runPaymentKillLedger(t: TestContext, engine: LedgerEngine, killCount: number): Promise<void> {
  const seed = Number(process.env.PAYMENT_FAULT_SEED ?? Date.now() % 2 ** 31);
  if (engine === 'postgres' && !requireReal(t, 'PostgreSQL on 127.0.0.1:5432', await tcpReachable(5432), 'start PostgreSQL or run bash .ci/run')) return;
  // PGlite runs inside the store: reopening its data directory after a kill (WASM start, recovery, migrations
  // check) is the slow part of each round on a loaded machine.
  const startTimeoutMs = engine === 'pglite' ? 240_000 : 90_000;
  const random = prng(seed);
  t.diagnostic(`seed ${seed} (repeat with PAYMENT_FAULT_SEED=${seed})`);
  // Captures take a moment, so a kill often falls between the capture and the commit that records it.
  const payment = await startPaymentProvider({ captureLatencyMs: 40 });
  t.after(() => payment.close());

  let current: SpawnedStore | undefined;
  const { env: storage, ledger, open: openLedger } = await faultLedgerStorage(t, engine, 'store_paykill', () => current?.kill('SIGKILL'));

  const env = {
    ...storage,
    PAYMENT_PROVIDER_URL: payment.url,
    JWT_SECRET: randomBytes(32).toString('hex'),
    // An attempt left pending by a killed instance is settled once older than 2 × timeout + 5 s.
    PAYMENT_TIMEOUT_MS: '1000',
    PAYMENT_RECONCILE_INTERVAL_MS: '500',
  };

  const orderIds = new Set<string>();
  const paidAcknowledged = new Set<string>();
  const checkouts = (url: string, token: string, stop: () => boolean) =>
    Promise.all(
      Array.from({ length: CLIENTS }, async (_, i) => {
        while (!stop()) {
          try {
            const order = await call(url, 'POST', '/orders', { location: 'store-001', terminal: `till-${i}`, channel: 'in_store', items: [{ sku: 'MIXER-TONIC-4PK', quantity: 1 }] }, token);
            if (order.status !== 201) continue;
            orderIds.add(order.body.id as string);
            const pay = await call(url, 'POST', `/orders/${order.body.id}/pay`, { method: 'card', amount: order.body.total, card: CARD }, token);
            if (pay.status === 200) paidAcknowledged.add(order.body.id as string);
          } catch {
            // the store was killed mid-request: the ledger says what happened
          }
        }
      }),
    );
  const login = async (url: string): Promise<string> => (await call(url, 'POST', '/auth/login', { username: 'cashier', password: 'demo-cashier-pw' })).body.token as string;

  const kills: { round: number; afterMs: number }[] = [];
  for (let round = 1; round <= killCount; round++) {
    current = await spawnStoreProcess(env, { startTimeoutMs });
    if (round === 1) {
      const manager = (await call(current.url, 'POST', '/auth/login', { username: 'manager', password: 'demo-manager-pw' })).body.token as string;
      await call(current.url, 'PUT', '/locations/store-001/stock/MIXER-TONIC-4PK', { on_hand: 100_000 }, manager);
    }
    const token = await login(current.url);
    const afterMs = Math.round(200 + random() * 1800);
    let stopped = false;
    const authorizationsBefore = payment.stats().authorizations;
    const traffic = checkouts(current.url, token, () => stopped);
    // The kill point is counted from the round's first payment reaching the provider, not from readiness: a
    // freshly started store on a loaded machine can take seconds to serve its first checkout, and a kill before
    // it would test nothing. Bounded: a round with no payment after 60 s is killed anyway.
    for (let waited = 0; payment.stats().authorizations === authorizationsBefore && waited < 60_000; waited += 50) await sleep(50);
    await sleep(afterMs);
    await current.kill('SIGKILL');
    stopped = true;
    await traffic;
    kills.push({ round, afterMs });
  }
  t.diagnostic(`kills: ${kills.map((k) => `#${k.round}@${k.afterMs}ms`).join(' ')}`);

  // Recovery: a last instance reconciles until no known order waits for its payment.
  const last = await spawnStoreProcess(env, { startTimeoutMs });
  current = last;
  const token = await login(last.url);
  const stuck = async () => {
    const left: string[] = [];
    for (const id of orderIds) {
      const r = await call(last.url, 'GET', `/orders/${id}`, undefined, token);
      if (r.body?.status === 'payment_pending') left.push(id);
    }
    return left;
  };
  const openBeforeRecovery = (await stuck()).length;
  await waitFor('every payment to be settled', 120_000, async () => ((await stuck()).length === 0 ? true : undefined), 500);
  await last.kill('SIGTERM');
  current = undefined;
  await openLedger();

  const { captures, payments, attempts, pendingOrders, doubleCaptures, unrecorded, phantom, openAttempts, holdsLeft, forgotten } = await readPaymentLedger(ledger, payment, paidAcknowledged);

  const summary = {
    engine,
    seed,
    kills: killCount,
    orders: orderIds.size,
    providerCaptures: captures.length,
    storeCapturedPayments: payments.filter((p) => p.status === 'captured').length,
    attempts: attempts.length,
    attemptsByStatus: attempts.reduce<Record<string, number>>((acc, a) => ({ ...acc, [a.status]: (acc[a.status] ?? 0) + 1 }), {}),
    settledByReconciler: attempts.filter((a) => a.resolved_by === 'reconciler').length,
    ordersPaymentPendingBeforeRecovery: openBeforeRecovery,
    doubleCaptures,
    capturesWithoutStoreRecord: unrecorded.length,
    phantomPayments: phantom.length,
    ordersStuck: pendingOrders.length,
    holdsLeft: holdsLeft.length,
  };
  t.diagnostic(`ledger ${JSON.stringify(summary)}`);

  assert.equal(kills.length, killCount);
  assert.ok(attempts.length >= killCount, `every round started payments (${attempts.length} attempts)`);
  assert.ok(captures.length > 0, `traffic captured payments (${captures.length})`);
  assert.equal(doubleCaptures, 0, 'no order captured twice');
  assert.deepEqual(unrecorded.slice(0, 5), [], 'every capture at the provider is recorded by the store');
  assert.deepEqual(phantom.slice(0, 5), [], 'every captured payment of the store is a capture at the provider');
  assert.deepEqual(pendingOrders, [], 'no order stuck in payment_pending');
  assert.deepEqual(openAttempts.slice(0, 5), [], 'no attempt left pending or unknown');
  assert.deepEqual(holdsLeft.slice(0, 5), [], 'no authorisation left holding funds');
  assert.deepEqual(forgotten, [], 'every payment acknowledged to a cashier is recorded');
}

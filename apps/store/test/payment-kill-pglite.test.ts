/**
 * Card payments survive kill -9, on the embedded PGlite (a data directory that each restarted store reopens).
 * PGlite restarts slowly (WASM start and recovery of the data directory: 15 to 90 s per round on a loaded
 * two-core machine), so CI runs 2 randomised kill points to stay inside its time budget; the
 * N=20 run is done by hand with PAYMENT_FAULT_KILLS=20 and its figures are in docs/lifecycle.md. The Postgres
 * run (payment-kill.test.ts) does N=20 in CI. What is checked: helpers/payment-kill-ledger.ts.
 */
import { test } from 'node:test';
import { killsFromEnv, ledgerTimeoutMs, runPaymentKillLedger } from './helpers/payment-kill-ledger.ts';

const KILLS = killsFromEnv(2);

test(`pglite: kill -9 at ${KILLS} random points of card checkouts: after reconciliation the provider's captures equal the store's payments, none doubled, no order stuck`, { timeout: ledgerTimeoutMs(KILLS, 'pglite') }, (t) =>
  runPaymentKillLedger(t, 'pglite', KILLS),
);

/**
 * Card payments survive kill -9, on the real Postgres: N=20 randomised kill points (PAYMENT_FAULT_KILLS to change
 * it, PAYMENT_FAULT_SEED to repeat a run). What is checked: helpers/payment-kill-ledger.ts.
 */
import { test } from 'node:test';
import { killsFromEnv, ledgerTimeoutMs, runPaymentKillLedger } from './helpers/payment-kill-ledger.ts';

const KILLS = killsFromEnv(20);

test(`postgres: kill -9 at ${KILLS} random points of card checkouts: after reconciliation the provider's captures equal the store's payments, none doubled, no order stuck`, { timeout: ledgerTimeoutMs(KILLS, 'postgres') }, (t) =>
  runPaymentKillLedger(t, 'postgres', KILLS),
);

/**
 * `npm run simulate` against a real store with every feature, its simulators and printer agents:
 * a short run makes the order, payment, revenue, print and sync series move; a fault scenario is
 * undone when the run ends; the options refuse anything but loopback.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { parseOptions, type Summary } from '../scripts/simulate.ts';
import { startSmsProvider } from '../src/sim/sms-provider.ts';
import { startWarehouse } from '../src/sim/warehouse.ts';
import { deltaSum, startHarness } from './helpers/store-harness.ts';

const SCRIPT = fileURLToPath(new URL('../scripts/simulate.ts', import.meta.url));

/** Runs the simulator as `npm run simulate` would, with --json; fails after `timeoutMs`. */
function runSimulate(args: readonly string[], timeoutMs = 90_000): Promise<{ code: number | null; summary: Summary | undefined; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SCRIPT, ...args, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`simulate did not finish in ${timeoutMs} ms; stderr: ${stderr.slice(-2000)}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = stdout.trim().split('\n').pop() ?? '';
      let summary: Summary | undefined;
      try {
        summary = JSON.parse(line) as Summary;
      } catch {
        summary = undefined;
      }
      resolve({ code, summary, stderr });
    });
  });
}

test('the options are bounded and loopback only', () => {
  const o = parseOptions(['--minutes', '0.2', '--rate', '3', '--scenario', 'sync-stall', '--url', 'http://localhost:4000']);
  assert.equal(o.minutes, 0.2);
  assert.equal(o.scenario, 'sync-stall');
  assert.equal(o.url, 'http://localhost:4000');
  const fromEnv = parseOptions([], { PORT: '4100', PAYMENT_SIM_PORT: '4101', WAREHOUSE_SIM_PORT: '0' });
  assert.deepEqual([fromEnv.url, fromEnv.paymentUrl, fromEnv.warehouseUrl], ['http://127.0.0.1:4100', 'http://127.0.0.1:4101', 'http://127.0.0.1:3102']);
  assert.equal(parseOptions(['--url', 'http://localhost:4000'], { PORT: '4100' }).url, 'http://localhost:4000');
  assert.throws(() => parseOptions(['--url', 'http://10.0.0.5:3000']), /this machine only/);
  assert.throws(() => parseOptions(['--url', 'http://example.com']), /this machine only/);
  assert.throws(() => parseOptions(['--warehouse-url', 'http://192.168.1.2:3102']), /this machine only/);
  assert.throws(() => parseOptions(['--scenario', 'chaos']), /--scenario: expected one of normal, payment-outage/);
  assert.throws(() => parseOptions(['--minutes', '0']), /--minutes/);
  assert.throws(() => parseOptions(['--rate', 'fast']), /--rate/);
  assert.throws(() => parseOptions(['--bogus']));
});

test('a short simulate run makes the business series move', async (t) => {
  const sms = await startSmsProvider();
  t.after(() => sms.close());
  const warehouse = await startWarehouse();
  t.after(() => warehouse.close());
  const h = await startHarness(t, 'pglite', {
    features: 'all',
    env: { SMS_PROVIDER_URL: sms.url, WAREHOUSE_URL: warehouse.url, SALES_SYNC_INTERVAL_MS: '200' },
  });
  if (!h) return;
  const base = ['--url', h.url, '--payment-url', h.payment.url, '--warehouse-url', warehouse.url, '--seed', '42'];

  await t.test('normal: orders, payments, revenue, printing and sync', async () => {
    const m0 = await h.metrics();
    const run = await runSimulate([...base, '--minutes', '0.2', '--rate', '4', '--scenario', 'normal']);
    assert.equal(run.code, 0, run.stderr);
    const s = run.summary;
    assert.ok(s, 'a JSON summary on stdout');
    assert.ok((s.counts.orders_completed ?? 0) > 0, JSON.stringify(s.counts));
    assert.ok(s.requests > 0 && s.requests <= 20_000);
    assert.ok(s.agents && s.agents.jobsReceived > 0, 'the simulated printer agents printed receipts');
    assert.equal(s.byStatus['400'], undefined, `the simulator sends only well-formed requests: ${JSON.stringify(s.byStatus)}`);
    assert.equal(s.counts.digital_receipts_failed, undefined, 'digital receipts go through');
    assert.ok((s.counts.offline_batches ?? 0) > 0, 'offline batches posted');

    const m1 = await h.metrics();
    for (const name of ['orders_completed_total', 'payments_successes_total', 'revenue_total', 'print_jobs_total', 'age_verifications_total', 'feature_flag_evaluations_total']) {
      assert.ok(deltaSum(m0, m1, name) > 0, `${name} moved`);
    }
    assert.ok(deltaSum(m0, m1, 'print_jobs_total', { outcome: 'success' }) > 0, 'receipts printed');
    const deadline = Date.now() + 15_000;
    while (deltaSum(m0, await h.metrics(), 'sync_records_total') === 0) {
      if (Date.now() > deadline) assert.fail('sync_records_total did not move');
      await sleep(100);
    }
  });

  await t.test('payment-outage: payments fail during the fault, and the provider is restored at the end', async () => {
    // 15 s, so the outage (the middle third) spans several checkouts even on a loaded machine.
    const m0 = await h.metrics();
    const run = await runSimulate([...base, '--minutes', '0.25', '--rate', '6', '--scenario', 'payment-outage', '--no-agents']);
    assert.equal(run.code, 0, run.stderr);
    const m1 = await h.metrics();
    assert.ok(deltaSum(m0, m1, 'payments_failures_total') > 0, 'payment failures counted during the outage');
    assert.equal(h.payment.config().outage, false, 'the outage was lifted');
  });
});

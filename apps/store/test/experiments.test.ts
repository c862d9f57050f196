/**
 * The feature flag and the A/B experiment: assignment is deterministic (the same terminal or customer
 * gets the same answer every time, computed without state), roughly balanced, and each unit's first
 * assignment and first conversion are counted once.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assignVariant, bucketOf, flagEnabled } from '../src/features/experiments/assignment.ts';
import { DEFAULT_EXPERIMENTS, DEFAULT_FLAGS } from '../src/features/experiments/catalogue.ts';
import { backends, delta, deltaSum, startHarness } from './helpers/store-harness.ts';

const receiptPrompt = DEFAULT_EXPERIMENTS[0]!;
const expressCheckout = DEFAULT_FLAGS[0]!;

test('assignment is a pure, stable and balanced function of the unit', () => {
  assert.equal(bucketOf('receipt_prompt', 'terminal', 'till-1'), bucketOf('receipt_prompt', 'terminal', 'till-1'));
  assert.notEqual(bucketOf('receipt_prompt', 'terminal', 'till-1'), bucketOf('express_checkout', 'terminal', 'till-1'), 'salted by key');
  const variants = new Map<string, number>();
  let on = 0;
  for (let i = 0; i < 2000; i++) {
    const v = assignVariant(receiptPrompt, { terminalId: `till-${i}` }).variant;
    variants.set(v, (variants.get(v) ?? 0) + 1);
    if (flagEnabled(expressCheckout, `till-${i}`)) on++;
  }
  assert.deepEqual([...variants.keys()].sort(), ['control', 'digital_first']);
  for (const n of variants.values()) assert.ok(n > 800 && n < 1200, `a 50/50 split within 10 points (got ${n} of 2000)`);
  assert.ok(on > 800 && on < 1200, `a 50% rollout within 10 points (got ${on} of 2000)`);
  assert.equal(flagEnabled({ ...expressCheckout, rolloutPercent: 0 }, 'till-1'), false);
  assert.equal(flagEnabled({ ...expressCheckout, rolloutPercent: 100 }, 'till-1'), true);
  const byCustomer = assignVariant(receiptPrompt, { terminalId: 'till-1', customerId: 'cus_42' });
  assert.equal(byCustomer.unitType, 'customer');
  assert.equal(byCustomer.variant, assignVariant(receiptPrompt, { terminalId: 'till-99', customerId: 'cus_42' }).variant, 'a customer sees the same variant at every till');
});

for (const backend of backends()) {
  test(`flags and experiments through the store on ${backend}`, async (t) => {
    const h = await startHarness(t, backend, { features: ['experiments'] });
    if (!h) return;
    const cashier = await h.token('cashier');

    await t.test('the config route lists the flag and the experiment', async () => {
      const r = await h.api('GET', '/experiments/config', { token: cashier });
      assert.equal(r.status, 200);
      assert.deepEqual(r.body.flags.map((f: { key: string }) => f.key), ['express_checkout']);
      assert.deepEqual(r.body.experiments[0].variants.map((v: { name: string }) => v.name), ['control', 'digital_first']);
      assert.equal((await h.api('GET', '/experiments/config')).status, 401);
    });

    await t.test('evaluation is deterministic, and each evaluation and first assignment is counted', async () => {
      const m0 = await h.metrics();
      const a = await h.api('GET', '/experiments/evaluate?terminal=till-7', { token: cashier });
      const b = await h.api('GET', '/experiments/evaluate?terminal=till-7', { token: cashier });
      assert.equal(a.status, 200, JSON.stringify(a.body));
      assert.deepEqual(a.body, b.body);
      const variant = assignVariant(receiptPrompt, { terminalId: 'till-7' }).variant;
      assert.deepEqual(a.body.experiments.receipt_prompt, { variant, unit: 'terminal' });
      assert.equal(a.body.flags.express_checkout, flagEnabled(expressCheckout, 'till-7'));
      const m1 = await h.metrics();
      assert.equal(deltaSum(m0, m1, 'feature_flag_evaluations_total', { flag: 'express_checkout' }), 2);
      assert.equal(delta(m0, m1, 'feature_flag_evaluations_total', { flag: 'express_checkout', variant: a.body.flags.express_checkout ? 'on' : 'off' }), 2);
      assert.equal(delta(m0, m1, 'experiment_assignments_total', { experiment: 'receipt_prompt', variant }), 1, 'assigned once however often evaluated');

      const c = await h.api('GET', '/experiments/evaluate?terminal=till-7&customer=cus_1', { token: cashier });
      assert.equal(c.body.experiments.receipt_prompt.unit, 'customer');
      assert.equal(c.body.experiments.receipt_prompt.variant, assignVariant(receiptPrompt, { terminalId: 'till-7', customerId: 'cus_1' }).variant);
    });

    await t.test('a conversion is counted once per unit, under its variant', async () => {
      const m0 = await h.metrics();
      const first = await h.api('POST', '/experiments/conversions', { token: cashier, body: { experiment: 'receipt_prompt', terminal: 'till-8' } });
      const again = await h.api('POST', '/experiments/conversions', { token: cashier, body: { experiment: 'receipt_prompt', terminal: 'till-8' } });
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.equal(first.body.first_conversion, true);
      assert.equal(again.body.first_conversion, false);
      const variant = assignVariant(receiptPrompt, { terminalId: 'till-8' }).variant;
      assert.equal(first.body.variant, variant);
      const m1 = await h.metrics();
      assert.equal(delta(m0, m1, 'experiment_conversions_total', { experiment: 'receipt_prompt', variant }), 1);
      assert.equal(delta(m0, m1, 'experiment_assignments_total', { experiment: 'receipt_prompt', variant }), 1, 'a unit converting unseen is assigned then');
    });

    await t.test('bad input gets stable codes', async () => {
      const unknown = await h.api('POST', '/experiments/conversions', { token: cashier, body: { experiment: 'nope', terminal: 'till-8' } });
      assert.equal(unknown.status, 404);
      assert.equal(unknown.body.error.code, 'STORE_EXPERIMENT_UNKNOWN');
      const noTerminal = await h.api('GET', '/experiments/evaluate', { token: cashier });
      assert.equal(noTerminal.status, 400);
      assert.equal(noTerminal.body.error.code, 'STORE_VALIDATION_FAILED');
    });
  });
}

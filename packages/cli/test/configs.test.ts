/**
 * The committed configs, imported statically so `tsc --noEmit` type-checks them (`satisfies TillwatchDeployConfig`)
 * and validated at run time the way `tillwatch generate` does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateDeployConfig } from 'tillwatch/spec/alerts';
import store from '../../../deploy/tillwatch.config.ts';
import minimal from '../testdata/in-minimal.ts';
import burn from '../testdata/in-burn.ts';
import goodMinimal from '../testdata/validate/good/good-minimal.ts';
import goodAll from '../testdata/validate/good/good-all-slos-28d.ts';
import { packAlertNames } from '../src/model/build-model.ts';

const configs = { store, minimal, burn, goodMinimal, goodAll };

for (const [name, config] of Object.entries(configs)) {
  test(`the ${name} config is a valid tillwatch/v1 deploy config`, () => {
    assert.deepEqual(validateDeployConfig(config, packAlertNames()), []);
  });
}

test('the store config pages on availability, latency and the business SLOs and reads secrets from files', () => {
  assert.equal(store.service, 'store');
  assert.deepEqual(store.slos.map((s) => s.name), ['availability', 'latency', 'payment-success', 'order-success', 'print-success', 'sync-freshness']);
  assert.ok('file' in store.alertmanager.receivers.pagerduty.routingKey);
});

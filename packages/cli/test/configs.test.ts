/**
 * The committed configs, imported statically so `tsc --noEmit` type-checks them (`satisfies TillwatchDeployConfig`)
 * and validated at run time the way `tillwatch generate` does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { syncFreshnessSlo } from '@tillwatch/spec';
import { validateDeployConfig } from '../src/model/validate-deploy-config.ts';
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

test('the deploy config validator names unknown keys, inline secrets and empty inhibition equal lists', () => {
  const config = {
    version: 'tillwatch/v1',
    service: 'store',
    team: 'ops',
    slos: [syncFreshnessSlo({ name: 'sync', target: 0.99, period: '30d', team: 'ops', pipeline: 'p', maxAgeSeconds: 900 })],
    prometheus: { scrape: { targets: ['store:3000'], tls: true }, alertmanagers: ['am:9093'] },
    alertmanager: {
      receivers: {
        pagerduty: { routingKey: 'abc' },
        slack: { apiUrl: { env: 'SLACK_URL' }, channel: '#x' },
        email: { to: 'a@b.c', from: 'd@e.f', smarthost: 'smtp:25', authPassword: { file: 'relative/path' } },
      },
      inhibitions: [{ source: { a: 'b' }, target: { c: 'd' }, equal: [] }],
    },
  };
  const problems = validateDeployConfig(config, ['ServiceDown']);
  assert.deepEqual(
    problems.map((x) => `${x.path} ${x.code}`),
    [
      'prometheus.scrape.tls TW_ERR_ALERTS_UNKNOWN_KEY',
      'alertmanager.receivers.pagerduty.routingKey TW_ERR_ALERTS_INLINE_SECRET',
      'alertmanager.receivers.email.authPassword.file TW_ERR_ALERTS_INVALID_SPEC',
      'alertmanager.inhibitions[0].equal TW_ERR_ALERTS_INHIBITION_EQUAL',
    ],
  );
});

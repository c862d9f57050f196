/** A deploy config's own catalogue: rules may read its metrics, and it is held to the built-in catalogue's rules. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closedLabel, counterSeries, defineAlert, defineCatalogue, defineMetric, type AlertSpec } from '@tillwatch/spec';
import { buildModel, packAlertNames } from '../src/model/build-model.ts';
import { validateDeployConfig } from '../src/model/validate-deploy-config.ts';
import { baseConfig } from '../testdata/base-config.ts';

const sessions = defineMetric({
  name: 'kiosk_sessions_total',
  type: 'counter',
  unit: 'count',
  group: 'kiosk',
  owner: 'service',
  help: 'Kiosk sessions, by how they ended.',
  question: 'Are customers abandoning the kiosk?',
  labels: { outcome: closedLabel('How the session ended.', ['paid', 'abandoned']) },
});
const kiosk = defineCatalogue({ kiosk: { title: 'Kiosks', summary: 'Self-service sessions.', metrics: { sessions } } });

const abandonAlert: AlertSpec = defineAlert({
  name: 'KioskAbandonRateHigh',
  severity: 'warning',
  for: '15m',
  group: 'kiosk',
  team: 'kiosk-team',
  expr: `sum(rate(${sessions.select({ outcome: 'abandoned' })}[10m])) / sum(rate(${sessions}[10m])) > 0.3`,
  summary: 'A third of kiosk sessions are abandoned',
  description: '{{ $value | humanizePercentage }} of sessions were abandoned.',
  runbook: '1. Try the kiosk flow yourself.',
  test: {
    firing: [counterSeries(sessions, { outcome: 'abandoned' }, 4), counterSeries(sessions, { outcome: 'paid' }, 6)],
    quiet: [counterSeries(sessions, { outcome: 'abandoned' }, 2), counterSeries(sessions, { outcome: 'paid' }, 8)],
    trueAfterMinutes: 10,
  },
});

test('an alert may read a metric the service declares in its catalogue, and only then', () => {
  const withCatalogue = { ...baseConfig, catalogue: kiosk, alerts: { extra: [abandonAlert] } };
  assert.deepEqual(validateDeployConfig(withCatalogue, packAlertNames()), []);
  const model = buildModel(withCatalogue, 'kiosk.ts');
  assert.equal(model.catalogue.metrics.kiosk?.sessions, sessions);
  const without = { ...baseConfig, alerts: { extra: [abandonAlert] } };
  const problems = validateDeployConfig(without, packAlertNames());
  assert.ok(problems.some((p) => p.code === 'TW_ERR_ALERTS_UNKNOWN_METRIC' && p.message.includes('kiosk_sessions_total')), JSON.stringify(problems));
});

test('a service catalogue that is not one, reuses a built-in name or key, or breaks the naming rules is rejected', () => {
  const problemsOf = (catalogue: unknown) => validateDeployConfig({ ...baseConfig, catalogue }, packAlertNames()).map((p) => `${p.path}: ${p.message}`);
  assert.ok(problemsOf({ kiosk: sessions }).some((p) => p.startsWith('catalogue: must be a catalogue built with defineCatalogue()')));
  const reused = defineMetric({ ...sessions, name: 'orders_completed_total' });
  assert.ok(problemsOf(defineCatalogue({ kiosk: { title: 'K', summary: 'K.', metrics: { reused } } })).some((p) => p.includes('already used by')));
  assert.ok(problemsOf(defineCatalogue({ orders: { title: 'K', summary: 'K.', metrics: { completed: defineMetric({ ...sessions, group: 'orders' }) } } })).some((p) => p.startsWith('catalogue.orders.completed')));
  const badName = defineMetric({ ...sessions, name: 'kioskSessions' });
  assert.ok(problemsOf(defineCatalogue({ kiosk: { title: 'K', summary: 'K.', metrics: { badName } } })).some((p) => p.includes('must end in _total')));
});

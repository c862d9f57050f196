/**
 * The synthetic checkout journey, end to end: the store runs as `npm start` does with its simulated printer
 * agents and the journey every 2 s; while the payment provider is down the journey fails at its `pay` step,
 * `probe_success{journey="checkout"}` drops to 0 and SyntheticJourneyFailing fires in process (its `for` cut to
 * 5 s through the deploy config the store evaluates); when the provider is back the journey succeeds again and
 * the alert resolves. Every wait is an event with a deadline.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inProcessDeployConfig, startProviders } from './helpers/alerting/in-process-stack.ts';
import { waitFor } from './helpers/alerting/processes.ts';
import { startStoreProcess } from './helpers/alerting/store-process.ts';

const ALERT = 'SyntheticJourneyFailing';

test('the checkout journey fails at pay and alerts while the payment provider is down, and recovers', { timeout: 300_000 }, async (t) => {
  const deployConfig = await inProcessDeployConfig(t, { overrides: { [ALERT]: { for: '5s' } } });
  const { payment, env } = await startProviders(t);
  const store = await startStoreProcess(t, {
    ...env,
    PRINTER_SIM_AGENTS: '1',
    SYNTHETIC_JOURNEYS: 'on',
    SYNTHETIC_INTERVAL_MS: '2000',
    TILLWATCH_DEPLOY_CONFIG: deployConfig,
    WINDOWS_SAMPLE_INTERVAL_MS: '1000',
  });
  assert.match(store.stderr(), /synthetic\s+checkout journey every 2 s/);

  const metric = async (series: string): Promise<number | undefined> => {
    const text = await (await fetch(`${store.url}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };
  const alertState = async (): Promise<string | undefined> => {
    const s = (await (await fetch(`${store.url}/console/api/state`, { signal: AbortSignal.timeout(10_000) })).json()) as { alerts: { name: string; state: string }[] };
    return s.alerts.find((a) => a.name === ALERT)?.state;
  };
  const SUCCESS = 'probe_success{journey="checkout"}';

  await waitFor('a successful checkout journey (receipt printed)', 90_000, async () => ((await metric(SUCCESS)) === 1 ? true : undefined), 1000);
  assert.equal(await alertState(), undefined);

  payment.configure({ outage: true });
  await waitFor('the journey to fail at pay', 60_000, async () => ((await metric(SUCCESS)) === 0 && ((await metric('probe_step_failures_total{journey="checkout",step="pay"}')) ?? 0) >= 1 ? true : undefined), 1000);
  await waitFor(`${ALERT} to fire in process`, 60_000, async () => ((await alertState()) === 'firing' ? true : undefined), 1000);
  assert.equal((await metric('probe_step_failures_total{journey="checkout",step="receipt_printed"}')) ?? 0, 0, 'no failure was blamed on a later step');

  payment.configure({ outage: false });
  await waitFor('the journey to succeed again', 60_000, async () => ((await metric(SUCCESS)) === 1 ? true : undefined), 1000);
  await waitFor(`${ALERT} to resolve`, 60_000, async () => ((await alertState()) === undefined ? true : undefined), 1000);
  assert.ok(((await metric('probe_runs_total{journey="checkout"}')) ?? 0) >= 3);
});

/**
 * The live console in real headless Chromium (playwright-core driving /usr/bin/chromium): the store runs as
 * `npm start` runs it (console on), the simulator rings up sales, and the payment provider's outage switch (the
 * one the simulator's payment-outage scenario flips) is turned on. The page draws the dashboards the deploy
 * config generates for Grafana (the same panel definitions): the service and commerce panels must have data, the
 * provider failures must show, PaymentFailureRateHigh must show as firing, a pie chart (a kind the console does
 * not draw) must be a labelled placeholder, and the security dashboard must draw its panels; screenshots are
 * written to artefacts/console/ (kept by CI) before and during the outage.
 *
 * Test-only settings, through the deploy config the store evaluates (TILLWATCH_DEPLOY_CONFIG): a 30 s rate window
 * and PaymentFailureRateHigh at 25% for 10 s, with the registry sampled every second, so the alert fires within
 * seconds of the outage. Every wait is an event with a deadline.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { requireReal } from '../../../packages/tillwatch/test/helpers/real-parts.ts';
import { inProcessDeployConfig, startProviders } from './helpers/alerting/in-process-stack.ts';
import { waitFor } from './helpers/alerting/processes.ts';
import { startSimulator } from './helpers/alerting/simulator.ts';
import { startStoreProcess } from './helpers/alerting/store-process.ts';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ARTEFACTS = process.env.TILLWATCH_ARTEFACTS_DIR ?? fileURLToPath(new URL('../../../artefacts/console/', import.meta.url));
const ALERT = 'PaymentFailureRateHigh';

test('the console draws the payment panels and shows the payment alert during a payment outage', { timeout: 300_000 }, async (t) => {
  if (!requireReal(t, 'chromium', existsSync(CHROMIUM), 'apt-get install chromium, or run bash .ci/run')) return;
  mkdirSync(ARTEFACTS, { recursive: true });
  const deployConfig = await inProcessDeployConfig(t, { thresholds: { rateWindow: '30s', paymentFailureRatio: 0.25 }, overrides: { [ALERT]: { for: '10s' } } });
  const { payment, smsUrl, warehouseUrl, env } = await startProviders(t);
  const store = await startStoreProcess(t, { ...env, TILLWATCH_DEPLOY_CONFIG: deployConfig, WINDOWS_SAMPLE_INTERVAL_MS: '1000' });
  const consoleUrl = /^\s*console\s+(http:\/\/\S+)/m.exec(store.stderr())?.[1];
  assert.equal(consoleUrl, `${store.url}/console/`, 'npm start prints the console URL');

  const sim = startSimulator(t, ['--url', store.url, '--payment-url', payment.url, '--sms-url', smsUrl, '--warehouse-url', warehouseUrl, '--scenario', 'normal', '--minutes', '4', '--rate', '3', '--no-agents', '--seed', '20261207']);
  t.after(() => sim.stop());

  const userDataDir = mkdtempSync(join(tmpdir(), 'tillwatch-console-chromium-'));
  t.after(() => rmSync(userDataDir, { recursive: true, force: true }));
  const browser = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, timeout: 30_000, viewport: { width: 1400, height: 1500 } });
  t.after(() => browser.close());
  try {
    browser.setDefaultTimeout(15_000);
    const page = await browser.newPage();
    await page.goto(consoleUrl!);
    const points = async (title: string) => Number((await page.getAttribute(`[data-panel="${title}"]`, 'data-points')) ?? 0);
    const show = async (uid: string) => {
      await page.click(`[data-nav="${uid}"]`);
      await waitFor(`the ${uid} dashboard to be drawn`, 30_000, async () => ((await page.getAttribute('#dashboards', 'data-dashboard')) === uid ? true : undefined), 250);
    };
    // The first dashboard (service health) opens by default.
    await waitFor('the request panels to have data', 90_000, async () => ((await points('Requests per second')) > 3 ? true : undefined), 1000);
    await show('store-commerce');
    await waitFor('the payment panels to have data', 90_000, async () => ((await points('Payment success by method')) > 3 ? true : undefined), 1000);
    assert.equal(await page.locator('[data-panel="Age verifications by result"][data-unsupported="piechart"]').count(), 1, 'a pie chart is a labelled placeholder');
    assert.match((await page.textContent('[data-panel="Age verifications by result"]')) ?? '', /not drawn by the console/);
    assert.equal(await page.locator('[data-alert="PaymentFailureRateHigh"][data-state="firing"]').count(), 0, 'no payment alert before the outage');
    await page.screenshot({ path: join(ARTEFACTS, 'console-before-outage.png'), fullPage: true });

    payment.configure({ outage: true });
    await waitFor(`${ALERT} to show as firing`, 120_000, async () => ((await page.locator(`[data-alert="${ALERT}"][data-state="firing"]`).count()) > 0 ? true : undefined), 1000);
    await waitFor('the payment failure panel to show the provider failures', 30_000, async () => (/provider_unavailable|timeout|network_error/.test((await page.textContent('[data-panel="Payment failures per minute by reason"]')) ?? '') ? true : undefined), 1000);
    assert.ok((await points('Payment system-failure ratio')) > 0);
    const sloRow = (await page.textContent('[data-slo="payment-success"]')) ?? '';
    assert.match(sloRow, /payment-success/);
    assert.ok((await page.locator('[data-check="pglite"]').count()) === 1, 'dependency health lists the database');
    await page.screenshot({ path: join(ARTEFACTS, 'console-payment-outage.png'), fullPage: true });
    await page.locator('#alerts').screenshot({ path: join(ARTEFACTS, 'console-alerts.png') });

    // The security panels come from the same spec: the attack gauges are drawn (0 under normal traffic).
    await show('store-security');
    await waitFor('the security panels to be drawn', 30_000, async () => ((await points('Brute-force sources')) > 0 && (await points('Password-spray sources')) > 0 ? true : undefined), 1000);
    await page.screenshot({ path: join(ARTEFACTS, 'console-security.png'), fullPage: true });
  } finally {
    await browser.close();
  }
});

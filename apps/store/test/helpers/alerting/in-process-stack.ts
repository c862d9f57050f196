/**
 * For tests of the store's in-process monitoring (console, synthetic journeys): a deploy config with test alert
 * overrides and no real Prometheus or Alertmanager behind it, and the simulated providers on free ports, closed in
 * `t.after`, with the variables that point the store at them.
 */
import type { TestContext } from 'node:test';
import { startPaymentProvider, type PaymentProviderSim } from '../../../src/sim/payment-provider.ts';
import { startSmsProvider } from '../../../src/sim/sms-provider.ts';
import { startWarehouse } from '../../../src/sim/warehouse.ts';
import { tempDir } from './processes.ts';
import { generateTestBundle, type DeployOverrides } from './test-bundle.ts';

/** Writes the store's deploy config with `alerts` merged over it; returns the file for TILLWATCH_DEPLOY_CONFIG. */
export async function inProcessDeployConfig(t: TestContext, alerts: DeployOverrides['alerts']): Promise<string> {
  const bundle = await generateTestBundle(tempDir(t, 'tillwatch-in-process-'), {
    ...(alerts ? { alerts } : {}),
    // Never contacted: the rules are evaluated in process.
    prometheus: { scrape: { targets: ['127.0.0.1:9'] }, alertmanagers: ['127.0.0.1:9'] },
    alertmanager: {
      receivers: {
        pagerduty: { routingKey: { env: 'PD_KEY' } },
        slack: { apiUrl: { env: 'SLACK_URL' }, channel: '#x' },
        email: { to: 'ops@example.com', from: 'am@example.com', smarthost: '127.0.0.1:25', requireTls: false },
      },
    },
  });
  return bundle.configFile;
}

export interface Providers {
  readonly payment: PaymentProviderSim;
  readonly smsUrl: string;
  readonly warehouseUrl: string;
  /** PAYMENT_PROVIDER_URL, SMS_PROVIDER_URL and WAREHOUSE_URL. */
  readonly env: Record<string, string>;
}

/** Starts the payment, SMS and warehouse simulators; the payment outage is switched off again in `t.after`. */
export async function startProviders(t: TestContext): Promise<Providers> {
  const payment = await startPaymentProvider();
  t.after(() => payment.close());
  t.after(() => payment.configure({ outage: false }));
  const sms = await startSmsProvider();
  t.after(() => sms.close());
  const warehouse = await startWarehouse();
  t.after(() => warehouse.close());
  return { payment, smsUrl: sms.url, warehouseUrl: warehouse.url, env: { PAYMENT_PROVIDER_URL: payment.url, SMS_PROVIDER_URL: sms.url, WAREHOUSE_URL: warehouse.url } };
}

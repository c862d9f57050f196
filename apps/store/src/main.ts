/**
 * `npm start`: the store and its simulated providers on embedded defaults (PGlite in
 * TILLWATCH_DATA_DIR, in-memory cache, the simulated payment provider), then prints where to look.
 *
 * Set PAYMENT_PROVIDER_URL, SMS_PROVIDER_URL or WAREHOUSE_URL to use a real endpoint instead of starting
 * that simulator; PAYMENT_SIM_PORT (default 3100), SMS_SIM_PORT (3101) and WAREHOUSE_SIM_PORT (3102)
 * pick the simulators' ports (0: any free port).
 */
import { readFileSync } from 'node:fs';
import { createTillwatch } from 'tillwatch';
import { DEMO_USERS } from './auth/demo-users.ts';
import { loadConfig, StoreConfigError, type StoreConfig } from './config.ts';
import { connectPrinterSimulators, envWithSimulators, startSimulators, type RunningSimulator } from './sim/simulators.ts';
import { consoleEnabled, CONSOLE_PATH } from './http/console.ts';
import { startStore } from './store.ts';
import { journeysEnabled, startCheckoutJourney } from './synthetic/journey-config.ts';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

async function main(): Promise<void> {
  const config = loadConfig();
  const tw = createTillwatch({
    service: { name: 'store', version: pkg.version },
    // Who calls the API: tills and apps send X-API-Version; the edge in front of the store sets X-Client-Region.
    metrics: { clients: { enabled: true, apiVersionHeader: 'x-api-version', regionHeader: 'x-client-region' } },
  });
  const log = tw.logger.child({ module: 'main' });
  if (config.jwtSecretIsDefault) {
    log.warn(
      { code: 'STOREWRN001' },
      'JWT_SECRET is not set: login tokens are signed with a PUBLIC development key. Anyone can forge a manager token. Set JWT_SECRET (>= 32 random characters) outside development.',
    );
  }

  const sims: RunningSimulator[] = await startSimulators(config);
  for (const s of sims) tw.onShutdown(`simulator ${s.name}`, () => s.close());
  const payment = sims.find((s) => s.name === 'payment-provider');
  const effective: StoreConfig = Object.freeze({
    ...config,
    paymentProviderUrl: payment ? payment.url : config.paymentProviderUrl,
    env: envWithSimulators(config.env, sims),
  });

  const store = await startStore({ config: effective, tw, console: consoleEnabled(config.env) });
  const printers = await connectPrinterSimulators(store.url, effective);
  if (printers) {
    // Registered after the store: hooks run in reverse order, so the agents disconnect before the store closes.
    tw.onShutdown('simulator printer-agents', () => printers.close());
    sims.push(printers);
  }
  const journeys = journeysEnabled(config.env, printers !== undefined) ? startCheckoutJourney(tw, store.url, config) : undefined;
  if (journeys) tw.onShutdown('synthetic journeys', () => journeys.stop());
  const lines = [
    '',
    `  tillwatch reference store ${pkg.version} is up (${store.deps.db.kind}, ${store.deps.cache.kind} cache)`,
    '',
    `  store             ${store.url}`,
    `  metrics           ${store.url}/metrics`,
    `  readiness         ${store.url}/health/ready   (also /health/live, /health/startup, /health)`,
    `  dead letters      ${store.url}/admin/dlq   (admin; receipts and the warehouse sync, docs/delivery.md)`,
    store.monitoring
      ? `  console           ${store.url}${CONSOLE_PATH}/   (dashboards, alerts, SLOs, dependencies, dead letters; docs/console.md)`
      : `  console           off (TILLWATCH_CONSOLE=on to serve ${CONSOLE_PATH}/; docs/console.md)`,
    journeys
      ? `  synthetic         checkout journey every ${journeys.intervalMs / 1000} s (probe_success{journey="checkout"}; docs/synthetic.md)`
      : '  synthetic         off (SYNTHETIC_JOURNEYS=on to run the checkout journey; docs/synthetic.md)',
    `  api docs          docs/api.md`,
    ...sims.map((s) => `  ${s.name.padEnd(17)} ${s.url}${s.note ? `   (${s.note})` : ''}`),
    `  features          ${store.features.join(', ')}`,
    '',
    '  demo users (POST /auth/login {"username","password"}):',
    ...DEMO_USERS.map((u) => `    ${u.username.padEnd(8)} / ${u.password.padEnd(16)} role ${u.role}`),
    `  locations         ${config.locations.join(', ')}`,
    '',
    `  try:  TOKEN=$(curl -s localhost:${store.port}/auth/login -H 'content-type: application/json' \\`,
    `          -d '{"username":"cashier","password":"demo-cashier-pw"}' | node -pe 'JSON.parse(require("fs").readFileSync(0)).token')`,
    `        curl -s localhost:${store.port}/products -H "authorization: Bearer $TOKEN"`,
    `  load: npm run simulate -- --minutes 1 --url ${store.url}`,
    '',
  ];
  process.stderr.write(lines.join('\n') + '\n');
}

main().catch((err: unknown) => {
  if (err instanceof StoreConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`store failed to start: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});

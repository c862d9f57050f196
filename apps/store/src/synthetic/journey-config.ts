/** Reads the synthetic-journey variables (see checkout-journey.ts) and starts the journey for main.ts. */
import { STORE_CHECKOUT_JOURNEY } from '@tillwatch/spec';
import type { Tillwatch } from 'tillwatch';
import { DEMO_USERS } from '../auth/demo-users.ts';
import { StoreConfigError, type StoreConfig } from '../config.ts';
import type { JourneyRunner } from 'tillwatch/synthetic';
import { checkoutJourney } from './checkout-journey.ts';

/** On when SYNTHETIC_JOURNEYS says so; by default only with simulated printer agents outside production. */
export function journeysEnabled(env: StoreConfig['env'], simulatedPrinters: boolean): boolean {
  const v = env.SYNTHETIC_JOURNEYS?.trim().toLowerCase();
  if (v === undefined || v === '') return simulatedPrinters && env.NODE_ENV !== 'production';
  if (v === 'on' || v === 'true' || v === '1') return true;
  if (v === 'off' || v === 'false' || v === '0') return false;
  throw new StoreConfigError([{ variable: 'SYNTHETIC_JOURNEYS', expected: 'on or off', got: JSON.stringify(v) }]);
}

/** Starts the checkout journey against `baseUrl`. @throws StoreConfigError on a bad variable. */
export function startCheckoutJourney(tw: Tillwatch, baseUrl: string, config: StoreConfig): JourneyRunner {
  const { env } = config;
  const raw = env.SYNTHETIC_INTERVAL_MS?.trim();
  const intervalMs = raw ? Number(raw) : STORE_CHECKOUT_JOURNEY.intervalSeconds * 1000;
  if (!Number.isInteger(intervalMs) || intervalMs < 1000 || intervalMs > 3_600_000) {
    throw new StoreConfigError([{ variable: 'SYNTHETIC_INTERVAL_MS', expected: 'an integer from 1000 to 3600000', got: JSON.stringify(raw) }]);
  }
  const location = env.SYNTHETIC_LOCATION?.trim() || config.locations[0]!;
  if (!config.locations.includes(location)) {
    throw new StoreConfigError([{ variable: 'SYNTHETIC_LOCATION', expected: `one of LOCATIONS (${config.locations.join(', ')})`, got: JSON.stringify(location) }]);
  }
  const cashier = DEMO_USERS.find((u) => u.role === 'cashier')!;
  const runner = checkoutJourney({
    tw,
    baseUrl,
    location,
    username: env.SYNTHETIC_USERNAME?.trim() || cashier.username,
    password: env.SYNTHETIC_PASSWORD ?? cashier.password,
    ...(env.SYNTHETIC_SKU?.trim() ? { sku: env.SYNTHETIC_SKU.trim() } : {}),
    intervalMs,
  });
  runner.start();
  return runner;
}

/**
 * The one place the store binds to tillwatch's metric catalogue.
 *
 * - `deps.commerce` is tillwatch's commerce recorders (`createCommerceMetrics`), shared with the
 *   features (printing, sync, offline queue, analytics).
 * - {@link createStoreTelemetry} maps the core store's business events onto those recorders, plus the
 *   cache counters of tillwatch/redis, by keyspace.
 */
import { createCommerceMetrics, type CommerceMetrics, type Tillwatch } from 'tillwatch';
import { createCacheMetrics } from 'tillwatch/redis';
import type { StoreTelemetry } from './telemetry.ts';

/** The store's cache keyspaces: the closed set of the `cache` label. */
export const CACHE_KEYSPACES = ['products'] as const;

export type { CommerceMetrics } from 'tillwatch';

/** Registers the commerce recorders on the instance's metrics (idempotent per instance). */
export function createStoreCommerce(tw: Tillwatch, currency: string): CommerceMetrics {
  return createCommerceMetrics(tw.metrics, { currency });
}

export function createStoreTelemetry(tw: Tillwatch, commerce: CommerceMetrics): StoreTelemetry {
  const cache = createCacheMetrics(tw.metrics, CACHE_KEYSPACES);

  return {
    orderCompleted: (o) => commerce.orders.completed({ location: o.location, channel: o.channel, valueMinor: o.total, currency: o.currency, items: o.items }),
    orderFailed: (o, reason) => commerce.orders.failed({ location: o.location, channel: o.channel, reason }),
    orderVoided: (o, reason) => commerce.orders.voided({ location: o.location, channel: o.channel, reason }),
    paymentCall: (method, operation, seconds, failure) => {
      const wireMethod = method === 'mobile' ? 'mobile_wallet' : method;
      if (failure === undefined) commerce.payments.succeeded({ method: wireMethod, operation, durationSeconds: seconds });
      else commerce.payments.failed({ method: wireMethod, operation, reason: failure, durationSeconds: seconds });
    },
    paymentsUnknown: (count) => commerce.payments.unknown(count),
    paymentReconciled: (resolution) => commerce.payments.reconciled(resolution),
    paymentReconciliationFinished: () => commerce.payments.reconciliationFinished(),
    refunded: (location, currency, amount) => commerce.revenue.refunded({ location, currency, amountMinor: amount }),
    stockReserved: (location, units) => commerce.inventory.reserved({ location, quantity: units }),
    stockReleased: (location, units, reason) => commerce.inventory.released({ location, quantity: units, reason }),
    stockLevels: (location, low, out) => commerce.inventory.stockLevels({ location, lowStockProducts: low, outOfStockProducts: out }),
    ageVerification: (location, result, method) => commerce.compliance.ageVerification({ location, result, method }),
    customer: (kind, location, channel) => commerce.customers.identified({ location, channel, firstOrder: kind === 'new' }),
    loyaltyPoints: (kind, location, points) =>
      kind === 'earned' ? commerce.customers.pointsEarned({ location, points }) : commerce.customers.pointsRedeemed({ location, points }),
    cacheLookup: (keyspace, outcome, operation = 'get') => {
      if (outcome === 'hit') cache.hit(keyspace);
      else if (outcome === 'miss') cache.miss(keyspace);
      else cache.error(keyspace, operation);
    },
  };
}

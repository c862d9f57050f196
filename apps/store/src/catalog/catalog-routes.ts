/**
 * GET  /locations
 * GET  /products                          the active catalogue
 * GET  /products/:sku
 * GET  /locations/:location/stock         stock per product, and the low-stock count
 * PUT  /locations/:location/stock/:sku    set on-hand stock (receiving, stock take; manager)
 */
import type { FastifyInstance } from 'fastify';
import { authenticate, requireRole, userOf } from '../auth/auth-plugin.ts';
import type { StoreDeps } from '../deps.ts';
import { StoreError } from '../http/store-error.ts';
import { bodyOf, invalid } from '../http/validate.ts';
import type { Product, ProductRepository } from './product-repository.ts';

const productView = (p: Product) => ({ sku: p.sku, name: p.name, category: p.category, price: p.price, age_restricted: p.ageRestricted });

export async function catalogRoutes(app: FastifyInstance, deps: StoreDeps, products: ProductRepository): Promise<void> {
  const knownLocation = (location: string): string => {
    if (!deps.config.locations.includes(location)) throw new StoreError('STORE_UNKNOWN_LOCATION');
    return location;
  };

  app.get('/locations', { preHandler: authenticate }, async () => ({
    locations: deps.config.locations.map((id) => ({ id })),
    currency: deps.config.currency,
  }));

  app.get('/products', { preHandler: authenticate }, async () => ({
    currency: deps.config.currency,
    products: (await products.list()).map(productView),
  }));

  app.get<{ Params: { sku: string } }>('/products/:sku', { preHandler: authenticate }, async (request) => {
    const p = await products.get(request.params.sku);
    if (!p) throw new StoreError('STORE_PRODUCT_NOT_FOUND');
    return productView(p);
  });

  app.get<{ Params: { location: string } }>('/locations/:location/stock', { preHandler: authenticate }, async (request) => {
    const location = knownLocation(request.params.location);
    const stock = await products.stock(location);
    return {
      location,
      low_stock_threshold: deps.config.lowStockThreshold,
      low_stock_count: stock.filter((s) => s.low).length,
      items: stock.map((s) => ({ sku: s.sku, name: s.name, on_hand: s.onHand, reserved: s.reserved, available: s.available, low: s.low })),
    };
  });

  app.put<{ Params: { location: string; sku: string } }>(
    '/locations/:location/stock/:sku',
    { preHandler: requireRole('manager', 'admin') },
    async (request) => {
      const location = knownLocation(request.params.location);
      const b = bodyOf(request.body);
      const onHand = b.on_hand;
      if (typeof onHand !== 'number' || !Number.isInteger(onHand) || onHand < 0 || onHand > 1_000_000) {
        throw invalid('on_hand', 'an integer between 0 and 1000000', onHand);
      }
      const product = await products.get(request.params.sku);
      if (!product) throw new StoreError('STORE_UNKNOWN_SKU');
      const user = userOf(request);
      const r = await deps.db.tx(async (q) => {
        const before = await q.query<{ on_hand: number }>('SELECT on_hand FROM stock WHERE location_id = $1 AND sku = $2', [location, product.sku]);
        const changed = await products.setOnHand(q, location, product.sku, onHand);
        if (changed) await deps.audit.record(q, user, { action: 'stock.set', target: `stock:${location}/${product.sku}`, before: { on_hand: before[0]?.on_hand ?? null }, after: { on_hand: onHand } });
        return changed;
      });
      if (!r) throw new StoreError('STORE_INSUFFICIENT_STOCK', 'on_hand cannot go below the units reserved by open orders');
      await products.refreshStockLevels([location]);
      return { location, sku: product.sku, on_hand: r.onHand, reserved: r.reserved, available: r.onHand - r.reserved };
    },
  );
}

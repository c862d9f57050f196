/**
 * Products and stock. Product lookups go through the cache (key `product:<sku>`, TTL
 * PRODUCT_CACHE_TTL_SECONDS); stock never does: it changes on every order and must be read inside the
 * order's transaction.
 */
import type { StoreDeps } from '../deps.ts';
import type { Queryable } from '../db/db.ts';
import type { StoreTelemetry } from '../telemetry.ts';

export interface Product {
  readonly sku: string;
  readonly name: string;
  readonly category: string;
  /** Minor units. */
  readonly price: number;
  readonly ageRestricted: boolean;
  readonly active: boolean;
}

export interface StockLevel {
  readonly sku: string;
  readonly name: string;
  readonly onHand: number;
  readonly reserved: number;
  readonly available: number;
  readonly low: boolean;
}

interface ProductRow {
  sku: string;
  name: string;
  category: string;
  price: number;
  age_restricted: boolean;
  active: boolean;
}

function toProduct(r: ProductRow): Product {
  return { sku: r.sku, name: r.name, category: r.category, price: r.price, ageRestricted: r.age_restricted, active: r.active };
}

export class ProductRepository {
  readonly #deps: StoreDeps;
  #telemetry: StoreTelemetry | undefined;

  constructor(deps: StoreDeps, telemetry?: StoreTelemetry) {
    this.#deps = deps;
    this.#telemetry = telemetry;
  }

  async list(): Promise<Product[]> {
    const rows = await this.#deps.db.query<ProductRow>('SELECT sku, name, category, price, age_restricted, active FROM products WHERE active ORDER BY category, sku');
    return rows.map(toProduct);
  }

  /** Products by SKU, through the cache. Unknown SKUs are absent from the map. */
  async bySkus(skus: readonly string[]): Promise<Map<string, Product>> {
    const out = new Map<string, Product>();
    const missing: string[] = [];
    const unique = [...new Set(skus)];
    const cached = await Promise.all(unique.map((s) => this.#deps.cache.get(`product:${s}`)));
    unique.forEach((sku, i) => {
      const hit = cached[i];
      if (hit !== undefined) {
        try {
          out.set(sku, JSON.parse(hit) as Product);
          return;
        } catch {
          // a corrupt entry is a miss
        }
      }
      missing.push(sku);
    });
    if (missing.length > 0) {
      const rows = await this.#deps.db.query<ProductRow>(
        'SELECT sku, name, category, price, age_restricted, active FROM products WHERE sku = ANY($1::text[]) AND active',
        [missing],
      );
      const ttl = this.#deps.config.productCacheTtlSeconds;
      await Promise.all(
        rows.map(async (r) => {
          const p = toProduct(r);
          out.set(p.sku, p);
          await this.#deps.cache.set(`product:${p.sku}`, JSON.stringify(p), ttl);
        }),
      );
    }
    return out;
  }

  async get(sku: string): Promise<Product | undefined> {
    return (await this.bySkus([sku])).get(sku);
  }

  async stock(location: string): Promise<StockLevel[]> {
    const threshold = this.#deps.config.lowStockThreshold;
    const rows = await this.#deps.db.query<{ sku: string; name: string; on_hand: number; reserved: number }>(
      `SELECT s.sku, p.name, s.on_hand, s.reserved FROM stock s JOIN products p ON p.sku = s.sku
       WHERE s.location_id = $1 ORDER BY s.sku`,
      [location],
    );
    return rows.map((r) => ({
      sku: r.sku,
      name: r.name,
      onHand: r.on_hand,
      reserved: r.reserved,
      available: r.on_hand - r.reserved,
      low: r.on_hand - r.reserved <= threshold,
    }));
  }

  /** Sets on-hand stock (receiving, stock take). @returns false when the product or location is unknown. */
  async setOnHand(q: Queryable, location: string, sku: string, onHand: number): Promise<{ onHand: number; reserved: number } | undefined> {
    const rows = await q.query<{ on_hand: number; reserved: number }>(
      `UPDATE stock SET on_hand = $3, updated_at = now() WHERE location_id = $1 AND sku = $2 AND reserved <= $3 RETURNING on_hand, reserved`,
      [location, sku, onHand],
    );
    const r = rows[0];
    return r ? { onHand: r.on_hand, reserved: r.reserved } : undefined;
  }

  /** Recomputes the low-stock and out-of-stock counts of locations and hands them to telemetry. */
  async refreshStockLevels(locations: readonly string[]): Promise<void> {
    if (!this.#telemetry || locations.length === 0) return;
    const threshold = this.#deps.config.lowStockThreshold;
    const rows = await this.#deps.db.query<{ location_id: string; low: number; out: number }>(
      `SELECT location_id,
              count(*) FILTER (WHERE on_hand - reserved <= $2)::int AS low,
              count(*) FILTER (WHERE on_hand - reserved <= 0)::int AS out
       FROM stock WHERE location_id = ANY($1::text[]) GROUP BY location_id`,
      [locations, threshold],
    );
    for (const r of rows) this.#telemetry.stockLevels(r.location_id, r.low, r.out);
  }
}

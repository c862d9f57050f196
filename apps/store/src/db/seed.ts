/**
 * Demo data for a liquor store, inserted at start-up when missing (idempotent: existing rows are
 * never changed, so stock levels survive restarts). Beers, wines and spirits are age-restricted;
 * snacks and mixers are not.
 */
import { DEMO_USERS } from '../auth/demo-users.ts';
import { hashPassword } from '../auth/passwords.ts';
import type { Db } from './db.ts';

export interface SeedProduct {
  readonly sku: string;
  readonly name: string;
  readonly category: 'beer' | 'wine' | 'spirits' | 'snacks' | 'mixers';
  /** Minor units. */
  readonly price: number;
  readonly ageRestricted: boolean;
  /** Initial on-hand stock per location. */
  readonly stock: number;
}

const SEED_PRODUCTS: readonly SeedProduct[] = [
  { sku: 'BEER-IPA-6PK', name: 'Hoppy Trail IPA 6-pack', category: 'beer', price: 1299, ageRestricted: true, stock: 200 },
  { sku: 'BEER-LAGER-12PK', name: 'Golden Valley Lager 12-pack', category: 'beer', price: 1899, ageRestricted: true, stock: 150 },
  { sku: 'BEER-STOUT-4PK', name: 'Night Harbor Stout 4-pack', category: 'beer', price: 1099, ageRestricted: true, stock: 80 },
  { sku: 'WINE-CAB-750', name: 'Ridge Road Cabernet Sauvignon 750ml', category: 'wine', price: 2499, ageRestricted: true, stock: 120 },
  { sku: 'WINE-CHARD-750', name: 'Sunny Slope Chardonnay 750ml', category: 'wine', price: 1799, ageRestricted: true, stock: 120 },
  { sku: 'WINE-PROSECCO-750', name: 'Bollicine Prosecco 750ml', category: 'wine', price: 1599, ageRestricted: true, stock: 90 },
  { sku: 'SPIRIT-VODKA-750', name: 'Northern Lights Vodka 750ml', category: 'spirits', price: 2299, ageRestricted: true, stock: 100 },
  { sku: 'SPIRIT-WHISKY-700', name: 'Glen Harrow 12yo Single Malt 700ml', category: 'spirits', price: 5499, ageRestricted: true, stock: 40 },
  { sku: 'SPIRIT-GIN-700', name: 'Juniper & Co. London Dry Gin 700ml', category: 'spirits', price: 3299, ageRestricted: true, stock: 60 },
  { sku: 'SPIRIT-RUM-1L', name: 'Cayo Dorado Gold Rum 1L', category: 'spirits', price: 2799, ageRestricted: true, stock: 8 },
  { sku: 'SNACK-CHIPS-SALT', name: 'Sea Salt Kettle Chips 150g', category: 'snacks', price: 399, ageRestricted: false, stock: 300 },
  { sku: 'SNACK-PRETZEL', name: 'Twisted Pretzels 200g', category: 'snacks', price: 349, ageRestricted: false, stock: 250 },
  { sku: 'SNACK-NUTS-MIX', name: 'Roasted Mixed Nuts 250g', category: 'snacks', price: 699, ageRestricted: false, stock: 5 },
  { sku: 'MIXER-TONIC-4PK', name: 'Indian Tonic Water 4-pack', category: 'mixers', price: 599, ageRestricted: false, stock: 180 },
  { sku: 'MIXER-ICE-2KG', name: 'Party Ice 2kg', category: 'mixers', price: 299, ageRestricted: false, stock: 400 },
];

/** Inserts what is missing: the demo users, the configured locations, the products and their stock. */
export async function seed(db: Db, locations: readonly string[]): Promise<void> {
  const existing = new Set((await db.query<{ username: string }>('SELECT username FROM users')).map((r) => r.username));
  const hashed = await Promise.all(
    DEMO_USERS.filter((u) => !existing.has(u.username)).map(async (u) => ({ u, h: await hashPassword(u.password) })),
  );
  await db.tx(async (q) => {
    for (const { u, h } of hashed) {
      await q.query(
        'INSERT INTO users (username, role, display_name, password_hash, password_salt) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (username) DO NOTHING',
        [u.username, u.role, u.displayName, h.hash, h.salt],
      );
    }
    for (const loc of locations) {
      await q.query('INSERT INTO locations (id, name) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING', [loc, `Liquor store ${loc}`]);
    }
    for (const p of SEED_PRODUCTS) {
      await q.query(
        'INSERT INTO products (sku, name, category, price, age_restricted) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (sku) DO NOTHING',
        [p.sku, p.name, p.category, p.price, p.ageRestricted],
      );
      for (const loc of locations) {
        await q.query('INSERT INTO stock (location_id, sku, on_hand) VALUES ($1, $2, $3) ON CONFLICT (location_id, sku) DO NOTHING', [loc, p.sku, p.stock]);
      }
    }
  });
}

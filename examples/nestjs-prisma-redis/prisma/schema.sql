-- The tables of prisma/schema.prisma, written by hand because `prisma migrate` needs Prisma's schema-engine
-- binary, which is downloaded on first use and cannot be here (see the README). Column names follow the
-- schema's @map/@@map; keep the two files in step. Idempotent: the server runs it at start-up.
CREATE TABLE IF NOT EXISTS example_products (
  id          serial PRIMARY KEY,
  sku         text NOT NULL UNIQUE,
  name        text NOT NULL,
  price_cents integer NOT NULL,
  stock       integer NOT NULL,
  age_limited boolean NOT NULL DEFAULT false
);
CREATE TABLE IF NOT EXISTS example_sales (
  id          serial PRIMARY KEY,
  total_cents integer NOT NULL,
  verified_by text,
  created_at  timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE IF NOT EXISTS example_sale_lines (
  id          serial PRIMARY KEY,
  sale_id     integer NOT NULL REFERENCES example_sales (id),
  product_id  integer NOT NULL REFERENCES example_products (id),
  quantity    integer NOT NULL,
  price_cents integer NOT NULL
);
INSERT INTO example_products (sku, name, price_cents, stock, age_limited) VALUES
  ('gin-70cl', 'London dry gin 70 cl', 2499, 40, true),
  ('ipa-6', 'IPA six-pack', 1199, 60, true),
  ('tonic-1l', 'Tonic water 1 l', 249, 100, false)
ON CONFLICT (sku) DO NOTHING;

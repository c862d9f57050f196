/** docs/api.md documents every core error code and every core route. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { STORE_ERROR_CODES } from '../src/http/store-error-codes.ts';

const doc = readFileSync(new URL('../../../docs/api.md', import.meta.url), 'utf8');

test('every core error code is documented in docs/api.md', () => {
  const missing = Object.keys(STORE_ERROR_CODES).filter((c) => !doc.includes(`\`${c}\``));
  assert.deepEqual(missing, []);
});

test('every core route is documented in docs/api.md', () => {
  const routes = [
    'POST /auth/login', 'GET /auth/me', 'GET /locations', 'GET /products', 'GET /products/:sku',
    'GET /locations/:location/stock', 'PUT /locations/:location/stock/:sku', 'POST /customers', 'GET /customers/:id',
    'POST /orders', 'GET /orders/:id', 'POST /orders/:id/pay', 'POST /orders/:id/age-verification',
    'POST /orders/:id/complete', 'POST /orders/:id/void', 'POST /orders/:id/refund', 'GET /admin/faults', 'PUT /admin/faults',
    'PUT /admin/products/:sku/price', 'PUT /admin/users/:username/role',
  ];
  const missing = routes.filter((r) => !doc.includes(r.split(' ')[1]!) || !new RegExp(`${r.split(' ')[0]}[^\\n]*${r.split(' ')[1]!.replace(/[/:]/g, (c) => `\\${c}`)}`).test(doc));
  assert.deepEqual(missing, []);
});

/**
 * Price and role changes, each a record of the audit trail written in the same transaction as the change:
 *
 * | method | path | role | body | audit action |
 * | --- | --- | --- | --- | --- |
 * | PUT | /admin/products/:sku/price | manager, admin | `{ price }` (minor units) | `product.price_set`, `product:<sku>`, before/after `{ price }` |
 * | PUT | /admin/users/:username/role | admin | `{ role }` (`cashier`, `manager`, `admin`) | `user.role_set`, `user:<username>`, before/after `{ role }` |
 *
 * A lower role calling either is refused 403 and is a `privilege_escalation` security event (requireRole). Setting the
 * value it already has changes nothing and records nothing. The last admin cannot be demoted (409
 * STORE_LAST_ADMIN): nobody could grant the role back. A changed role invalidates the user's tokens within the
 * subject cache window (auth-plugin.ts: a token whose role differs from the user's is refused); a changed price is
 * dropped from the product cache once committed, so the next order charges it.
 */
import type { FastifyInstance } from 'fastify';
import { requireRole, userOf } from '../auth/auth-plugin.ts';
import type { StoreDeps } from '../deps.ts';
import type { Role } from '../orders/order-types.ts';
import { StoreError } from './store-error.ts';
import { bodyOf, invalid } from './validate.ts';

const ROLES: readonly Role[] = ['cashier', 'manager', 'admin'];
const MAX_PRICE = 100_000_000;

export async function privilegedChangeRoutes(app: FastifyInstance, deps: StoreDeps): Promise<void> {
  app.put<{ Params: { sku: string } }>('/admin/products/:sku/price', { preHandler: requireRole('manager', 'admin') }, async (request) => {
    const price = bodyOf(request.body).price;
    if (typeof price !== 'number' || !Number.isInteger(price) || price < 0 || price > MAX_PRICE) {
      throw invalid('price', `an integer number of minor units between 0 and ${MAX_PRICE}`, price);
    }
    const sku = request.params.sku;
    const user = userOf(request);
    const before = await deps.db.tx(async (q) => {
      // FOR UPDATE: two concurrent changes are serialised, so each record's "before" is what it replaced.
      const rows = await q.query<{ price: number }>('SELECT price FROM products WHERE sku = $1 FOR UPDATE', [sku]);
      const old = rows[0]?.price;
      if (old === undefined) throw new StoreError('STORE_PRODUCT_NOT_FOUND');
      if (old === price) return old;
      await q.query('UPDATE products SET price = $2 WHERE sku = $1', [sku, price]);
      await deps.audit.record(q, user, { action: 'product.price_set', target: `product:${sku}`, before: { price: old }, after: { price } });
      return old;
    });
    if (before !== price) await deps.cache.del(`product:${sku}`);
    return { sku, price, previous_price: before, currency: deps.config.currency };
  });

  app.put<{ Params: { username: string } }>('/admin/users/:username/role', { preHandler: requireRole('admin') }, async (request) => {
    const role = bodyOf(request.body).role;
    if (typeof role !== 'string' || !ROLES.includes(role as Role)) throw invalid('role', ROLES.join(', '), role);
    const username = request.params.username;
    const user = userOf(request);
    const before = await deps.db.tx(async (q) => {
      // The admins are locked together, so two admins demoting each other at once cannot leave none.
      const admins = await q.query<{ username: string }>("SELECT username FROM users WHERE role = 'admin' AND disabled_at IS NULL ORDER BY username FOR UPDATE");
      const rows = await q.query<{ role: Role }>('SELECT role FROM users WHERE username = $1 FOR UPDATE', [username]);
      const old = rows[0]?.role;
      if (old === undefined) throw new StoreError('STORE_USER_NOT_FOUND');
      if (old === role) return old;
      if (old === 'admin' && admins.length <= 1 && admins[0]?.username === username) throw new StoreError('STORE_LAST_ADMIN');
      await q.query('UPDATE users SET role = $2 WHERE username = $1', [username, role]);
      await deps.audit.record(q, user, { action: 'user.role_set', target: `user:${username}`, before: { role: old }, after: { role } });
      return old;
    });
    return { username, role, previous_role: before };
  });
}

/**
 * POST /customers           enrol a customer (loyalty)
 * GET  /customers/:id       balance and order count
 * GET  /customers?phone=... | ?email=...   look one up at the till
 *
 * Email and phone are personal data: they are stored (receipts, notifications) but never logged, and
 * never used as metric labels.
 */
import { newId } from '../ids.ts';
import type { FastifyInstance } from 'fastify';
import { authenticate } from '../auth/auth-plugin.ts';
import { sqlState } from '../db/db.ts';
import type { StoreDeps } from '../deps.ts';
import { StoreError } from '../http/store-error.ts';
import { bodyOf, freeText, invalid, optIdStr } from '../http/validate.ts';

interface CustomerRow {
  id: string;
  name: string;
  email: string | null;
  phone: string | null;
  loyalty_points: number;
  completed_orders: number;
  created_at: Date | string;
}

const view = (c: CustomerRow) => ({
  id: c.id,
  name: c.name,
  email: c.email,
  phone: c.phone,
  loyalty_points: c.loyalty_points,
  completed_orders: c.completed_orders,
  created_at: new Date(c.created_at).toISOString(),
});

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,190}\.[^\s@]{2,}$/;
/** E.164 */
const PHONE = /^\+[1-9]\d{7,14}$/;

export async function customerRoutes(app: FastifyInstance, deps: StoreDeps): Promise<void> {
  app.post('/customers', { preHandler: authenticate }, async (request, reply) => {
    const b = bodyOf(request.body);
    const { redactor } = deps.tw;
    const name = freeText(b, 'name', redactor, { max: 120 });
    const email = optIdStr(b, 'email', redactor, { max: 254, pattern: EMAIL, patternText: 'an email address' })?.toLowerCase();
    const phone = optIdStr(b, 'phone', redactor, { max: 16, pattern: PHONE, patternText: 'a phone number in E.164 form (+15551234567)' });
    const id = newId('cus');
    try {
      const rows = await deps.db.tx((q) =>
        q.query<CustomerRow>('INSERT INTO customers (id, name, email, phone) VALUES ($1, $2, $3, $4) RETURNING *', [id, name, email ?? null, phone ?? null]),
      );
      reply.status(201);
      return view(rows[0]!);
    } catch (err) {
      if (sqlState(err) === '23505') throw new StoreError('STORE_CUSTOMER_EXISTS');
      throw err;
    }
  });

  app.get<{ Params: { id: string } }>('/customers/:id', { preHandler: authenticate }, async (request) => {
    const rows = await deps.db.query<CustomerRow>('SELECT * FROM customers WHERE id = $1', [request.params.id]);
    if (!rows[0]) throw new StoreError('STORE_CUSTOMER_NOT_FOUND');
    return view(rows[0]);
  });

  app.get<{ Querystring: { phone?: string; email?: string } }>('/customers', { preHandler: authenticate }, async (request) => {
    const { phone, email } = request.query;
    let rows: CustomerRow[];
    if (typeof phone === 'string' && phone !== '') rows = await deps.db.query<CustomerRow>('SELECT * FROM customers WHERE phone = $1', [phone]);
    else if (typeof email === 'string' && email !== '') rows = await deps.db.query<CustomerRow>('SELECT * FROM customers WHERE email = $1', [email.toLowerCase()]);
    else throw invalid('phone or email', 'a query parameter to look the customer up by', undefined);
    if (!rows[0]) throw new StoreError('STORE_CUSTOMER_NOT_FOUND');
    return view(rows[0]);
  });
}

/**
 * POST /orders                          create (reserves stock)
 * GET  /orders/:id
 * POST /orders/:id/pay                  card | cash | gift_card | mobile, optional loyalty redemption
 * POST /orders/:id/age-verification     id_scan | manual_dob | visual
 * POST /orders/:id/complete
 * POST /orders/:id/void                 manager or admin
 * POST /orders/:id/refund               manager or admin
 *
 * Bodies are validated here (shape: 400 STORE_VALIDATION_FAILED; business rules: their own codes);
 * the service does the rest. Validation messages name the field and its expected form, never echo
 * the value (it may be a card number or a date of birth).
 */
import type { FastifyInstance } from 'fastify';
import { authenticate, requireRole, userOf } from '../auth/auth-plugin.ts';
import type { StoreDeps } from '../deps.ts';
import { StoreError } from '../http/store-error.ts';
import { bodyOf, freeText, idStr, invalid, oneOf, optBool, optIdStr, optInt, optStr, str, type Body } from '../http/validate.ts';
import type { CardDetails } from '../payments/payment-client.ts';
import type { VoidReason } from '../telemetry.ts';
import { parseDob } from './age.ts';
import type { OrderService } from './order-service.ts';
import { AGE_VERIFICATION_METHODS, CHANNELS, PAYMENT_METHODS } from './order-types.ts';

const VOID_REASONS: readonly VoidReason[] = ['customer_request', 'cashier_error', 'payment_failed', 'age_verification_failed', 'fraud_suspected'];
const MAX_LINES = 100;
const MAX_QUANTITY = 999;
const TERMINAL = /^[A-Za-z0-9._:-]{1,64}$/;
const SKU = /^[A-Za-z0-9._-]{1,64}$/;

type IdParams = { Params: { id: string } };

function cardOf(b: Body): CardDetails | undefined {
  const c = b.card;
  if (c === undefined || c === null) return undefined;
  if (typeof c !== 'object' || Array.isArray(c)) throw invalid('card', 'an object { number, cvv, expiry }', c);
  const card = c as Body;
  if (typeof card.number !== 'string' || !/^[\d -]{12,23}$/.test(card.number)) throw invalid('card.number', 'a card number of 12 to 19 digits', card.number);
  if (typeof card.cvv !== 'string' || !/^\d{3,4}$/.test(card.cvv)) throw invalid('card.cvv', 'a string of 3 or 4 digits', card.cvv);
  if (typeof card.expiry !== 'string' || !/^\d{2}\/(\d{2}|\d{4})$/.test(card.expiry)) throw invalid('card.expiry', 'MM/YY', card.expiry);
  return { number: card.number, cvv: card.cvv, expiry: card.expiry };
}

export async function orderRoutes(app: FastifyInstance, deps: StoreDeps, orders: OrderService): Promise<void> {
  const { redactor } = deps.tw;
  app.post('/orders', { preHandler: authenticate }, async (request, reply) => {
    const b = bodyOf(request.body);
    const location = str(b, 'location', { max: 32 });
    const terminal = idStr(b, 'terminal', redactor, { pattern: TERMINAL, patternText: 'a terminal id of 1 to 64 letters, digits or ._:-' });
    const channel = oneOf(b, 'channel', CHANNELS);
    const customerId = optIdStr(b, 'customer_id', redactor, { max: 64 });
    const rawItems = b.items;
    if (!Array.isArray(rawItems) || rawItems.length === 0 || rawItems.length > MAX_LINES) {
      throw invalid('items', `an array of 1 to ${MAX_LINES} { sku, quantity } objects`, rawItems);
    }
    const items = rawItems.map((raw: unknown, i) => {
      const field = `items[${i}]`;
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalid(field, 'an object { sku, quantity }', raw);
      const it = raw as Body;
      if (typeof it.sku !== 'string' || !SKU.test(it.sku)) throw invalid(`${field}.sku`, 'a SKU (1 to 64 letters, digits or ._-)', it.sku);
      if (typeof it.quantity !== 'number') throw invalid(`${field}.quantity`, 'a positive integer', it.quantity);
      if (!Number.isInteger(it.quantity) || it.quantity <= 0 || it.quantity > MAX_QUANTITY) {
        throw new StoreError('STORE_INVALID_QUANTITY', `${field}.quantity must be an integer from 1 to ${MAX_QUANTITY}`, { details: { field: `${field}.quantity` } });
      }
      const unitPrice = optInt(it, 'unit_price', 0, 10_000_000);
      return { sku: it.sku, quantity: it.quantity, unitPrice };
    });
    const order = await orders.create(userOf(request), { location, terminal, channel, customerId, items });
    reply.status(201);
    return order;
  });

  app.get<IdParams>('/orders/:id', { preHandler: authenticate }, async (request) => orders.get(request.params.id));

  app.post<IdParams>('/orders/:id/pay', { preHandler: authenticate }, async (request) => {
    const b = bodyOf(request.body);
    const method = oneOf(b, 'method', PAYMENT_METHODS);
    const amount = optInt(b, 'amount', 0, 100_000_000);
    const card = method === 'card' ? cardOf(b) : undefined;
    if (method !== 'card' && b.card !== undefined) throw invalid('card', `nothing for method ${method}`, b.card);
    const cashTendered = method === 'cash' ? optInt(b, 'cash_tendered', 0, 100_000_000) : undefined;
    const redeemPoints = optInt(b, 'redeem_points', 0, 100_000_000);
    return orders.pay(userOf(request), request.params.id, { method, amount, card, cashTendered, redeemPoints });
  });

  app.post<IdParams>('/orders/:id/age-verification', { preHandler: authenticate }, async (request, reply) => {
    const b = bodyOf(request.body);
    const method = oneOf(b, 'method', AGE_VERIFICATION_METHODS);
    let dateOfBirth: Date | undefined;
    let idNumber: string | undefined;
    let over25: boolean | undefined;
    if (method === 'visual') {
      over25 = optBool(b, 'over_25');
      if (over25 === undefined) throw invalid('over_25', 'true or false (does the customer clearly look over 25?)', undefined);
    } else {
      const raw = b.date_of_birth;
      const dob = typeof raw === 'string' ? parseDob(raw) : undefined;
      if (!dob || dob.getTime() > Date.now() || dob.getUTCFullYear() < 1900) throw invalid('date_of_birth', 'a past date as YYYY-MM-DD', raw);
      dateOfBirth = dob;
      idNumber = optStr(b, 'id_number', { max: 64 }); // only its keyed hash is stored
    }
    const r = await orders.verifyAge(userOf(request), request.params.id, { method, dateOfBirth, idNumber, over25 });
    reply.status(201);
    return { verification: r.verification, order: r.order };
  });

  app.post<IdParams>('/orders/:id/complete', { preHandler: authenticate }, async (request) => orders.complete(userOf(request), request.params.id));

  app.post<IdParams>('/orders/:id/void', { preHandler: requireRole('manager', 'admin') }, async (request) => {
    const b = bodyOf(request.body);
    const reason = oneOf(b, 'reason', VOID_REASONS);
    return orders.void(userOf(request), request.params.id, reason);
  });

  app.post<IdParams>('/orders/:id/refund', { preHandler: requireRole('manager', 'admin') }, async (request) => {
    const b = bodyOf(request.body);
    const reason = freeText(b, 'reason', redactor, { max: 200 });
    const amount = optInt(b, 'amount', 1, 100_000_000);
    const r = await orders.refund(userOf(request), request.params.id, { amount, reason });
    return { refund: r.refund, order: r.order };
  });
}

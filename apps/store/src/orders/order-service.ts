/**
 * The order lifecycle: create (reserve stock) -> pay -> [age-verify] -> complete (consume stock, earn
 * points, enqueue the receipt and the warehouse sync in the same transaction, emit `order.completed`),
 * or void (release stock, reverse the payment), or refund.
 *
 * Every state change is one transaction that re-reads the order `FOR UPDATE`, so concurrent requests
 * on one order serialise and a rejected request changes nothing. Calls to the payment provider happen
 * between transactions, never inside one (a slow provider must not hold row locks): the order is
 * moved to `payment_pending` first, so a second pay request is refused while the first is in flight.
 * Telemetry is recorded after commit, so a rolled-back change is never counted.
 */
import { newId } from '../ids.ts';
import type { StoreDeps } from '../deps.ts';
import type { Queryable } from '../db/db.ts';
import type { OrderEventItem } from '../events.ts';
import { StoreError } from '../http/store-error.ts';
import type { ProductRepository } from '../catalog/product-repository.ts';
import type { CardDetails, PaymentClient, ProviderFailure } from '../payments/payment-client.ts';
import { insertAttempt, isStale, markCapturing, markUnknown, openAttempt, operationKey, recordCapture, recordNoCapture, releaseUnknownAuthorization, restorePoints } from '../payments/payment-attempts.ts';
import type { PaymentReconciler } from '../payments/payment-reconciler.ts';
import type { StoreTelemetry, VoidReason } from '../telemetry.ts';
import type { TokenClaims } from '../auth/jwt.ts';
import { isManager } from '../auth/auth-plugin.ts';
import { ageOn, bracketOf, LEGAL_AGE, METHOD_LABEL, resultLabel, subjectHash, type AgeBracket } from './age.ts';
import type { AgeVerificationMethod, Channel, OrderStatus, PaymentMethod } from './order-types.ts';

export interface CreateOrderInput {
  readonly location: string;
  readonly terminal: string;
  readonly channel: Channel;
  readonly customerId?: string | undefined;
  readonly items: readonly { sku: string; quantity: number; unitPrice?: number | undefined }[];
}

export interface PayInput {
  readonly method: PaymentMethod;
  /** When given, must equal the amount due (a guard against paying a stale total). */
  readonly amount?: number | undefined;
  readonly card?: CardDetails | undefined;
  readonly cashTendered?: number | undefined;
  readonly redeemPoints?: number | undefined;
}

export interface AgeVerifyInput {
  readonly method: AgeVerificationMethod;
  readonly dateOfBirth?: Date | undefined;
  readonly idNumber?: string | undefined;
  readonly over25?: boolean | undefined;
}

export interface OrderItemView {
  sku: string;
  name: string;
  quantity: number;
  unit_price: number;
  list_price: number;
  line_total: number;
  age_restricted: boolean;
  price_overridden: boolean;
}

export interface PaymentView {
  id: string;
  method: PaymentMethod;
  amount: number;
  status: 'captured' | 'declined' | 'failed' | 'reversed';
  failure_reason: string | null;
  card_brand: string | null;
  card_last4: string | null;
  change_due: number | null;
  created_at: string;
}

export interface AgeVerificationView {
  id: string;
  result: 'pass' | 'fail';
  method: AgeVerificationMethod;
  age_bracket: AgeBracket;
  verified_by: string;
  verified_at: string;
}

export interface OrderView {
  id: string;
  status: OrderStatus | 'payment_pending';
  location: string;
  terminal: string;
  channel: Channel;
  customer_id: string | null;
  currency: string;
  subtotal: number;
  discount: number;
  total: number;
  item_count: number;
  age_restricted: boolean;
  age_verification: AgeVerificationView | null;
  refunded_amount: number;
  points_earned: number;
  points_redeemed: number;
  /**
   * The provider payment the order waits for while `payment_pending`: `pending` while its request runs,
   * `unknown` when the provider did not confirm it (it may have gone through; the store settles it).
   */
  payment_attempt: { attempt: number; state: 'pending' | 'unknown'; since: string } | null;
  items: OrderItemView[];
  payments: PaymentView[];
  created_by: string;
  created_at: string;
  paid_at: string | null;
  completed_at: string | null;
  voided_at: string | null;
  void_reason: string | null;
}

interface OrderRow {
  id: string;
  location_id: string;
  terminal_id: string;
  channel: Channel;
  status: OrderView['status'];
  customer_id: string | null;
  currency: string;
  subtotal: number;
  discount: number;
  total: number;
  item_count: number;
  age_restricted: boolean;
  refunded_amount: number;
  points_earned: number;
  points_redeemed: number;
  created_by: string;
  created_at: Date | string;
  paid_at: Date | string | null;
  completed_at: Date | string | null;
  voided_at: Date | string | null;
  void_reason: string | null;
}

interface ItemRow {
  sku: string;
  name: string;
  quantity: number;
  unit_price: number;
  list_price: number;
  line_total: number;
  age_restricted: boolean;
  price_overridden_by: string | null;
}

interface PaymentRow {
  id: string;
  method: PaymentMethod;
  amount: number;
  status: PaymentView['status'];
  failure_reason: string | null;
  provider_ref: string | null;
  card_brand: string | null;
  card_last4: string | null;
  cash_tendered: number | null;
  created_at: Date | string;
}

const iso = (d: Date | string | null): string | null => (d === null ? null : d instanceof Date ? d.toISOString() : new Date(d).toISOString());

/** The answer when the provider may have taken the money and has not said so. */
const outcomeUnknown = (reason?: string): StoreError =>
  new StoreError('STORE_PAYMENT_OUTCOME_UNKNOWN', undefined, { details: { payment_state: 'unknown', ...(reason ? { reason } : {}) } });

/** Loyalty: one point per whole currency unit spent; one point is worth one minor unit when redeemed. */
const pointsFor = (totalMinor: number): number => Math.floor(totalMinor / 100);

export class OrderService {
  readonly #deps: StoreDeps;
  readonly #products: ProductRepository;
  readonly #payments: PaymentClient;
  readonly #t: StoreTelemetry;
  readonly #reconciler: PaymentReconciler;

  constructor(deps: StoreDeps, products: ProductRepository, payments: PaymentClient, telemetry: StoreTelemetry, reconciler: PaymentReconciler) {
    this.#deps = deps;
    this.#products = products;
    this.#payments = payments;
    this.#t = telemetry;
    this.#reconciler = reconciler;
  }

  // ---------------------------------------------------------------- create

  async create(user: TokenClaims, input: CreateOrderInput): Promise<OrderView> {
    const { config } = this.#deps;
    if (!config.locations.includes(input.location)) {
      // the message lists the known locations, never the submitted one (it is the client's text)
      throw new StoreError('STORE_UNKNOWN_LOCATION', `unknown location; known: ${config.locations.join(', ')}`);
    }
    const products = await this.#products.bySkus(input.items.map((i) => i.sku));
    // Unknown SKUs are named by their line numbers, never echoed: a SKU field is the client's text.
    const unknownLines = input.items.flatMap((i, n) => (products.has(i.sku) ? [] : [n]));
    if (unknownLines.length > 0) {
      throw new StoreError('STORE_UNKNOWN_SKU', `unknown SKU on ${unknownLines.slice(0, 5).map((n) => `items[${n}]`).join(', ')}`, { details: { lines: unknownLines.slice(0, 20) } });
    }
    if (input.items.some((i) => i.unitPrice !== undefined) && !isManager(user)) {
      throw new StoreError('STORE_FORBIDDEN_ROLE', 'price overrides need a manager or admin');
    }
    const lines = input.items.map((i, n) => {
      const p = products.get(i.sku)!;
      const unitPrice = i.unitPrice ?? p.price;
      return {
        lineNo: n + 1,
        sku: p.sku,
        name: p.name,
        quantity: i.quantity,
        unitPrice,
        listPrice: p.price,
        overriddenBy: i.unitPrice !== undefined && i.unitPrice !== p.price ? user.sub : null,
        lineTotal: unitPrice * i.quantity,
        ageRestricted: p.ageRestricted,
      };
    });
    const subtotal = lines.reduce((s, l) => s + l.lineTotal, 0);
    if (subtotal > 100_000_000) throw new StoreError('STORE_VALIDATION_FAILED', 'order total exceeds the per-order limit', { details: { field: 'items' } });
    const units = lines.reduce((s, l) => s + l.quantity, 0);
    const perSku = new Map<string, number>();
    for (const l of lines) perSku.set(l.sku, (perSku.get(l.sku) ?? 0) + l.quantity);
    const id = newId('ord');

    try {
      await this.#deps.db.tx(async (q) => {
        if (input.customerId !== undefined) {
          const c = await q.query('SELECT id FROM customers WHERE id = $1', [input.customerId]);
          if (c.length === 0) throw new StoreError('STORE_CUSTOMER_NOT_FOUND');
        }
        // Reserve in SKU order so two orders never wait on each other's rows in opposite orders.
        for (const [sku, qty] of [...perSku].sort(([a], [b]) => (a < b ? -1 : 1))) {
          const r = await q.query<{ sku: string }>(
            `UPDATE stock SET reserved = reserved + $3, updated_at = now()
             WHERE location_id = $1 AND sku = $2 AND on_hand - reserved >= $3 RETURNING sku`,
            [input.location, sku, qty],
          );
          if (r.length === 0) {
            const s = await q.query<{ available: number }>('SELECT on_hand - reserved AS available FROM stock WHERE location_id = $1 AND sku = $2', [input.location, sku]);
            throw new StoreError('STORE_INSUFFICIENT_STOCK', `not enough ${sku} at ${input.location}`, {
              details: { sku, requested: qty, available: s[0]?.available ?? 0 },
            });
          }
        }
        await q.query(
          `INSERT INTO orders (id, location_id, terminal_id, channel, status, customer_id, currency, subtotal, total, item_count, age_restricted, created_by)
           VALUES ($1, $2, $3, $4, 'open', $5, $6, $7, $7, $8, $9, $10)`,
          [id, input.location, input.terminal, input.channel, input.customerId ?? null, config.currency, subtotal, units, lines.some((l) => l.ageRestricted), user.sub],
        );
        for (const l of lines) {
          await q.query(
            `INSERT INTO order_items (order_id, line_no, sku, name, quantity, unit_price, list_price, price_overridden_by, line_total, age_restricted)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
            [id, l.lineNo, l.sku, l.name, l.quantity, l.unitPrice, l.listPrice, l.overriddenBy, l.lineTotal, l.ageRestricted],
          );
        }
      });
    } catch (err) {
      if ((err as StoreError).code === 'STORE_INSUFFICIENT_STOCK') this.#t.orderFailed({ location: input.location, channel: input.channel }, 'out_of_stock');
      throw err;
    }
    this.#t.stockReserved(input.location, units);
    await this.#refreshStock(input.location);
    return this.get(id);
  }

  // ---------------------------------------------------------------- read

  async get(id: string, q: Queryable = this.#deps.db): Promise<OrderView> {
    const rows = await q.query<OrderRow>('SELECT * FROM orders WHERE id = $1', [id]);
    const o = rows[0];
    if (!o) throw new StoreError('STORE_ORDER_NOT_FOUND');
    const [items, payments, ages, attempts] = await Promise.all([
      q.query<ItemRow>('SELECT sku, name, quantity, unit_price, list_price, line_total, age_restricted, price_overridden_by FROM order_items WHERE order_id = $1 ORDER BY line_no', [id]),
      q.query<PaymentRow>('SELECT id, method, amount, status, failure_reason, provider_ref, card_brand, card_last4, cash_tendered, created_at FROM payments WHERE order_id = $1 ORDER BY created_at, id', [id]),
      q.query<{ id: string; result: 'pass' | 'fail'; method: AgeVerificationMethod; age_bracket: AgeBracket; verified_by: string; created_at: Date | string }>(
        'SELECT id, result, method, age_bracket, verified_by, created_at FROM age_verifications WHERE order_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1',
        [id],
      ),
      o.status === 'payment_pending'
        ? q.query<{ attempt: number; status: 'pending' | 'unknown'; updated_at: Date | string }>(
            `SELECT attempt, status, updated_at FROM payment_attempts WHERE order_id = $1 AND status IN ('pending', 'unknown') ORDER BY attempt DESC LIMIT 1`,
            [id],
          )
        : Promise.resolve([]),
    ]);
    const age = ages[0];
    const open = attempts[0];
    return {
      id: o.id,
      status: o.status,
      location: o.location_id,
      terminal: o.terminal_id,
      channel: o.channel,
      customer_id: o.customer_id,
      currency: o.currency,
      subtotal: o.subtotal,
      discount: o.discount,
      total: o.total,
      item_count: o.item_count,
      age_restricted: o.age_restricted,
      age_verification: age
        ? { id: age.id, result: age.result, method: age.method, age_bracket: age.age_bracket, verified_by: age.verified_by, verified_at: iso(age.created_at)! }
        : null,
      refunded_amount: o.refunded_amount,
      points_earned: o.points_earned,
      points_redeemed: o.points_redeemed,
      payment_attempt: open ? { attempt: open.attempt, state: open.status, since: iso(open.updated_at)! } : null,
      items: items.map((i) => ({
        sku: i.sku,
        name: i.name,
        quantity: i.quantity,
        unit_price: i.unit_price,
        list_price: i.list_price,
        line_total: i.line_total,
        age_restricted: i.age_restricted,
        price_overridden: i.price_overridden_by !== null,
      })),
      payments: payments.map((p) => ({
        id: p.id,
        method: p.method,
        amount: p.amount,
        status: p.status,
        failure_reason: p.failure_reason,
        card_brand: p.card_brand,
        card_last4: p.card_last4,
        change_due: p.cash_tendered === null ? null : p.cash_tendered - p.amount,
        created_at: iso(p.created_at)!,
      })),
      created_by: o.created_by,
      created_at: iso(o.created_at)!,
      paid_at: iso(o.paid_at),
      completed_at: iso(o.completed_at),
      voided_at: iso(o.voided_at),
      void_reason: o.void_reason,
    };
  }

  async #lock(q: Queryable, id: string): Promise<OrderRow> {
    const rows = await q.query<OrderRow>('SELECT * FROM orders WHERE id = $1 FOR UPDATE', [id]);
    const o = rows[0];
    if (!o) throw new StoreError('STORE_ORDER_NOT_FOUND');
    return o;
  }

  // ---------------------------------------------------------------- pay

  async pay(user: TokenClaims, id: string, input: PayInput): Promise<OrderView> {
    // 0. An earlier attempt whose outcome is unknown (or whose request was abandoned) is settled first, by
    //    asking the provider: if it went through, this request answers the paid order and charges nothing.
    for (let round = 0; ; round++) {
      const earlier = await this.#deps.db.tx(async (q) => {
        const o = await this.#lock(q, id);
        if (o.status !== 'payment_pending') return undefined;
        const a = await openAttempt(q, id);
        if (a && (a.status === 'unknown' || (await isStale(q, a.id, this.#reconciler.staleAfterMs)))) return a;
        throw new StoreError('STORE_ORDER_INVALID_STATE', 'a payment for this order is already in progress');
      });
      if (!earlier) break;
      const settled = round === 0 ? await this.#reconciler.settle(earlier, 'request') : 'unresolved';
      if (settled === 'paid') return this.get(id);
      if (settled === 'unresolved') throw outcomeUnknown();
    }
    return this.#payOpenOrder(user, id, input);
  }

  async #payOpenOrder(user: TokenClaims, id: string, input: PayInput): Promise<OrderView> {
    const redeem = input.redeemPoints ?? 0;
    // 1. Claim the order for this payment (and the points), or refuse without changing anything. A provider
    //    payment is recorded as an attempt, under its idempotency key, before the provider hears of it.
    const claim = await this.#deps.db.tx(async (q) => {
      const o = await this.#lock(q, id);
      if (o.status === 'paid' || o.status === 'completed' || o.status === 'refunded') throw new StoreError('STORE_ORDER_ALREADY_PAID');
      if (o.status === 'payment_pending') throw new StoreError('STORE_ORDER_INVALID_STATE', 'a payment for this order is already in progress');
      if (o.status !== 'open') throw new StoreError('STORE_ORDER_INVALID_STATE', `the order is ${o.status}`);
      if (redeem > 0) {
        if (o.customer_id === null) throw new StoreError('STORE_VALIDATION_FAILED', 'redeem_points: the order has no customer', { details: { field: 'redeem_points' } });
        if (redeem > o.subtotal) throw new StoreError('STORE_VALIDATION_FAILED', `redeem_points: at most ${o.subtotal} points can be redeemed on this order`, { details: { field: 'redeem_points' } });
        const c = await q.query('UPDATE customers SET loyalty_points = loyalty_points - $2 WHERE id = $1 AND loyalty_points >= $2 RETURNING id', [o.customer_id, redeem]);
        if (c.length === 0) throw new StoreError('STORE_INSUFFICIENT_POINTS');
        await q.query(`INSERT INTO loyalty_ledger (id, customer_id, order_id, delta, kind) VALUES ($1, $2, $3, $4, 'redeemed')`, [newId('ll'), o.customer_id, id, -redeem]);
      }
      const due = o.subtotal - redeem;
      if (input.amount !== undefined && input.amount !== due) {
        throw new StoreError('STORE_PAYMENT_AMOUNT_MISMATCH', `amount ${input.amount} does not match the amount due ${due}`, { details: { amount_due: due } });
      }
      if (input.method === 'cash' && due > 0 && (input.cashTendered ?? due) < due) {
        throw new StoreError('STORE_VALIDATION_FAILED', `cash_tendered: at least ${due} is due`, { details: { field: 'cash_tendered', amount_due: due } });
      }
      if (input.method === 'card' && due > 0 && !input.card) {
        throw new StoreError('STORE_VALIDATION_FAILED', 'card: card details are required for a card payment', { details: { field: 'card' } });
      }
      await q.query(`UPDATE orders SET status = 'payment_pending' WHERE id = $1`, [id]);
      const attempt = input.method === 'cash' || due === 0 ? undefined : await insertAttempt(q, { orderId: id, method: input.method, amount: due, pointsRedeemed: redeem, createdBy: user.sub });
      return { order: o, due, attempt };
    });
    const { order, due, attempt } = claim;

    if (!attempt) {
      // Cash (or nothing due): no provider, nothing unknown.
      this.#t.paymentCall(input.method, 'sale', 0);
      await this.#deps.db.tx(async (q) => {
        await q.query(
          `INSERT INTO payments (id, order_id, method, amount, status, provider_ref, cash_tendered, duration_ms, created_by)
           VALUES ($1, $2, $3, $4, 'captured', NULL, $5, 0, $6)`,
          [newId('pay'), id, input.method, due, input.method === 'cash' ? input.cashTendered ?? due : null, user.sub],
        );
        await q.query(`UPDATE orders SET status = 'paid', paid_at = now(), discount = $2, total = $3, points_redeemed = $2 WHERE id = $1`, [id, redeem, due]);
      });
      if (redeem > 0) this.#t.loyaltyPoints('redeemed', order.location_id, redeem);
      return this.get(id);
    }

    // 2. The provider (outside any transaction), every call under the attempt's key.
    const method = attempt.method;
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const failed = async (f: ProviderFailure, operation: 'authorize' | 'capture'): Promise<never> => {
      this.#t.orderFailed({ location: order.location_id, channel: order.channel }, f.declined ? 'payment_declined' : 'payment_error');
      if (f.declined) throw new StoreError('STORE_PAYMENT_DECLINED', `the payment was declined (${f.reason})`, { details: { reason: f.reason } });
      throw new StoreError('STORE_PAYMENT_PROVIDER_UNAVAILABLE', operation === 'capture' ? 'the payment provider refused the capture; nothing was charged' : undefined, { statusCode: 503, details: { reason: f.reason } });
    };

    const t0 = performance.now();
    const auth = await this.#payments.authorize({ amount: due, currency: order.currency, method, orderRef: id, idempotencyKey: attempt.idempotency_key, card: method === 'card' ? input.card : undefined });
    this.#t.paymentCall(method, 'authorize', (performance.now() - t0) / 1000, auth.ok ? undefined : auth.reason);
    if (!auth.ok) {
      await this.#deps.db.tx(async (q) => {
        // No capture was sent: the order is open again either way. An uncertain answer may have left a hold on
        // the card, which the reconciler finds under the key and releases.
        if (auth.uncertain) await releaseUnknownAuthorization(q, attempt, auth.reason, elapsed());
        else await recordNoCapture(q, attempt, { status: auth.declined ? 'declined' : 'failed', reason: auth.reason, durationMs: elapsed(), resolvedBy: 'request' });
      });
      return failed(auth, 'authorize');
    }

    await this.#deps.db.tx((q) => markCapturing(q, attempt.id, auth.authorizationId));
    const t1 = performance.now();
    const cap = await this.#payments.capture(auth.authorizationId, operationKey(attempt.idempotency_key, 'capture'));
    this.#t.paymentCall(method, 'capture', (performance.now() - t1) / 1000, cap.ok ? undefined : cap.reason);
    if (!cap.ok && cap.uncertain) {
      // The capture may have happened: the order stays payment_pending and nothing is taken again until the
      // provider says what it did (the reconciler, or this cashier pressing Pay again).
      await this.#deps.db.tx((q) => markUnknown(q, attempt.id, cap.reason));
      this.#t.orderFailed({ location: order.location_id, channel: order.channel }, 'payment_error');
      throw outcomeUnknown(cap.reason);
    }
    if (!cap.ok) {
      // Certainly not captured: release the hold (best effort; the reconciler retries an unreleased one).
      const v = await this.#payments.void(auth.authorizationId, operationKey(attempt.idempotency_key, 'void'));
      await this.#deps.db.tx(async (q) => {
        if (v.ok) await recordNoCapture(q, attempt, { status: 'voided', reason: cap.reason, durationMs: elapsed(), resolvedBy: 'request' });
        else await releaseUnknownAuthorization(q, attempt, cap.reason, elapsed());
      });
      return failed(cap, 'capture');
    }

    // 3. Record the capture and settle the order.
    await this.#deps.db.tx((q) => recordCapture(q, attempt, { providerRef: cap.providerRef, card: auth.card, durationMs: elapsed(), resolvedBy: 'request' }));
    if (redeem > 0) this.#t.loyaltyPoints('redeemed', order.location_id, redeem);
    return this.get(id);
  }

  async #restorePoints(q: Queryable, customerId: string, orderId: string, points: number): Promise<void> {
    await restorePoints(q, customerId, orderId, points);
  }

  // ---------------------------------------------------------------- age verification

  async verifyAge(user: TokenClaims, id: string, input: AgeVerifyInput): Promise<{ order: OrderView; verification: AgeVerificationView }> {
    let pass: boolean;
    let bracket: AgeBracket;
    if (input.method === 'visual') {
      pass = input.over25 === true;
      bracket = pass ? '25_plus' : 'unknown';
    } else {
      const age = ageOn(input.dateOfBirth!, new Date());
      pass = age >= LEGAL_AGE;
      bracket = bracketOf(age);
    }
    const hash = input.idNumber !== undefined ? subjectHash(input.idNumber, this.#deps.config.jwtSecret) : null;
    const vid = newId('agv');
    const order = await this.#deps.db.tx(async (q) => {
      const o = await this.#lock(q, id);
      if (!o.age_restricted) throw new StoreError('STORE_AGE_VERIFICATION_NOT_NEEDED');
      if (o.status !== 'open' && o.status !== 'paid' && o.status !== 'payment_pending') {
        throw new StoreError('STORE_ORDER_INVALID_STATE', `the order is ${o.status}; age verification happens before completion`);
      }
      await q.query(
        `INSERT INTO age_verifications (id, order_id, result, method, age_bracket, subject_hash, verified_by) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [vid, id, pass ? 'pass' : 'fail', input.method, bracket, hash, user.sub],
      );
      // A visual check (no ID scanned) is the cashier's judgement overriding the ID check: audited.
      if (input.method === 'visual') {
        await this.#deps.audit.record(q, user, { action: 'age_verification.override', target: `order:${id}`, before: { status: o.status }, after: { method: 'visual', result: pass ? 'pass' : 'fail', verification_id: vid } });
      }
      return o;
    });
    this.#t.ageVerification(order.location_id, resultLabel(pass, input.method), METHOD_LABEL[input.method]);
    if (!pass) this.#t.orderFailed({ location: order.location_id, channel: order.channel }, 'age_verification_failed');
    const view = await this.get(id);
    return { order: view, verification: view.age_verification! };
  }

  // ---------------------------------------------------------------- complete

  async complete(_user: TokenClaims, id: string): Promise<OrderView> {
    let customerKind: 'new' | 'returning' | undefined;
    let earned = 0;
    const done = await this.#deps.db.tx(async (q) => {
      const o = await this.#lock(q, id);
      if (o.status === 'open' || o.status === 'payment_pending') throw new StoreError('STORE_ORDER_NOT_PAID');
      if (o.status !== 'paid') throw new StoreError('STORE_ORDER_INVALID_STATE', `the order is already ${o.status}`);
      if (o.age_restricted) {
        const v = await q.query<{ result: string }>('SELECT result FROM age_verifications WHERE order_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1', [id]);
        if (v.length === 0) throw new StoreError('STORE_AGE_VERIFICATION_REQUIRED');
        if (v[0]!.result !== 'pass') throw new StoreError('STORE_AGE_VERIFICATION_FAILED');
      }
      const items = await q.query<{ sku: string; quantity: number }>('SELECT sku, sum(quantity)::int AS quantity FROM order_items WHERE order_id = $1 GROUP BY sku ORDER BY sku', [id]);
      for (const i of items) {
        await q.query('UPDATE stock SET on_hand = on_hand - $3, reserved = reserved - $3, updated_at = now() WHERE location_id = $1 AND sku = $2', [o.location_id, i.sku, i.quantity]);
      }
      if (o.customer_id !== null) {
        earned = pointsFor(o.total);
        const c = await q.query<{ completed_orders: number }>(
          'UPDATE customers SET completed_orders = completed_orders + 1, loyalty_points = loyalty_points + $2 WHERE id = $1 RETURNING completed_orders',
          [o.customer_id, earned],
        );
        customerKind = c[0]?.completed_orders === 1 ? 'new' : 'returning';
        if (earned > 0) {
          await q.query(`INSERT INTO loyalty_ledger (id, customer_id, order_id, delta, kind) VALUES ($1, $2, $3, $4, 'earned')`, [newId('ll'), o.customer_id, id, earned]);
        }
      }
      await q.query(`UPDATE orders SET status = 'completed', completed_at = now(), points_earned = $2 WHERE id = $1`, [id, earned]);
      // The receipt and the warehouse sync are enqueued here, in this transaction (events.ts).
      await this.#deps.events.runBeforeCommit('sale.completing', q, {
        orderId: id,
        location: o.location_id,
        customerId: o.customer_id ?? undefined,
        total: o.total,
        currency: o.currency,
        itemCount: o.item_count,
        source: 'order',
      });
      return o;
    });
    const view = await this.get(id);
    const loc = done.location_id;
    this.#t.orderCompleted({ location: loc, channel: done.channel, total: view.total, currency: view.currency, items: view.item_count });
    if (customerKind) this.#t.customer(customerKind, loc, done.channel);
    if (earned > 0) this.#t.loyaltyPoints('earned', loc, earned);
    await this.#refreshStock(loc);
    const captured = view.payments.find((p) => p.status === 'captured');
    this.#deps.events.emit('order.completed', {
      orderId: view.id,
      location: loc,
      terminal: view.terminal,
      channel: view.channel,
      total: view.total,
      currency: view.currency,
      items: view.items.map((i): OrderEventItem => ({ sku: i.sku, name: i.name, quantity: i.quantity, unitPrice: i.unit_price, lineTotal: i.line_total })),
      customerId: view.customer_id ?? undefined,
      paymentMethod: captured?.method,
      completedAt: view.completed_at!,
    });
    return view;
  }

  // ---------------------------------------------------------------- void

  async void(user: TokenClaims, id: string, reason: VoidReason): Promise<OrderView> {
    // A paid order's payment is reversed at the provider first; nothing in the store changes unless that succeeds.
    const before = await this.get(id);
    if (before.status !== 'open' && before.status !== 'paid') {
      throw new StoreError('STORE_ORDER_INVALID_STATE', before.status === 'completed' ? 'a completed order is refunded, not voided' : `the order is ${before.status}`);
    }
    const captured = before.payments.find((p) => p.status === 'captured');
    if (before.status === 'paid' && captured && captured.method !== 'cash' && captured.amount > 0) {
      const ref = (await this.#deps.db.query<{ provider_ref: string | null }>('SELECT provider_ref FROM payments WHERE id = $1', [captured.id]))[0]?.provider_ref;
      if (ref) {
        const t0 = performance.now();
        const r = await this.#payments.refund(ref, captured.amount, `${captured.id}:void`);
        this.#t.paymentCall(captured.method, 'void', (performance.now() - t0) / 1000, r.ok ? undefined : r.reason);
        if (!r.ok) throw new StoreError('STORE_PAYMENT_PROVIDER_UNAVAILABLE', 'the payment could not be reversed; the order is unchanged', { statusCode: 503, details: { reason: r.reason } });
      }
    }
    let units = 0;
    const o = await this.#deps.db.tx(async (q) => {
      const o = await this.#lock(q, id);
      if (o.status !== before.status) throw new StoreError('STORE_ORDER_INVALID_STATE', `the order changed to ${o.status} meanwhile`);
      const items = await q.query<{ sku: string; quantity: number }>('SELECT sku, sum(quantity)::int AS quantity FROM order_items WHERE order_id = $1 GROUP BY sku ORDER BY sku', [id]);
      for (const i of items) {
        await q.query('UPDATE stock SET reserved = reserved - $3, updated_at = now() WHERE location_id = $1 AND sku = $2', [o.location_id, i.sku, i.quantity]);
        units += i.quantity;
      }
      if (o.status === 'paid') {
        await q.query(`UPDATE payments SET status = 'reversed' WHERE order_id = $1 AND status = 'captured'`, [id]);
        if (o.points_redeemed > 0 && o.customer_id !== null) await this.#restorePoints(q, o.customer_id, id, o.points_redeemed);
      }
      await q.query(`UPDATE orders SET status = 'voided', voided_at = now(), voided_by = $2, void_reason = $3 WHERE id = $1`, [id, user.sub, reason]);
      await this.#deps.audit.record(q, user, { action: 'order.void', target: `order:${id}`, before: { status: o.status, total: o.total }, after: { status: 'voided', reason, units_released: units } });
      return o;
    });
    this.#t.orderVoided({ location: o.location_id, channel: o.channel }, reason);
    this.#t.stockReleased(o.location_id, units, 'order_voided');
    await this.#refreshStock(o.location_id);
    const view = await this.get(id);
    this.#deps.events.emit('order.voided', {
      orderId: id,
      location: o.location_id,
      terminal: o.terminal_id,
      channel: o.channel,
      total: o.total,
      reason,
      voidedBy: user.sub,
      voidedAt: view.voided_at!,
    });
    return view;
  }

  // ---------------------------------------------------------------- refund

  async refund(user: TokenClaims, id: string, input: { amount?: number | undefined; reason: string }): Promise<{ order: OrderView; refund: { id: string; amount: number } }> {
    // 1. Reserve the amount on the order, so two concurrent refunds cannot exceed the total.
    const claim = await this.#deps.db.tx(async (q) => {
      const o = await this.#lock(q, id);
      if (o.status === 'refunded') throw new StoreError('STORE_REFUND_EXCEEDS_TOTAL', 'the order is already fully refunded');
      if (o.status !== 'completed') throw new StoreError('STORE_ORDER_INVALID_STATE', `only completed orders are refunded; the order is ${o.status}${o.status === 'open' || o.status === 'paid' ? ' (void it instead)' : ''}`);
      const remaining = o.total - o.refunded_amount;
      const amount = input.amount ?? remaining;
      if (amount > remaining || amount <= 0) {
        throw new StoreError('STORE_REFUND_EXCEEDS_TOTAL', `at most ${remaining} can be refunded`, { details: { refundable: remaining } });
      }
      const p = await q.query<{ id: string; method: PaymentMethod; provider_ref: string | null }>(
        `SELECT id, method, provider_ref FROM payments WHERE order_id = $1 AND status = 'captured'`,
        [id],
      );
      await q.query('UPDATE orders SET refunded_amount = refunded_amount + $2 WHERE id = $1', [id, amount]);
      return { o, amount, payment: p[0] };
    });
    const { o, amount, payment } = claim;

    // 2. The provider, for non-cash payments.
    let refundRef: string | null = null;
    const refundId = newId('ref');
    if (payment && payment.method !== 'cash' && payment.provider_ref) {
      const t0 = performance.now();
      const r = await this.#payments.refund(payment.provider_ref, amount, refundId);
      this.#t.paymentCall(payment.method, 'refund', (performance.now() - t0) / 1000, r.ok ? undefined : r.reason);
      if (!r.ok) {
        await this.#deps.db.query('UPDATE orders SET refunded_amount = refunded_amount - $2 WHERE id = $1', [id, amount]);
        throw new StoreError('STORE_PAYMENT_PROVIDER_UNAVAILABLE', 'the refund could not be made; nothing was refunded', { statusCode: 503, details: { reason: r.reason } });
      }
      refundRef = r.refundRef;
    } else if (payment) {
      this.#t.paymentCall(payment.method, 'refund', 0);
    }

    // 3. Record it; reverse the share of loyalty points the refunded money earned.
    await this.#deps.db.tx(async (q) => {
      await q.query(
        `INSERT INTO refunds (id, order_id, payment_id, amount, reason, provider_ref, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [refundId, id, payment?.id ?? null, amount, input.reason, refundRef, user.sub],
      );
      await this.#deps.audit.record(q, user, {
        action: 'order.refund',
        target: `order:${id}`,
        before: { status: o.status, refunded_amount: o.refunded_amount },
        after: { refund_id: refundId, amount, reason: input.reason, method: payment?.method ?? null },
      });
      await q.query(`UPDATE orders SET status = CASE WHEN refunded_amount >= total THEN 'refunded' ELSE status END WHERE id = $1`, [id]);
      if (o.customer_id !== null && o.points_earned > 0 && o.total > 0) {
        const reverse = Math.floor((o.points_earned * amount) / o.total);
        if (reverse > 0) {
          const c = await q.query<{ loyalty_points: number }>('SELECT loyalty_points FROM customers WHERE id = $1 FOR UPDATE', [o.customer_id]);
          // Points already spent cannot be taken back: the balance never goes negative.
          const taken = Math.min(reverse, c[0]?.loyalty_points ?? 0);
          if (taken > 0) {
            await q.query('UPDATE customers SET loyalty_points = loyalty_points - $2 WHERE id = $1', [o.customer_id, taken]);
            await q.query(`INSERT INTO loyalty_ledger (id, customer_id, order_id, delta, kind) VALUES ($1, $2, $3, $4, 'reversed')`, [newId('ll'), o.customer_id, id, -taken]);
          }
        }
      }
    });
    this.#t.refunded(o.location_id, o.currency, amount);
    const view = await this.get(id);
    this.#deps.events.emit('order.refunded', {
      orderId: id,
      location: o.location_id,
      terminal: o.terminal_id,
      channel: o.channel,
      amount,
      reason: input.reason,
      refundedBy: user.sub,
      refundedAt: new Date().toISOString(),
    });
    return { order: view, refund: { id: refundId, amount } };
  }

  async #refreshStock(location: string): Promise<void> {
    try {
      await this.#products.refreshStockLevels([location]);
    } catch (err) {
      this.#deps.logger.warn({ err, module: 'orders' }, 'could not refresh low-stock counts');
    }
  }
}

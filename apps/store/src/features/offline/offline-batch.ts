/**
 * The shape of an offline batch and its validation, item by item: a bad sale is rejected with a
 * reason and the good ones in the same batch go on (a terminal that was offline for a shift must not
 * lose 200 sales because one of them is malformed). Pure: the checks that need the database (SKU,
 * customer) are in offline-queue.ts.
 *
 * ```json
 * {
 *   "terminal": "till-3",
 *   "location": "store-001",
 *   "sales": [{
 *     "client_sale_id": "till-3-000128",
 *     "recorded_at": "2026-11-24T10:15:00Z",
 *     "channel": "in_store",
 *     "items": [{ "sku": "BEER-IPA-6PK", "quantity": 2, "unit_price": 1299 }],
 *     "payment": { "method": "cash", "amount": 2598 },
 *     "customer_id": "cus_123",
 *     "age_verification": { "method": "id_scan", "age_bracket": "25_plus" }
 *   }]
 * }
 * ```
 * Prices are what the terminal charged from its cached catalogue: the money was taken, so the sale
 * is applied at those prices, not re-priced. The validated sale is kept internally in camelCase.
 */
// Ids are stored and synced as sent: they follow the correlation-id rule (no card-number digit run, no token).
import { isValidCorrelationId } from '@tillwatch/redact';
import { AGE_VERIFICATION_METHODS, CHANNELS, PAYMENT_METHODS, type AgeVerificationMethod, type Channel, type PaymentMethod } from '../../orders/order-types.ts';

const MAX_SALES_PER_BATCH = 500;
const MAX_ITEMS_PER_SALE = 100;
const MAX_QUANTITY = 1000;
/** A terminal's clock may run ahead a little; further ahead is a broken clock. */
const MAX_CLOCK_SKEW_MS = 5 * 60_000;
/** Older sales are refused: they belong to a closed accounting period (and a terminal offline a month is a support case). */
const MAX_AGE_MS = 30 * 24 * 3600_000;

const TERMINAL_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const CLIENT_SALE_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
const SKU = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

const AGE_BRACKETS = ['under_18', '18_20', '21_24', '25_plus', 'unknown'] as const;
export type AgeBracket = (typeof AGE_BRACKETS)[number];

/** Why one sale was rejected (bounded: stored, returned to the terminal and logged). */
const REJECT_CODES = [
  'invalid_sale',
  'invalid_client_sale_id',
  'invalid_recorded_at',
  'invalid_channel',
  'invalid_items',
  'invalid_quantity',
  'invalid_price',
  'invalid_payment',
  'amount_mismatch',
  'duplicate_in_batch',
  'unknown_sku',
  'unknown_customer',
  'age_verification_required',
  'age_verification_failed',
  'apply_failed',
] as const;
export type RejectCode = (typeof REJECT_CODES)[number];

export interface OfflineItem {
  readonly sku: string;
  readonly quantity: number;
  /** Minor units, as charged. */
  readonly unitPrice: number;
}

export interface OfflineSale {
  readonly clientSaleId: string;
  readonly recordedAt: string;
  readonly channel: Channel;
  readonly items: readonly OfflineItem[];
  readonly payment: { readonly method: PaymentMethod; readonly amount: number };
  readonly customerId?: string | undefined;
  readonly ageVerification?: { readonly method: AgeVerificationMethod; readonly ageBracket: AgeBracket } | undefined;
}

export interface Rejection {
  readonly index: number;
  /** Undefined when the sale did not even carry a usable id. */
  readonly clientSaleId: string | undefined;
  readonly code: RejectCode;
  readonly message: string;
}

export interface ParsedBatch {
  readonly terminal: string;
  readonly location: string;
  /** Valid sales with their index in the posted array. */
  readonly sales: readonly { readonly index: number; readonly sale: OfflineSale }[];
  readonly rejected: readonly Rejection[];
}

export type EnvelopeError = { readonly field: string; readonly expected: string };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isInt(v: unknown, min: number, max: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

/**
 * Validates a posted batch.
 * @returns the envelope problem when the batch as a whole is unusable, else the per-sale verdicts.
 */
export function parseBatch(body: unknown, locations: readonly string[], nowMs = Date.now()): { ok: true; batch: ParsedBatch } | { ok: false; error: EnvelopeError } {
  if (!isRecord(body)) return { ok: false, error: { field: 'body', expected: 'a JSON object' } };
  if (typeof body.terminal !== 'string' || !TERMINAL_ID.test(body.terminal) || !isValidCorrelationId(body.terminal)) {
    return { ok: false, error: { field: 'terminal', expected: `a terminal id matching ${TERMINAL_ID}, without a card number or a token` } };
  }
  if (typeof body.location !== 'string' || !locations.includes(body.location)) {
    return { ok: false, error: { field: 'location', expected: `one of the store's locations (${locations.join(', ')})` } };
  }
  if (!Array.isArray(body.sales) || body.sales.length === 0 || body.sales.length > MAX_SALES_PER_BATCH) {
    return { ok: false, error: { field: 'sales', expected: `an array of 1 to ${MAX_SALES_PER_BATCH} sales` } };
  }
  const sales: { index: number; sale: OfflineSale }[] = [];
  const rejected: Rejection[] = [];
  const seen = new Set<string>();
  body.sales.forEach((raw: unknown, index) => {
    const verdict = parseSale(raw, nowMs);
    if ('code' in verdict) {
      rejected.push({ index, ...verdict });
    } else if (seen.has(verdict.clientSaleId)) {
      rejected.push({ index, clientSaleId: verdict.clientSaleId, code: 'duplicate_in_batch', message: 'the same client_sale_id appears earlier in this batch' });
    } else {
      seen.add(verdict.clientSaleId);
      sales.push({ index, sale: verdict });
    }
  });
  return { ok: true, batch: { terminal: body.terminal, location: body.location, sales, rejected } };
}

function parseSale(raw: unknown, nowMs: number): OfflineSale | Omit<Rejection, 'index'> {
  if (!isRecord(raw)) return { clientSaleId: undefined, code: 'invalid_sale', message: 'a sale must be an object' };
  const id = raw.client_sale_id;
  if (typeof id !== 'string' || !CLIENT_SALE_ID.test(id) || !isValidCorrelationId(id)) {
    return { clientSaleId: undefined, code: 'invalid_client_sale_id', message: `client_sale_id must match ${CLIENT_SALE_ID}, without a card number or a token` };
  }
  const reject = (code: RejectCode, message: string): Omit<Rejection, 'index'> => ({ clientSaleId: id, code, message });

  const recordedMs = typeof raw.recorded_at === 'string' ? Date.parse(raw.recorded_at) : Number.NaN;
  if (Number.isNaN(recordedMs)) return reject('invalid_recorded_at', 'recorded_at must be an ISO-8601 timestamp');
  if (recordedMs > nowMs + MAX_CLOCK_SKEW_MS) return reject('invalid_recorded_at', 'recorded_at is in the future: check the terminal clock');
  if (recordedMs < nowMs - MAX_AGE_MS) return reject('invalid_recorded_at', 'recorded_at is more than 30 days old');

  const channel = raw.channel ?? 'in_store';
  if (!(CHANNELS as readonly unknown[]).includes(channel)) return reject('invalid_channel', `channel must be one of ${CHANNELS.join(', ')}`);

  if (!Array.isArray(raw.items) || raw.items.length === 0 || raw.items.length > MAX_ITEMS_PER_SALE) {
    return reject('invalid_items', `items must be an array of 1 to ${MAX_ITEMS_PER_SALE} lines`);
  }
  const items: OfflineItem[] = [];
  for (const it of raw.items as unknown[]) {
    if (!isRecord(it) || typeof it.sku !== 'string' || !SKU.test(it.sku)) return reject('invalid_items', 'every line needs a sku');
    if (!isInt(it.quantity, 1, MAX_QUANTITY)) return reject('invalid_quantity', `quantity must be an integer from 1 to ${MAX_QUANTITY}`);
    if (!isInt(it.unit_price, 0, 100_000_000)) return reject('invalid_price', 'unit_price must be a non-negative integer in minor units');
    items.push({ sku: it.sku, quantity: it.quantity, unitPrice: it.unit_price });
  }
  const total = items.reduce((sum, i) => sum + i.quantity * i.unitPrice, 0);

  const payment = raw.payment;
  if (!isRecord(payment) || !(PAYMENT_METHODS as readonly unknown[]).includes(payment.method) || !isInt(payment.amount, 0, Number.MAX_SAFE_INTEGER)) {
    return reject('invalid_payment', `payment needs a method (${PAYMENT_METHODS.join(', ')}) and an integer amount`);
  }
  if (payment.amount !== total) return reject('amount_mismatch', `payment.amount (${payment.amount}) differs from the sum of the lines (${total})`);

  let customerId: string | undefined;
  if (raw.customer_id !== undefined && raw.customer_id !== null) {
    if (typeof raw.customer_id !== 'string' || raw.customer_id.length > 64 || !isValidCorrelationId(raw.customer_id)) {
      return reject('invalid_sale', 'customer_id must be an id of letters, digits and ._:-, without a card number or a token');
    }
    customerId = raw.customer_id;
  }

  let ageVerification: OfflineSale['ageVerification'];
  const av = raw.age_verification;
  if (av !== undefined && av !== null) {
    if (!isRecord(av) || !(AGE_VERIFICATION_METHODS as readonly unknown[]).includes(av.method) || !(AGE_BRACKETS as readonly unknown[]).includes(av.age_bracket)) {
      return reject('invalid_sale', `age_verification needs a method (${AGE_VERIFICATION_METHODS.join(', ')}) and an age_bracket (${AGE_BRACKETS.join(', ')})`);
    }
    ageVerification = { method: av.method as AgeVerificationMethod, ageBracket: av.age_bracket as AgeBracket };
  }

  return {
    clientSaleId: id,
    recordedAt: new Date(recordedMs).toISOString(),
    channel: channel as Channel,
    items,
    payment: { method: payment.method as PaymentMethod, amount: payment.amount },
    customerId,
    ageVerification,
  };
}

/** Total of a sale in minor units. */
export function saleTotal(sale: OfflineSale): number {
  return sale.items.reduce((sum, i) => sum + i.quantity * i.unitPrice, 0);
}

/** Units sold. */
export function saleUnits(sale: OfflineSale): number {
  return sale.items.reduce((sum, i) => sum + i.quantity, 0);
}

/** Age brackets that may buy restricted items (the store sells alcohol: 21+, as in the US). */
export function isOfAge(bracket: AgeBracket): boolean {
  return bracket === '21_24' || bracket === '25_plus';
}

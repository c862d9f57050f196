/**
 * The offline queue: batches from terminals are checked against the catalogue, queued, and applied
 * by a worker as completed orders (with their lines, payment, age verification and stock movement),
 * each in its own transaction.
 *
 * Idempotency: (terminal, clientSaleId) is the queue's primary key, so a replayed batch queues
 * nothing new; and the order id is derived from the same pair, so even a sale applied twice (two
 * store instances racing on a real Postgres) produces one order (ON CONFLICT DO NOTHING).
 */
import { derivedId, newId } from '../../ids.ts';
import type { Db, Logger, Queryable, StoreEvents } from '../../deps.ts';
import { isOfAge, saleTotal, saleUnits, type OfflineSale, type ParsedBatch, type RejectCode, type Rejection } from './offline-batch.ts';
import type { BatchOutcome, OfflineMetrics } from './offline-metrics.ts';

/**
 * What happened to one posted sale: `applied` (an order now), `duplicate` (this terminal posted the
 * same clientSaleId before), `rejected` (with a code), or `queued` (accepted, but applying failed for
 * now; the worker retries it).
 */
export type ItemStatus = 'applied' | 'queued' | 'duplicate' | 'rejected';

export interface ItemResult {
  readonly index: number;
  readonly client_sale_id: string | null;
  readonly status: ItemStatus;
  readonly order_id?: string;
  readonly code?: RejectCode;
  readonly message?: string;
}

export interface EnqueueResult {
  readonly batch_id: string;
  readonly received: number;
  readonly applied: number;
  readonly queued: number;
  readonly duplicates: number;
  readonly rejected: number;
  readonly results: readonly ItemResult[];
}

export interface QueuedSaleView {
  readonly terminal: string;
  readonly client_sale_id: string;
  readonly location: string;
  readonly status: 'queued' | 'applied' | 'rejected';
  readonly attempts: number;
  readonly error_code: string | null;
  readonly order_id: string | null;
  readonly recorded_at: string;
  readonly queued_at: string;
  readonly applied_at: string | null;
}

export interface QueueDepth {
  readonly location: string;
  readonly depth: number;
  readonly oldest_age_seconds: number;
}

export interface ApplyCycle {
  readonly applied: number;
  readonly rejected: number;
  readonly failed: number;
  /** Already applied or being applied by another instance. */
  readonly skipped: number;
}

interface ProductRow {
  sku: string;
  name: string;
  price: number;
  age_restricted: boolean;
  active: boolean;
}

interface SaleRow {
  terminal_id: string;
  client_sale_id: string;
  location_id: string;
  posted_by: string;
  recorded_at: Date | string;
  queued_at: Date | string;
  sale: OfflineSale | string;
  status: 'queued' | 'applied' | 'rejected';
  attempts: number;
  error_code: string | null;
  order_id: string | null;
  applied_at: Date | string | null;
}

export interface OfflineQueueOptions {
  readonly db: Db;
  readonly metrics: OfflineMetrics;
  readonly logger: Logger;
  readonly currency: string;
  readonly locations: readonly string[];
  /** Attempts before a sale that keeps failing to apply is rejected (`apply_failed`). */
  readonly maxApplyAttempts: number;
  /** An applied sale is a completed sale: its before-commit hooks (the warehouse sync) run in the apply transaction. */
  readonly events: StoreEvents;
  /** Records a failed apply in the event-failure table and event_failures_total. Must not throw. */
  readonly recordFailure: (f: { readonly key: string; readonly location: string | undefined; readonly error: unknown }) => void;
}

const iso = (v: Date | string): string => (v instanceof Date ? v : new Date(v)).toISOString();

/** The order id of an offline sale: stable for (terminal, clientSaleId). */
function offlineOrderId(terminal: string, clientSaleId: string): string {
  return derivedId('ofl', `${terminal}\u0000${clientSaleId}`, 32);
}

export class OfflineQueue {
  readonly #o: OfflineQueueOptions;

  constructor(options: OfflineQueueOptions) {
    this.#o = options;
  }

  /**
   * Checks a parsed batch against the catalogue and customers, then queues the good sales.
   * @throws when the database fails (nothing of the batch is kept: one transaction).
   */
  async enqueue(batch: ParsedBatch, postedBy: string): Promise<EnqueueResult> {
    const { db, metrics, logger } = this.#o;
    const skus = [...new Set(batch.sales.flatMap((s) => s.sale.items.map((i) => i.sku)))];
    const customerIds = [...new Set(batch.sales.map((s) => s.sale.customerId).filter((c): c is string => c !== undefined))];
    const products = await this.#products(db, skus);
    const customers =
      customerIds.length === 0
        ? new Set<string>()
        : new Set((await db.query<{ id: string }>('SELECT id FROM customers WHERE id = ANY($1::text[])', [customerIds])).map((r) => r.id));

    const rejected: Rejection[] = [...batch.rejected];
    const good: { index: number; sale: OfflineSale }[] = [];
    for (const s of batch.sales) {
      const problem = checkAgainstCatalogue(s.sale, products, customers);
      if (problem === undefined) good.push(s);
      else rejected.push({ index: s.index, clientSaleId: s.sale.clientSaleId, ...problem });
    }

    const batchId = newId('ob', { dashes: true });
    const queuedIds = await db.tx(async (q) => {
      await q.query(
        `INSERT INTO offline_batches (id, terminal_id, location_id, posted_by, items, queued, duplicates, rejected) VALUES ($1, $2, $3, $4, $5, 0, 0, $6)`,
        [batchId, batch.terminal, batch.location, postedBy, good.length + rejected.length, rejected.length],
      );
      const queued = new Set<string>();
      for (const { sale } of good) {
        const rows = await q.query<{ client_sale_id: string }>(
          `INSERT INTO offline_sales (terminal_id, client_sale_id, batch_id, location_id, posted_by, recorded_at, sale, status)
           VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, 'queued')
           ON CONFLICT (terminal_id, client_sale_id) DO NOTHING RETURNING client_sale_id`,
          [batch.terminal, sale.clientSaleId, batchId, batch.location, postedBy, sale.recordedAt, JSON.stringify(sale)],
        );
        if (rows[0] !== undefined) queued.add(rows[0].client_sale_id);
      }
      await q.query('UPDATE offline_batches SET queued = $2, duplicates = $3 WHERE id = $1', [batchId, queued.size, good.length - queued.size]);
      return queued;
    });

    // Apply this batch's new sales now, so the terminal learns each one's fate in the answer; any
    // that fail to apply stay queued for the worker.
    const outcomes = new Map<string, ApplyOutcome>();
    for (const { sale } of good) {
      if (queuedIds.has(sale.clientSaleId)) outcomes.set(sale.clientSaleId, await this.#applyOne(batch.terminal, sale.clientSaleId));
    }
    const results: ItemResult[] = [
      ...good.map(({ index, sale }): ItemResult => {
        const o = outcomes.get(sale.clientSaleId);
        const client_sale_id = sale.clientSaleId;
        if (o === undefined) return { index, client_sale_id, status: 'duplicate' };
        if (o.result === 'applied' || o.result === 'skipped') return { index, client_sale_id, status: 'applied', ...(o.orderId ? { order_id: o.orderId } : {}) };
        if (o.result === 'rejected') return { index, client_sale_id, status: 'rejected', code: o.code ?? 'apply_failed', message: 'the sale could not be applied' };
        return { index, client_sale_id, status: 'queued' };
      }),
      ...rejected.map((r): ItemResult => ({ index: r.index, client_sale_id: r.clientSaleId ?? null, status: 'rejected', code: r.code, message: r.message })),
    ].sort((a, b) => a.index - b.index);
    const count = (st: ItemStatus): number => results.filter((r) => r.status === st).length;
    const summary = { applied: count('applied'), queued: count('queued'), duplicates: count('duplicate'), rejected: count('rejected') };
    const received = results.length;

    metrics.syncAttempt(batch.location, batchOutcome(summary, received), summary);
    const byCode: Record<string, number> = {};
    for (const r of results) if (r.code !== undefined) byCode[r.code] = (byCode[r.code] ?? 0) + 1;
    logger.info(
      { event: 'offline.batch_received', batch_id: batchId, terminal: batch.terminal, location: batch.location, received, ...summary, rejected_by_code: byCode },
      `offline batch: ${summary.applied} applied, ${summary.queued} queued, ${summary.duplicates} duplicate, ${summary.rejected} rejected`,
    );
    await this.refreshGauges();
    return { batch_id: batchId, received, ...summary, results };
  }

  /**
   * Applies up to `limit` sales left queued, oldest first, each in its own transaction (the worker's
   * retry). Each location with something applied or rejected counts as one sync attempt.
   */
  async applyPending(limit: number): Promise<ApplyCycle> {
    const rows = await this.#o.db.query<{ terminal_id: string; client_sale_id: string }>(
      `SELECT terminal_id, client_sale_id FROM offline_sales WHERE status = 'queued' ORDER BY queued_at, client_sale_id LIMIT $1`,
      [limit],
    );
    const cycle = { applied: 0, rejected: 0, failed: 0, skipped: 0 };
    const perLocation = new Map<string, { applied: number; queued: number; duplicates: number; rejected: number }>();
    for (const r of rows) {
      const o = await this.#applyOne(r.terminal_id, r.client_sale_id);
      cycle[o.result]++;
      if (o.location === undefined || o.result === 'skipped') continue;
      const c = perLocation.get(o.location) ?? { applied: 0, queued: 0, duplicates: 0, rejected: 0 };
      if (o.result === 'applied') c.applied++;
      else if (o.result === 'rejected') c.rejected++;
      else c.queued++;
      perLocation.set(o.location, c);
    }
    for (const [location, c] of perLocation) {
      if (c.applied + c.rejected > 0) this.#o.metrics.syncAttempt(location, batchOutcome(c, c.applied + c.rejected + c.queued), c);
    }
    return cycle;
  }

  /** Sets the depth and oldest-age gauges of every location from the table. */
  async refreshGauges(): Promise<void> {
    try {
      this.#o.metrics.queueDepth(await this.depth());
    } catch (err) {
      this.#o.logger.warn({ event: 'offline.gauges_failed', err }, 'could not read the offline queue depth');
    }
  }

  /** Queue depth and the age of the oldest queued sale, per location (every location, 0 when empty). */
  async depth(): Promise<QueueDepth[]> {
    const rows = await this.#o.db.query<{ location_id: string; depth: number; oldest: number | string | null }>(
      `SELECT location_id, count(*)::int AS depth, EXTRACT(EPOCH FROM (now() - min(queued_at)))::float8 AS oldest
         FROM offline_sales WHERE status = 'queued' GROUP BY location_id`,
    );
    const byLocation = new Map(rows.map((r) => [r.location_id, r]));
    const locations = [...new Set([...this.#o.locations, ...byLocation.keys()])];
    return locations.map((location) => {
      const r = byLocation.get(location);
      return { location, depth: r?.depth ?? 0, oldest_age_seconds: r?.oldest == null ? 0 : Math.max(0, Number(r.oldest)) };
    });
  }

  async get(terminal: string, clientSaleId: string): Promise<QueuedSaleView | undefined> {
    const rows = await this.#o.db.query<SaleRow>('SELECT * FROM offline_sales WHERE terminal_id = $1 AND client_sale_id = $2', [terminal, clientSaleId]);
    return rows[0] === undefined ? undefined : view(rows[0]);
  }

  async list(q: { terminal?: string | undefined; status?: QueuedSaleView['status'] | undefined; limit: number }): Promise<QueuedSaleView[]> {
    const rows = await this.#o.db.query<SaleRow>(
      `SELECT * FROM offline_sales WHERE ($1::text IS NULL OR terminal_id = $1) AND ($2::text IS NULL OR status = $2)
        ORDER BY queued_at DESC, client_sale_id DESC LIMIT $3`,
      [q.terminal ?? null, q.status ?? null, q.limit],
    );
    return rows.map(view);
  }

  async #products(q: Queryable, skus: readonly string[]): Promise<Map<string, ProductRow>> {
    if (skus.length === 0) return new Map();
    const rows = await q.query<ProductRow>('SELECT sku, name, price, age_restricted, active FROM products WHERE sku = ANY($1::text[])', [skus]);
    return new Map(rows.map((r) => [r.sku, r]));
  }

  async #applyOne(terminal: string, clientSaleId: string): Promise<ApplyOutcome> {
    const { db, metrics, logger, currency } = this.#o;
    const log = logger.child({ terminal, client_sale_id: clientSaleId });
    try {
      const outcome = await db.tx(async (q): Promise<ApplyOutcome> => {
        // SKIP LOCKED: another store instance applying the same sale right now has it; leave it.
        const rows = await q.query<SaleRow>(
          `SELECT * FROM offline_sales WHERE terminal_id = $1 AND client_sale_id = $2 AND status = 'queued' FOR UPDATE SKIP LOCKED`,
          [terminal, clientSaleId],
        );
        const row = rows[0];
        if (row === undefined) return { result: 'skipped' };
        const location = row.location_id;
        const sale = (typeof row.sale === 'string' ? JSON.parse(row.sale) : row.sale) as OfflineSale;
        const products = await this.#products(q, sale.items.map((i) => i.sku));
        const problem = checkAgainstCatalogue(sale, products, undefined);
        if (problem !== undefined) {
          await q.query(`UPDATE offline_sales SET status = 'rejected', error_code = $3, attempts = attempts + 1 WHERE terminal_id = $1 AND client_sale_id = $2`, [
            terminal,
            clientSaleId,
            problem.code,
          ]);
          return { result: 'rejected', location, code: problem.code };
        }
        const orderId = offlineOrderId(terminal, clientSaleId);
        const fresh = await insertOrder(q, { orderId, terminal, location, postedBy: row.posted_by, currency, sale, products });
        if (fresh) {
          await this.#o.events.runBeforeCommit('sale.completing', q, {
            orderId,
            location,
            customerId: sale.customerId,
            total: saleTotal(sale),
            currency,
            itemCount: saleUnits(sale),
            source: 'offline',
          });
        }
        await q.query(
          `UPDATE offline_sales SET status = 'applied', order_id = $3, applied_at = now(), attempts = attempts + 1, error_code = NULL
            WHERE terminal_id = $1 AND client_sale_id = $2`,
          [terminal, clientSaleId, orderId],
        );
        return { result: 'applied', location, orderId, sale: fresh ? sale : undefined };
      });
      if (outcome.result === 'rejected') {
        log.warn({ event: 'offline.sale_rejected', code: outcome.code }, `offline sale rejected at apply: ${outcome.code}`);
      } else if (outcome.result === 'applied') {
        // Revenue: an offline sale is counted when the store learns of it (once: `sale` is set only
        // when this call created the order).
        if (outcome.sale !== undefined && outcome.location !== undefined) metrics.saleApplied(outcome.location, outcome.sale, currency);
        log.info({ event: 'offline.sale_applied', order_id: outcome.orderId, location: outcome.location }, 'offline sale applied');
      }
      return outcome;
    } catch (err) {
      const rows = await db
        .query<{ attempts: number; location_id: string }>(
          `UPDATE offline_sales SET attempts = attempts + 1, error_code = 'apply_failed',
                  status = CASE WHEN attempts + 1 >= $3 THEN 'rejected' ELSE status END
            WHERE terminal_id = $1 AND client_sale_id = $2 AND status = 'queued' RETURNING attempts, location_id`,
          [terminal, clientSaleId, this.#o.maxApplyAttempts],
        )
        .catch(() => []);
      const row = rows[0];
      const gaveUp = row !== undefined && row.attempts >= this.#o.maxApplyAttempts;
      this.#o.recordFailure({ key: `${terminal}/${clientSaleId}`, location: row?.location_id, error: err });
      log.error(
        { event: 'offline.apply_failed', err, attempts: row?.attempts, gave_up: gaveUp },
        gaveUp ? 'offline sale rejected after repeated apply failures' : 'offline sale could not be applied; will retry',
      );
      return gaveUp ? { result: 'rejected', location: row.location_id, code: 'apply_failed' } : { result: 'failed', location: row?.location_id };
    }
  }
}

interface ApplyOutcome {
  readonly result: keyof ApplyCycle;
  readonly location?: string | undefined;
  readonly orderId?: string;
  readonly code?: RejectCode;
  /** The sale, when this call created its order (for the revenue metric). */
  readonly sale?: OfflineSale | undefined;
}

function batchOutcome(c: { applied: number; queued: number; duplicates: number; rejected: number }, received: number): BatchOutcome {
  if (c.rejected === 0 && c.queued === 0) return 'success';
  if (c.rejected === received) return 'rejected';
  return 'partial';
}

function checkAgainstCatalogue(
  sale: OfflineSale,
  products: ReadonlyMap<string, ProductRow>,
  customers: ReadonlySet<string> | undefined,
): { code: RejectCode; message: string } | undefined {
  for (const [line, item] of sale.items.entries()) {
    const p = products.get(item.sku);
    // named by its line, never echoed: the SKU is the terminal's text
    if (p === undefined || !p.active) return { code: 'unknown_sku', message: `unknown or inactive SKU on items[${line}]` };
  }
  if (customers !== undefined && sale.customerId !== undefined && !customers.has(sale.customerId)) {
    return { code: 'unknown_customer', message: 'customerId is not a known customer' };
  }
  const restricted = sale.items.some((i) => products.get(i.sku)?.age_restricted === true);
  if (restricted) {
    if (sale.ageVerification === undefined) return { code: 'age_verification_required', message: 'the sale has age-restricted items and no ageVerification' };
    if (!isOfAge(sale.ageVerification.ageBracket)) return { code: 'age_verification_failed', message: 'the recorded age bracket may not buy age-restricted items' };
  }
  return undefined;
}

interface InsertOrder {
  readonly orderId: string;
  readonly terminal: string;
  readonly location: string;
  readonly postedBy: string;
  readonly currency: string;
  readonly sale: OfflineSale;
  readonly products: ReadonlyMap<string, ProductRow>;
}

/** Writes the sale as a completed order. @returns false when the order already existed. */
async function insertOrder(q: Queryable, o: InsertOrder): Promise<boolean> {
  const { sale } = o;
  const total = saleTotal(sale);
  const restricted = sale.items.some((i) => o.products.get(i.sku)?.age_restricted === true);
  const created = await q.query<{ id: string }>(
    `INSERT INTO orders (id, location_id, terminal_id, channel, status, customer_id, currency, subtotal, discount, total, item_count,
                         age_restricted, created_by, created_at, paid_at, completed_at)
     VALUES ($1, $2, $3, $4, 'completed', $5, $6, $7, 0, $7, $8, $9, $10, $11, $11, $11)
     ON CONFLICT (id) DO NOTHING RETURNING id`,
    [o.orderId, o.location, o.terminal, sale.channel, sale.customerId ?? null, o.currency, total, saleUnits(sale), restricted, o.postedBy, sale.recordedAt],
  );
  if (created[0] === undefined) return false;
  let lineNo = 0;
  for (const item of sale.items) {
    const p = o.products.get(item.sku) as ProductRow;
    await q.query(
      `INSERT INTO order_items (order_id, line_no, sku, name, quantity, unit_price, list_price, line_total, age_restricted)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [o.orderId, ++lineNo, item.sku, p.name, item.quantity, item.unitPrice, p.price, item.quantity * item.unitPrice, p.age_restricted],
    );
    // The goods left the shop while the terminal was offline: consume stock, never below what open
    // orders hold (reserved) nor below zero. A shortfall here is a stock-count discrepancy, not a reason
    // to refuse a sale that already happened.
    await q.query(
      `UPDATE stock SET on_hand = GREATEST(reserved, on_hand - $3), updated_at = now() WHERE location_id = $1 AND sku = $2`,
      [o.location, item.sku, item.quantity],
    );
  }
  await q.query(
    `INSERT INTO payments (id, order_id, method, amount, status, provider_ref, created_by, created_at)
     VALUES ($1, $2, $3, $4, 'captured', 'offline', $5, $6)`,
    [`pay_${o.orderId}`, o.orderId, sale.payment.method, sale.payment.amount, o.postedBy, sale.recordedAt],
  );
  if (sale.ageVerification !== undefined) {
    await q.query(
      `INSERT INTO age_verifications (id, order_id, result, method, age_bracket, verified_by, created_at) VALUES ($1, $2, 'pass', $3, $4, $5, $6)`,
      [`av_${o.orderId}`, o.orderId, sale.ageVerification.method, sale.ageVerification.ageBracket, o.postedBy, sale.recordedAt],
    );
  }
  if (sale.customerId !== undefined) {
    await q.query('UPDATE customers SET completed_orders = completed_orders + 1 WHERE id = $1', [sale.customerId]);
  }
  return true;
}

function view(r: SaleRow): QueuedSaleView {
  return {
    terminal: r.terminal_id,
    client_sale_id: r.client_sale_id,
    location: r.location_id,
    status: r.status,
    attempts: r.attempts,
    error_code: r.error_code,
    order_id: r.order_id,
    recorded_at: iso(r.recorded_at),
    queued_at: iso(r.queued_at),
    applied_at: r.applied_at === null ? null : iso(r.applied_at),
  };
}

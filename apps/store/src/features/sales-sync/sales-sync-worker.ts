/**
 * Pushes completed sales to the warehouse in batches, recording a last-success timestamp per pipeline (the
 * "no sales synced in 15 minutes" alert reads it), through the durable queue `sales_sync` (tillwatch/delivery
 * over pg-boss, in the store's database).
 *
 * Every completed sale, at a till or applied from an offline terminal, is enqueued in the transaction that
 * completes it (a before-commit hook), so a crash can neither lose a sale for the warehouse nor announce one
 * that was rolled back. A worker takes up to a batch of sales at once and pushes them in one request;
 * delivery is at least once (a crash after the push and before the jobs are settled pushes them again), and
 * the warehouse is idempotent by sale id, so a repeat is counted there as a duplicate, not a second sale.
 * A failed batch is retried by tillwatch's policy, sale by sale (each keeps its own attempt count and
 * budget); a refusal (validation, authentication) dead-letters the batch's sales for `tillwatch dlq replay`
 * once the cause is fixed.
 *
 * The last-success gauge moves on each acknowledged batch. A stall (a hung warehouse) shows as batches
 * timing out while `delivery_queue_depth{queue="sales_sync"}` and its oldest age grow.
 */
import { derivedId } from '../../ids.ts';
import { DeliveryError, type DeliveryJob, type DeliveryQueue } from 'tillwatch/delivery';
import type { Db, Logger, Queryable, SaleCompletingEvent } from '../../deps.ts';
import type { SyncMetrics } from './sync-metrics.ts';
import type { SyncErrorType, WarehouseClient, WarehouseSale } from './warehouse-client.ts';

/** The `pipeline` label of the sync metrics, as the sync-freshness SLO and SalesSyncStalled select it. */
export const PIPELINE = 'sales_to_warehouse';
/** Prefix of batch ids (the warehouse dedupes by them; unchanged so a batch re-sent across an upgrade keeps its id). */
const BATCH_PREFIX = 'warehouse';
export const QUEUE = 'sales_sync';

/** What the queue holds per sale: only its id (the sale is read when it is pushed). */
export interface SyncJob {
  readonly order_id: string;
}

export interface SalesSyncOptions {
  readonly db: Db;
  readonly queue: DeliveryQueue<SyncJob>;
  readonly client: WarehouseClient;
  readonly metrics: SyncMetrics;
  readonly logger: Logger;
}

/** What `GET /sales-sync/status` shows. */
export interface SyncStatus {
  readonly pipeline: string;
  /** Sales not yet acknowledged by the warehouse (waiting, retrying or being pushed). */
  readonly pending: number;
  readonly oldest_pending_seconds: number;
  /** Sales in the dead-letter queue, waiting for `tillwatch dlq replay`. */
  readonly dead_letters: number;
  readonly last_batch_id: string | null;
  readonly last_success_at: string | null;
  readonly records_synced: number;
  readonly last_error: { readonly type: string; readonly at: string } | null;
}

interface SaleRow {
  id: string;
  location_id: string;
  terminal_id: string;
  channel: string;
  status: string;
  customer_id: string | null;
  currency: string;
  subtotal: number;
  discount: number;
  total: number;
  item_count: number;
  refunded_amount: number;
  completed_at: Date | string | null;
  created_at: Date | string;
  payment_method: string | null;
  items: WarehouseSale['items'] | string;
}

const SELECT_SALES = `
  SELECT o.id, o.location_id, o.terminal_id, o.channel, o.status, o.customer_id, o.currency, o.subtotal, o.discount,
         o.total, o.item_count, o.refunded_amount, o.completed_at, o.created_at,
         (SELECT p.method FROM payments p WHERE p.order_id = o.id AND p.status = 'captured' LIMIT 1) AS payment_method,
         COALESCE((SELECT jsonb_agg(jsonb_build_object('sku', i.sku, 'quantity', i.quantity, 'unit_price', i.unit_price, 'line_total', i.line_total) ORDER BY i.line_no)
                     FROM order_items i WHERE i.order_id = o.id), '[]'::jsonb) AS items
    FROM orders o
   WHERE o.id = ANY($1::text[])
   ORDER BY o.completed_at, o.id`;

/** The warehouse's error types, as tillwatch's classification names them (4xx refusals are permanent). */
const REASON: Record<SyncErrorType, ConstructorParameters<typeof DeliveryError>[0]> = {
  network: 'network',
  timeout: 'timeout',
  auth: 'unauthorized',
  rate_limited: 'rate_limited',
  rejected: 'rejected',
  validation: 'invalid_request',
  conflict: 'conflict',
  server_error: 'server_error',
};

const iso = (v: Date | string): string => (v instanceof Date ? v : new Date(v)).toISOString();

export class SalesSync {
  readonly #o: SalesSyncOptions;
  #lastError: { type: string; at: string } | null = null;

  constructor(options: SalesSyncOptions) {
    this.#o = options;
  }

  /** Enqueues the sale's sync in its completing transaction (a before-commit hook). */
  async onSaleCompleting(q: Queryable, e: SaleCompletingEvent): Promise<void> {
    await this.#o.queue.enqueue({ order_id: e.orderId }, { key: `sale:${e.orderId}`, aggregateId: e.orderId, tx: q });
  }

  /** Pushes one batch of sales. Resolves when the warehouse acknowledged it; throws a classified error otherwise. */
  async push(jobs: readonly DeliveryJob<SyncJob>[]): Promise<void> {
    const { db, client, metrics, logger } = this.#o;
    const ids = [...new Set(jobs.map((j) => j.payload.order_id))];
    const rows = await db.query<SaleRow>(SELECT_SALES, [ids]);
    if (rows.length < ids.length) {
      const found = new Set(rows.map((r) => r.id));
      logger.warn({ event: 'sales_sync.sale_missing', order_ids: ids.filter((id) => !found.has(id)) }, 'queued sales that no longer exist are skipped');
      if (rows.length === 0) return;
    }
    // The batch id is derived from its sales, so a repeated batch is recognisable at the warehouse too.
    const batchId = derivedId(BATCH_PREFIX, rows.map((r) => r.id).join('\n'), 20, '-');
    const started = performance.now();
    const result = await client.push(batchId, rows.map(toSale), AbortSignal.any(jobs.map((j) => j.signal)));
    const seconds = (performance.now() - started) / 1000;
    if (!result.ok) {
      metrics.batchFailed(result.errorType, seconds);
      this.#lastError = { type: result.errorType, at: new Date().toISOString() };
      logger.warn(
        { event: 'sales_sync.batch_failed', pipeline: PIPELINE, batch_id: batchId, error_type: result.errorType, status: result.status, records: rows.length, batch_ms: Math.round(seconds * 1000) },
        `sales sync batch failed (${result.errorType})`,
      );
      throw new DeliveryError(REASON[result.errorType], `the warehouse did not take the batch: ${result.errorType}`, { code: result.status !== undefined ? `http_${result.status}` : result.errorType });
    }
    await db.query(
      `INSERT INTO sync_cursors (pipeline, last_seq, last_batch_id, last_success_at, records_synced, updated_at)
       VALUES ($1, 0, $2, now(), $3, now())
       ON CONFLICT (pipeline) DO UPDATE SET last_batch_id = EXCLUDED.last_batch_id, last_success_at = now(),
         records_synced = sync_cursors.records_synced + EXCLUDED.records_synced, updated_at = now()`,
      [PIPELINE, batchId, rows.length],
    );
    metrics.batchSucceeded(rows.length, seconds);
    this.#lastError = null;
    logger.info(
      { event: 'sales_sync.batch_synced', pipeline: PIPELINE, batch_id: batchId, records: rows.length, accepted: result.accepted, duplicates: result.duplicates, batch_ms: Math.round(seconds * 1000) },
      `sales sync: ${rows.length} sale(s) pushed`,
    );
  }

  /**
   * Moves sales still waiting in the outbox table of earlier versions into the queue, once (a database
   * that ran an older store). Each row is enqueued and marked in one transaction.
   */
  async adoptOutbox(): Promise<number> {
    return this.#o.db.tx(async (q) => {
      const rows = await q.query<{ order_id: string }>(
        `UPDATE sales_outbox SET synced_at = now(), batch_id = 'moved-to-queue' WHERE synced_at IS NULL RETURNING order_id`,
      );
      for (const r of rows) await this.#o.queue.enqueue({ order_id: r.order_id }, { key: `sale:${r.order_id}`, aggregateId: r.order_id, tx: q });
      if (rows.length > 0) this.#o.logger.info({ event: 'sales_sync.outbox_adopted', orders: rows.length }, `${rows.length} sale(s) from the old outbox queued for the warehouse`);
      return rows.length;
    });
  }

  async status(stats: { depth: number; oldestAgeSeconds: number; deadLetters: number }): Promise<SyncStatus> {
    const [cursor] = await this.#o.db.query<{ last_batch_id: string | null; last_success_at: Date | string | null; records_synced: number }>(
      'SELECT last_batch_id, last_success_at, records_synced FROM sync_cursors WHERE pipeline = $1',
      [PIPELINE],
    );
    return {
      pipeline: PIPELINE,
      pending: stats.depth,
      oldest_pending_seconds: Math.round(stats.oldestAgeSeconds),
      dead_letters: stats.deadLetters,
      last_batch_id: cursor?.last_batch_id ?? null,
      last_success_at: cursor?.last_success_at ? iso(cursor.last_success_at) : null,
      records_synced: cursor?.records_synced ?? 0,
      last_error: this.#lastError,
    };
  }
}

function toSale(r: SaleRow): WarehouseSale {
  const items = (typeof r.items === 'string' ? JSON.parse(r.items) : r.items) as WarehouseSale['items'];
  return {
    sale_id: r.id,
    location: r.location_id,
    terminal: r.terminal_id,
    channel: r.channel,
    status: r.status,
    currency: r.currency,
    subtotal: r.subtotal,
    discount: r.discount,
    total: r.total,
    refunded: r.refunded_amount,
    units: r.item_count,
    payment_method: r.payment_method,
    customer_id: r.customer_id,
    completed_at: iso(r.completed_at ?? r.created_at),
    items,
  };
}

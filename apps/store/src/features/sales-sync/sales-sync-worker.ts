/**
 * Pushes completed sales to the warehouse in batches, recording a last-success timestamp per
 * pipeline (the "no sales synced in 15 minutes" alert reads it).
 *
 * Delivery is at-least-once: a batch is read from the outbox, pushed, and only then marked synced,
 * together with the pipeline's cursor row, in one transaction. A crash or shutdown between the push
 * and the mark sends the batch again next time; the warehouse dedupes by sale id and the batch id is
 * derived from the outbox range, so the retry is recognisable. A failed batch is not retried in a
 * tight loop: the next attempt is the next cycle.
 *
 * The last-success gauge moves on each acknowledged batch. A stall (a hung warehouse) shows as
 * batches timing out while the outbox grows and the gauge stands still. (A quiet store pushes no
 * batch and the gauge stands still too; tillwatch's sync recorder has no "up to date, nothing to
 * push" call yet, so the staleness alert should be read together with the pending count.)
 */
import type { Db, Logger } from '../../deps.ts';
import type { SyncMetrics } from './sync-metrics.ts';
import type { SyncErrorType, WarehouseClient, WarehouseSale } from './warehouse-client.ts';

export const PIPELINE = 'warehouse';

export interface SalesSyncWorkerOptions {
  readonly db: Db;
  readonly client: WarehouseClient;
  readonly metrics: SyncMetrics;
  readonly logger: Logger;
  readonly batchSize: number;
  readonly intervalMs: number;
  /** Full batches pushed back to back in one cycle before yielding to the next tick. */
  readonly maxBatchesPerCycle: number;
  /** Synced outbox rows older than this are deleted. */
  readonly retentionDays: number;
}

export type CycleResult =
  | { readonly kind: 'idle' }
  | { readonly kind: 'synced'; readonly batches: number; readonly records: number }
  | { readonly kind: 'failed'; readonly error_type: SyncErrorType | 'database'; readonly batches: number; readonly records: number };

/** What `GET /sales-sync/status` shows. */
export interface SyncStatus {
  readonly pipeline: string;
  readonly running: boolean;
  /** Outbox rows not yet acknowledged by the warehouse. */
  readonly pending: number;
  readonly last_seq: number;
  readonly last_batch_id: string | null;
  readonly last_success_at: string | null;
  readonly records_synced: number;
  readonly last_error: { readonly type: string; readonly at: string } | null;
}

interface SaleRow {
  seq: number;
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

const SELECT_BATCH = `
  SELECT so.seq, o.id, o.location_id, o.terminal_id, o.channel, o.status, o.customer_id, o.currency, o.subtotal, o.discount,
         o.total, o.item_count, o.refunded_amount, o.completed_at, o.created_at,
         (SELECT p.method FROM payments p WHERE p.order_id = o.id AND p.status = 'captured' LIMIT 1) AS payment_method,
         COALESCE((SELECT jsonb_agg(jsonb_build_object('sku', i.sku, 'quantity', i.quantity, 'unit_price', i.unit_price, 'line_total', i.line_total) ORDER BY i.line_no)
                     FROM order_items i WHERE i.order_id = o.id), '[]'::jsonb) AS items
    FROM sales_outbox so JOIN orders o ON o.id = so.order_id
   WHERE so.synced_at IS NULL
   ORDER BY so.seq
   LIMIT $1`;

const iso = (v: Date | string): string => (v instanceof Date ? v : new Date(v)).toISOString();

export class SalesSyncWorker {
  readonly #o: SalesSyncWorkerOptions;
  readonly #abort = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #cycle: Promise<CycleResult> | undefined;
  #running = false;
  #stopped = false;
  #lastError: { type: string; at: string } | null = null;
  #cyclesSincePrune = 0;

  constructor(options: SalesSyncWorkerOptions) {
    this.#o = options;
  }

  /**
   * Backfills the outbox with recent completed orders (an order whose event was lost to a crash
   * right after its commit), then starts the cycle.
   */
  async start(): Promise<void> {
    await this.backfill();
    this.#running = true;
    this.#schedule(0);
  }

  /** Adds one completed order to the outbox (idempotent). */
  async enqueue(orderId: string): Promise<void> {
    await this.#o.db.query('INSERT INTO sales_outbox (order_id) VALUES ($1) ON CONFLICT (order_id) DO NOTHING', [orderId]);
  }

  /** Puts every order completed in the last day that the outbox lacks into it. */
  async backfill(): Promise<number> {
    const rows = await this.#o.db.query<{ order_id: string }>(
      `INSERT INTO sales_outbox (order_id)
       SELECT id FROM orders WHERE status IN ('completed', 'refunded') AND completed_at > now() - interval '1 day' ORDER BY completed_at, id
       ON CONFLICT (order_id) DO NOTHING RETURNING order_id`,
    );
    if (rows.length > 0) this.#o.logger.info({ event: 'sales_sync.backfilled', orders: rows.length }, `sales sync: ${rows.length} completed order(s) added to the outbox at start-up`);
    return rows.length;
  }

  /** Runs one cycle now (tests, the manual trigger route), after the cycle already running if any. */
  runOnce(): Promise<CycleResult> {
    return this.#runCycle();
  }

  /**
   * Stops the worker: no new cycle starts, the push in flight is aborted (its batch stays unsynced
   * and goes again at the next start), and the cycle's bookkeeping finishes. Resolves when idle.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#abort.abort();
    await this.#cycle?.catch(() => undefined);
  }

  async status(): Promise<SyncStatus> {
    const [cursor] = await this.#o.db.query<{ last_seq: number; last_batch_id: string | null; last_success_at: Date | string | null; records_synced: number }>(
      'SELECT last_seq, last_batch_id, last_success_at, records_synced FROM sync_cursors WHERE pipeline = $1',
      [PIPELINE],
    );
    const [pending] = await this.#o.db.query<{ n: number }>('SELECT count(*)::int AS n FROM sales_outbox WHERE synced_at IS NULL');
    return {
      pipeline: PIPELINE,
      running: this.#running,
      pending: pending?.n ?? 0,
      last_seq: cursor?.last_seq ?? 0,
      last_batch_id: cursor?.last_batch_id ?? null,
      last_success_at: cursor?.last_success_at ? iso(cursor.last_success_at) : null,
      records_synced: cursor?.records_synced ?? 0,
      last_error: this.#lastError,
    };
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      void this.#runCycle().finally(() => this.#schedule(this.#o.intervalMs));
    }, ms);
    this.#timer.unref();
  }

  /** Cycles never overlap: a manual run queues behind the scheduled one and vice versa. */
  #runCycle(): Promise<CycleResult> {
    const previous = this.#cycle ?? Promise.resolve(undefined);
    const p = previous.catch(() => undefined).then(() => this.#cycleBody());
    this.#cycle = p;
    void p.finally(() => {
      if (this.#cycle === p) this.#cycle = undefined;
    });
    return p;
  }

  async #cycleBody(): Promise<CycleResult> {
    const { db, client, metrics, logger, batchSize, maxBatchesPerCycle } = this.#o;
    let batches = 0;
    let records = 0;
    try {
      if (++this.#cyclesSincePrune >= 100) {
        this.#cyclesSincePrune = 0;
        await db.query(`DELETE FROM sales_outbox WHERE synced_at < now() - ($1::int * interval '1 day')`, [this.#o.retentionDays]);
      }
      while (batches < maxBatchesPerCycle && !this.#stopped) {
        const rows = await db.query<SaleRow>(SELECT_BATCH, [batchSize]);
        if (rows.length === 0) break;
        const first = rows[0] as SaleRow;
        const last = rows[rows.length - 1] as SaleRow;
        const batchId = `${PIPELINE}-${first.seq}-${last.seq}`;
        const started = performance.now();
        const result = await client.push(batchId, rows.map(toSale), this.#abort.signal);
        const seconds = (performance.now() - started) / 1000;
        if (!result.ok) {
          if (result.aborted) return { kind: 'failed', error_type: result.errorType, batches, records };
          metrics.batchFailed(result.errorType, seconds);
          this.#lastError = { type: result.errorType, at: new Date().toISOString() };
          logger.warn(
            { event: 'sales_sync.batch_failed', pipeline: PIPELINE, batch_id: batchId, error_type: result.errorType, status: result.status, records: rows.length, batch_ms: Math.round(seconds * 1000) },
            `sales sync batch failed (${result.errorType}); retrying next cycle`,
          );
          return { kind: 'failed', error_type: result.errorType, batches, records };
        }
        await db.tx(async (q) => {
          await q.query('UPDATE sales_outbox SET synced_at = now(), batch_id = $1 WHERE seq = ANY($2::int[])', [batchId, rows.map((r) => r.seq)]);
          await q.query(
            `INSERT INTO sync_cursors (pipeline, last_seq, last_batch_id, last_success_at, records_synced, updated_at)
             VALUES ($1, $2, $3, now(), $4, now())
             ON CONFLICT (pipeline) DO UPDATE SET last_seq = GREATEST(sync_cursors.last_seq, EXCLUDED.last_seq), last_batch_id = EXCLUDED.last_batch_id,
               last_success_at = now(), records_synced = sync_cursors.records_synced + EXCLUDED.records_synced, updated_at = now()`,
            [PIPELINE, last.seq, batchId, rows.length],
          );
        });
        batches++;
        records += rows.length;
        metrics.batchSucceeded(rows.length, seconds);
        this.#lastError = null;
        logger.info(
          { event: 'sales_sync.batch_synced', pipeline: PIPELINE, batch_id: batchId, records: rows.length, accepted: result.accepted, duplicates: result.duplicates, batch_ms: Math.round(seconds * 1000) },
          `sales sync: ${rows.length} sale(s) pushed`,
        );
        if (rows.length < batchSize) break;
      }
      return batches === 0 ? { kind: 'idle' } : { kind: 'synced', batches, records };
    } catch (err) {
      // The store's own database failed (slow-db, outage). Not a warehouse error type: logged only,
      // and the cycle is retried on schedule.
      this.#lastError = { type: 'database', at: new Date().toISOString() };
      logger.error({ event: 'sales_sync.cycle_failed', pipeline: PIPELINE, err }, 'sales sync cycle failed on the database');
      return { kind: 'failed', error_type: 'database', batches, records };
    }
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

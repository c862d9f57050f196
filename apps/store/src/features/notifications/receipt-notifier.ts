/**
 * Digital receipts by SMS or WhatsApp, delivered through the store's durable queue
 * (`receipt_notifications`, tillwatch/delivery over pg-boss):
 *
 * 1. The message row (`queued`) and its job are written in one transaction: the order's completion for
 *    the automatic receipt (a before-commit hook), or the till's request. One message per order and
 *    channel (a unique index): a repeated request returns the first message instead of texting twice.
 * 2. A worker attempts it: the provider gets the message id as its idempotency key, so an attempt that
 *    reached the provider before a crash is recognised there as a repeat, never sent twice.
 * 3. A failed attempt marks the row `retrying` and throws a classified error; tillwatch retries it with
 *    backoff, or dead-letters it (`failed` for a refusal, `dead_lettered` when retries or the retry budget
 *    ran out). `tillwatch dlq replay` sends it again later with the same key.
 *
 * The number is never logged or stored in clear (phone.ts): the row keeps a mask and a keyed hash, the
 * job a sealed copy that only this store's key opens.
 */
import { newId } from '../../ids.ts';
import { DeliveryError, type DeliveryFailure, type DeliveryJob, type DeliveryQueue } from 'tillwatch/delivery';
import type { Db, Logger, Queryable, SaleCompletingEvent } from '../../deps.ts';
import { StoreError } from '../../http/store-error.ts';
import type { NotificationMetrics } from './notification-metrics.ts';
import type { MessageChannel, OutboundSender, SendFailureReason } from './outbound-sender.ts';
import { hashPhone, maskPhone, normalizePhone, openPhone, sealPhone } from './phone.ts';

export type MessageStatus = 'queued' | 'retrying' | 'sending' | 'sent' | 'failed' | 'dead_lettered';
export const MESSAGE_STATUSES: readonly MessageStatus[] = ['queued', 'retrying', 'sending', 'sent', 'failed', 'dead_lettered'];

/** What the queue holds for one receipt: no number in clear, no personal data in the text. */
export interface ReceiptJob {
  readonly message_id: string;
  readonly channel: MessageChannel;
  readonly to_sealed: string;
  readonly body: string;
}

/** A message as the API shows it: the recipient masked. */
export interface NotificationView {
  readonly id: string;
  readonly order_id: string;
  readonly channel: MessageChannel;
  readonly recipient: string;
  readonly status: MessageStatus;
  readonly failure_reason: SendFailureReason | null;
  readonly retryable: boolean | null;
  readonly attempts: number;
  readonly created_at: string;
  /** True when an earlier request had already created this message (nothing was sent now). */
  readonly duplicate?: boolean;
}

interface MessageRow {
  id: string;
  order_id: string;
  channel: MessageChannel;
  recipient_masked: string;
  status: MessageStatus;
  failure_reason: SendFailureReason | null;
  retryable: boolean | null;
  attempts: number;
  created_at: Date | string;
}

interface OrderSummary {
  readonly orderId: string;
  readonly location: string;
  readonly itemCount: number;
  readonly total: number;
  readonly currency: string;
}

export interface ReceiptNotifierOptions {
  readonly db: Db;
  readonly queue: DeliveryQueue<ReceiptJob>;
  readonly sender: OutboundSender;
  readonly metrics: NotificationMetrics;
  readonly logger: Logger;
  /** Key of the recipient hash (phone.ts). */
  readonly hashKey: Buffer;
  /** Key that seals the number in the queued job (phone.ts). */
  readonly sealKey: Buffer;
  /** Channel of automatic receipts. */
  readonly defaultChannel: MessageChannel;
  /** How long a till request waits for the first attempt's outcome before answering 202 `queued`. */
  readonly waitMs: number;
}

/** The provider's failure, as tillwatch's classification (delivery-error.ts) names it. */
const REASON: Record<SendFailureReason, ConstructorParameters<typeof DeliveryError>[0]> = {
  invalid_recipient: 'invalid_request',
  rejected: 'rejected',
  rate_limited: 'rate_limited',
  provider_error: 'server_error',
  provider_unavailable: 'unavailable',
  timeout: 'timeout',
  network: 'network',
};

export class ReceiptNotifier {
  readonly #o: ReceiptNotifierOptions;
  /** Till requests waiting for a message's first outcome, by message id (same process only). */
  readonly #waiters = new Map<string, Set<() => void>>();

  constructor(options: ReceiptNotifierOptions) {
    this.#o = options;
  }

  /**
   * The automatic receipt of a sale completed at a till, queued in the completing transaction when the
   * order's customer has a phone number on file. Offline sales get none (their customer was not asked).
   */
  async onSaleCompleting(q: Queryable, e: SaleCompletingEvent): Promise<void> {
    if (e.source !== 'order' || e.customerId === undefined) return;
    const rows = await q.query<{ phone: string | null }>('SELECT phone FROM customers WHERE id = $1', [e.customerId]);
    const phone = rows[0]?.phone;
    if (phone === null || phone === undefined) return;
    const to = normalizePhone(phone);
    if (to === undefined) {
      this.#o.logger.info({ event: 'notifications.skipped', order_id: e.orderId, reason: 'customer_phone_not_e164' }, 'receipt not sent: the customer phone on file is not an E.164 number');
      return;
    }
    await this.#queueMessage(q, { orderId: e.orderId, location: e.location, itemCount: e.itemCount, total: e.total, currency: e.currency }, to, this.#o.defaultChannel);
  }

  /**
   * Queues the receipt of a completed order for a number given at the till and waits (bounded) for its
   * first attempt. `settled` is false when no attempt finished in time (the message stays queued).
   * @throws StoreError STORE_NOTIFY_INVALID_PHONE, STORE_ORDER_NOT_FOUND, STORE_NOTIFY_ORDER_NOT_COMPLETED
   */
  async sendReceipt(orderId: string, phone: string, channel: MessageChannel): Promise<{ view: NotificationView; settled: boolean }> {
    const to = normalizePhone(phone);
    if (to === undefined) {
      throw new StoreError('STORE_NOTIFY_INVALID_PHONE', 'phone must be an international number with its country code, e.g. +14155550100', { statusCode: 422 });
    }
    const rows = await this.#o.db.query<{ id: string; location_id: string; status: string; total: number; currency: string; item_count: number }>(
      'SELECT id, location_id, status, total, currency, item_count FROM orders WHERE id = $1',
      [orderId],
    );
    const order = rows[0];
    if (order === undefined) throw new StoreError('STORE_ORDER_NOT_FOUND');
    if (order.status !== 'completed' && order.status !== 'refunded') {
      throw new StoreError('STORE_NOTIFY_ORDER_NOT_COMPLETED', 'a receipt can be sent only for a completed order', { statusCode: 409 });
    }
    const summary = { orderId: order.id, location: order.location_id, itemCount: order.item_count, total: order.total, currency: order.currency };
    const queued = await this.#o.db.tx((q) => this.#queueMessage(q, summary, to, channel));
    if (!queued.created) return { view: view(queued.row, true), settled: true };
    // Listen first, then look: an attempt that finished between the commit and now is seen by the read.
    const wait = this.#wait(queued.row.id, this.#o.waitMs);
    let row = (await this.#row(queued.row.id)) ?? queued.row;
    if (row.attempts === 0) {
      await wait.done;
      row = (await this.#row(queued.row.id)) ?? row;
    }
    wait.cancel();
    return { view: view(row), settled: row.attempts > 0 };
  }

  async list(q: { status?: MessageStatus | undefined; orderId?: string | undefined; limit: number }): Promise<NotificationView[]> {
    const rows = await this.#o.db.query<MessageRow>(
      `SELECT * FROM notification_messages
        WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR order_id = $2)
        ORDER BY created_at DESC, id DESC LIMIT $3`,
      [q.status ?? null, q.orderId ?? null, q.limit],
    );
    return rows.map((r) => view(r));
  }

  /**
   * One delivery attempt (the `receipt_notifications` worker). Resolves when the provider accepted the
   * message; throws a classified {@link DeliveryError} otherwise.
   */
  async deliver(job: DeliveryJob<ReceiptJob>): Promise<void> {
    const { db, sender, metrics, sealKey } = this.#o;
    const row = await this.#row(job.payload.message_id);
    // A job without its row (the row was deleted by hand) can never be delivered meaningfully.
    if (row === undefined) throw new DeliveryError('invalid_payload', 'the message row does not exist', { code: 'message_missing' });
    // Delivered before a crash, or by an earlier copy: done, whatever the queue thought.
    if (row.status === 'sent') return;
    const to = openPhone(job.payload.to_sealed, sealKey);
    const log = this.#o.logger.child({ message_id: row.id, order_id: row.order_id, channel: row.channel, recipient: row.recipient_masked, attempt: job.attempt });
    const result = await sender.send({ idempotencyKey: job.key, channel: job.payload.channel, to, body: job.payload.body });
    if (result.ok) {
      await db.query(
        `UPDATE notification_messages SET status = 'sent', failure_reason = NULL, retryable = NULL, provider_ref = $2, attempts = attempts + 1, updated_at = now() WHERE id = $1`,
        [row.id, result.providerRef],
      );
      metrics.messageFinished(row.channel, 'sent');
      log.info({ event: 'notifications.sent', duration_ms: result.durationMs }, 'receipt sent');
      this.#settled(row.id);
      return;
    }
    await db.query(
      `UPDATE notification_messages SET status = 'retrying', failure_reason = $2, retryable = $3, attempts = attempts + 1, updated_at = now() WHERE id = $1 AND status <> 'sent'`,
      [row.id, result.reason, result.retryable],
    );
    log.warn(
      { event: 'notifications.failed', reason: result.reason, retryable: result.retryable, provider_status: result.status, duration_ms: result.durationMs },
      `receipt not sent: ${result.reason}`,
    );
    this.#settled(row.id);
    throw new DeliveryError(REASON[result.reason], `the provider did not take the receipt: ${result.reason}`, {
      retryable: result.retryable,
      code: result.status !== undefined ? `http_${result.status}` : result.reason,
    });
  }

  /** The message left the queue for the dead-letter queue: record its final status. */
  async deadLettered(job: DeliveryJob<ReceiptJob>, info: { readonly reason: string; readonly failure: DeliveryFailure }): Promise<void> {
    const final: MessageStatus = info.reason === 'non_retryable' || info.reason === 'poison_message' ? 'failed' : 'dead_lettered';
    const rows = await this.#o.db.query<{ channel: MessageChannel }>(
      `UPDATE notification_messages SET status = $2, updated_at = now() WHERE id = $1 AND status <> 'sent' RETURNING channel`,
      [job.payload.message_id, final],
    );
    if (rows[0] !== undefined) this.#o.metrics.messageFinished(rows[0].channel, final);
    this.#settled(job.payload.message_id);
  }

  async #row(id: string): Promise<MessageRow | undefined> {
    return (await this.#o.db.query<MessageRow>('SELECT * FROM notification_messages WHERE id = $1', [id]))[0];
  }

  async #queueMessage(q: Queryable, order: OrderSummary, to: string, channel: MessageChannel): Promise<{ row: MessageRow; created: boolean }> {
    const id = newId('msg', { dashes: true });
    const inserted = await q.query<MessageRow>(
      `INSERT INTO notification_messages (id, order_id, kind, channel, recipient_masked, recipient_hash, status)
       VALUES ($1, $2, 'receipt', $3, $4, $5, 'queued')
       ON CONFLICT (order_id, kind, channel) DO NOTHING RETURNING *`,
      [id, order.orderId, channel, maskPhone(to), hashPhone(to, this.#o.hashKey)],
    );
    const row = inserted[0];
    if (row === undefined) {
      const existing = await q.query<MessageRow>(`SELECT * FROM notification_messages WHERE order_id = $1 AND kind = 'receipt' AND channel = $2`, [order.orderId, channel]);
      if (existing[0] === undefined) throw new StoreError('STORE_INTERNAL');
      return { row: existing[0], created: false };
    }
    await this.#o.queue.enqueue({ message_id: id, channel, to_sealed: sealPhone(to, this.#o.sealKey), body: receiptText(order) }, { key: id, aggregateId: order.orderId, tx: q });
    return { row, created: true };
  }

  /** Resolves `done` when a worker of this process settles message `id`, or after `ms`. */
  #wait(id: string, ms: number): { done: Promise<void>; cancel(): void } {
    let wake: () => void = () => {};
    const done = new Promise<void>((resolve) => (wake = resolve));
    const set = this.#waiters.get(id) ?? new Set<() => void>();
    set.add(wake);
    this.#waiters.set(id, set);
    const timer = setTimeout(wake, ms);
    timer.unref();
    return {
      done,
      cancel: () => {
        clearTimeout(timer);
        set.delete(wake);
        if (set.size === 0 && this.#waiters.get(id) === set) this.#waiters.delete(id);
        wake();
      },
    };
  }

  #settled(id: string): void {
    for (const wake of this.#waiters.get(id) ?? []) wake();
  }
}

function money(minor: number, currency: string): string {
  return `${currency} ${(minor / 100).toFixed(2)}`;
}

/** The message text: what was bought where and for how much; nothing personal. */
function receiptText(o: OrderSummary): string {
  return `Your receipt from ${o.location}: order ${o.orderId}, ${o.itemCount} item${o.itemCount === 1 ? '' : 's'}, total ${money(o.total, o.currency)}. Thank you!`;
}

function view(r: MessageRow, duplicate?: boolean): NotificationView {
  const createdAt = r.created_at instanceof Date ? r.created_at.toISOString() : new Date(r.created_at).toISOString();
  return {
    id: r.id,
    order_id: r.order_id,
    channel: r.channel,
    recipient: r.recipient_masked,
    status: r.status,
    failure_reason: r.failure_reason,
    retryable: r.retryable,
    attempts: r.attempts,
    created_at: createdAt,
    ...(duplicate ? { duplicate: true } : {}),
  };
}

/**
 * Digital receipts by SMS or WhatsApp. Sent automatically when a completed order has a customer
 * with a phone number on file, and on request when a phone number is given at the till
 * (`POST /notifications/receipts`). One message per order and channel: a repeated request returns
 * the first message instead of texting the customer again.
 *
 * Failures are recorded (the message row, the outbound metric) and logged with the number masked;
 * they are not retried yet. Retries wrap the {@link OutboundSender} and read `retryable` and
 * `attempts` from the rows written here.
 */
import { randomUUID } from 'node:crypto';
import type { Db, Logger, OrderCompletedEvent } from '../../deps.ts';
import { StoreError } from '../../http/store-error.ts';
import type { NotificationMetrics } from './notification-metrics.ts';
import type { MessageChannel, OutboundSender, SendFailureReason } from './outbound-sender.ts';
import { hashPhone, maskPhone, normalizePhone } from './phone.ts';

export type MessageStatus = 'sending' | 'sent' | 'failed';

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
  readonly sender: OutboundSender;
  readonly metrics: NotificationMetrics;
  readonly logger: Logger;
  /** Key of the recipient hash (phone.ts). */
  readonly hashKey: Buffer;
  /** Channel of automatic receipts. */
  readonly defaultChannel: MessageChannel;
}

export class ReceiptNotifier {
  readonly #o: ReceiptNotifierOptions;
  readonly #inFlight = new Set<Promise<unknown>>();
  #stopped = false;

  constructor(options: ReceiptNotifierOptions) {
    this.#o = options;
  }

  /**
   * The automatic receipt of a completed order: sent when the order's customer has a phone number.
   * Never rejects (a listener of order.completed must not disturb checkout).
   */
  onOrderCompleted(event: OrderCompletedEvent): Promise<void> {
    if (this.#stopped || event.customerId === undefined) return Promise.resolve();
    const customerId = event.customerId;
    return this.#track(
      (async () => {
        try {
          const rows = await this.#o.db.query<{ phone: string | null }>('SELECT phone FROM customers WHERE id = $1', [customerId]);
          const phone = rows[0]?.phone;
          if (phone === null || phone === undefined) return;
          const to = normalizePhone(phone);
          if (to === undefined) {
            this.#o.logger.info({ event: 'notifications.skipped', order_id: event.orderId, reason: 'customer_phone_not_e164' }, 'receipt not sent: the customer phone on file is not an E.164 number');
            return;
          }
          const itemCount = event.items.reduce((n, i) => n + i.quantity, 0);
          await this.#send(
            { orderId: event.orderId, location: event.location, itemCount, total: event.total, currency: event.currency },
            to,
            this.#o.defaultChannel,
          );
        } catch (err) {
          this.#o.logger.error({ event: 'notifications.error', order_id: event.orderId, err }, 'automatic receipt failed');
        }
      })(),
    );
  }

  /**
   * Sends the receipt of a completed order to a number given at the till.
   * @throws StoreError STORE_NOTIFY_INVALID_PHONE, STORE_ORDER_NOT_FOUND, STORE_NOTIFY_ORDER_NOT_COMPLETED
   */
  async sendReceipt(orderId: string, phone: string, channel: MessageChannel): Promise<NotificationView> {
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
    return this.#track(
      this.#send({ orderId: order.id, location: order.location_id, itemCount: order.item_count, total: order.total, currency: order.currency }, to, channel),
    );
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

  /** Stops automatic receipts and waits for the sends in flight. */
  async drain(): Promise<void> {
    this.#stopped = true;
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  #track<T>(p: Promise<T>): Promise<T> {
    this.#inFlight.add(p);
    void p.then(
      () => this.#inFlight.delete(p),
      () => this.#inFlight.delete(p),
    );
    return p;
  }

  async #send(order: OrderSummary, to: string, channel: MessageChannel): Promise<NotificationView> {
    const { db, sender, metrics, hashKey } = this.#o;
    const id = `msg_${randomUUID()}`;
    const masked = maskPhone(to);
    const inserted = await db.query<MessageRow>(
      `INSERT INTO notification_messages (id, order_id, kind, channel, recipient_masked, recipient_hash, status)
       VALUES ($1, $2, 'receipt', $3, $4, $5, 'sending')
       ON CONFLICT (order_id, kind, channel) DO NOTHING RETURNING *`,
      [id, order.orderId, channel, masked, hashPhone(to, hashKey)],
    );
    if (inserted[0] === undefined) {
      const existing = await db.query<MessageRow>(`SELECT * FROM notification_messages WHERE order_id = $1 AND kind = 'receipt' AND channel = $2`, [order.orderId, channel]);
      if (existing[0] === undefined) throw new StoreError('STORE_INTERNAL');
      return view(existing[0], true);
    }
    const log = this.#o.logger.child({ message_id: id, order_id: order.orderId, channel, recipient: masked });
    const result = await sender.send({ idempotencyKey: id, channel, to, body: receiptText(order) });
    const rows = await db.query<MessageRow>(
      `UPDATE notification_messages
          SET status = $2, failure_reason = $3, retryable = $4, provider_ref = $5, attempts = attempts + 1, updated_at = now()
        WHERE id = $1 RETURNING *`,
      [id, result.ok ? 'sent' : 'failed', result.ok ? null : result.reason, result.ok ? null : result.retryable, result.ok ? result.providerRef : null],
    );
    metrics.messageFinished(channel, result.ok ? 'sent' : 'failed');
    if (result.ok) {
      log.info({ event: 'notifications.sent', duration_ms: result.durationMs }, 'receipt sent');
    } else {
      log.warn(
        { event: 'notifications.failed', reason: result.reason, retryable: result.retryable, provider_status: result.status, duration_ms: result.durationMs },
        `receipt not sent: ${result.reason}`,
      );
    }
    const row = rows[0];
    if (row === undefined) throw new StoreError('STORE_INTERNAL');
    return view(row);
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

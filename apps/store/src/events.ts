/**
 * The store's in-process domain events. Emitted after the transaction that made the change has
 * committed, so a listener never sees an order that a rollback later undoes. Listeners run
 * synchronously in emit order; a listener that throws is logged and does not affect the request
 * or the other listeners (printing, notifications and sales sync must never break checkout).
 *
 * Before-commit hooks are the other half: they run inside the transaction that makes the change, on
 * its connection, for work that must commit with it or not at all (enqueueing the receipt and the
 * warehouse sync of a completed sale: a crash between commit and enqueue would lose the message, an
 * enqueue before commit would send it for a sale that was rolled back). A hook that throws rolls the
 * change back, so hooks do only database work, never I/O to the outside world.
 */
import { EventEmitter } from 'node:events';
import type { Queryable } from './db/db.ts';
import type { Channel, PaymentMethod } from './orders/order-types.ts';

export interface OrderEventItem {
  readonly sku: string;
  readonly name: string;
  readonly quantity: number;
  /** Unit price in minor units (cents). */
  readonly unitPrice: number;
  /** quantity x unitPrice, in minor units. */
  readonly lineTotal: number;
}

export interface OrderCompletedEvent {
  readonly orderId: string;
  readonly location: string;
  readonly terminal: string;
  readonly channel: Channel;
  /** Order total in minor units (cents). */
  readonly total: number;
  readonly currency: string;
  readonly items: readonly OrderEventItem[];
  readonly customerId?: string | undefined;
  readonly paymentMethod?: PaymentMethod | undefined;
  /** ISO-8601 timestamp. */
  readonly completedAt: string;
}

export interface OrderVoidedEvent {
  readonly orderId: string;
  readonly location: string;
  readonly terminal: string;
  readonly channel: Channel;
  readonly total: number;
  readonly reason: string;
  readonly voidedBy: string;
  readonly voidedAt: string;
}

export interface OrderRefundedEvent {
  readonly orderId: string;
  readonly location: string;
  readonly terminal: string;
  readonly channel: Channel;
  /** Refunded amount in minor units. */
  readonly amount: number;
  readonly reason: string;
  readonly refundedBy: string;
  readonly refundedAt: string;
}

/** A sale becoming completed, seen from inside the transaction that completes it. */
export interface SaleCompletingEvent {
  readonly orderId: string;
  readonly location: string;
  readonly customerId: string | undefined;
  /** Total in minor units. */
  readonly total: number;
  readonly currency: string;
  readonly itemCount: number;
  /** `order`: completed at a till; `offline`: recorded by a terminal while offline and applied now. */
  readonly source: 'order' | 'offline';
}

/** Events with before-commit hooks. */
export interface StoreTxEventMap {
  'sale.completing': SaleCompletingEvent;
}

export type StoreTxEventName = keyof StoreTxEventMap;
export type StoreTxListener<K extends StoreTxEventName> = (q: Queryable, event: StoreTxEventMap[K]) => Promise<void>;

export interface StoreEventMap {
  'order.completed': OrderCompletedEvent;
  'order.voided': OrderVoidedEvent;
  'order.refunded': OrderRefundedEvent;
}

export type StoreEventName = keyof StoreEventMap;
export type StoreEventListener<K extends StoreEventName> = (event: StoreEventMap[K]) => void | Promise<void>;

/** A typed wrapper over EventEmitter that isolates listener failures. */
export class StoreEvents {
  readonly #emitter = new EventEmitter();
  readonly #beforeCommit = new Map<StoreTxEventName, StoreTxListener<StoreTxEventName>[]>();
  readonly #onListenerError: (event: StoreEventName, error: unknown, payload: unknown) => void;

  /** @param onListenerError called when a listener throws or rejects (log it; never rethrow). */
  constructor(onListenerError: (event: StoreEventName, error: unknown, payload: unknown) => void = () => {}) {
    this.#onListenerError = onListenerError;
    this.#emitter.setMaxListeners(50);
  }

  on<K extends StoreEventName>(event: K, listener: StoreEventListener<K>): () => void {
    const wrapped = (payload: StoreEventMap[K]): void => {
      try {
        const r = listener(payload);
        if (r && typeof (r as Promise<void>).then === 'function') {
          (r as Promise<void>).catch((err: unknown) => this.#onListenerError(event, err, payload));
        }
      } catch (err) {
        this.#onListenerError(event, err, payload);
      }
    };
    this.#emitter.on(event, wrapped);
    return () => this.#emitter.off(event, wrapped);
  }

  emit<K extends StoreEventName>(event: K, payload: StoreEventMap[K]): void {
    this.#emitter.emit(event, payload);
  }

  listenerCount(event: StoreEventName): number {
    return this.#emitter.listenerCount(event);
  }

  /** Registers a hook that runs inside the transaction of every `event` (see the module comment). */
  beforeCommit<K extends StoreTxEventName>(event: K, listener: StoreTxListener<K>): () => void {
    const list = this.#beforeCommit.get(event) ?? [];
    list.push(listener as StoreTxListener<StoreTxEventName>);
    this.#beforeCommit.set(event, list);
    return () => {
      const i = list.indexOf(listener as StoreTxListener<StoreTxEventName>);
      if (i >= 0) list.splice(i, 1);
    };
  }

  /**
   * Runs the before-commit hooks of `event` in registration order on the transaction `q`.
   * @throws whatever a hook throws: the caller's transaction then rolls back.
   */
  async runBeforeCommit<K extends StoreTxEventName>(event: K, q: Queryable, payload: StoreTxEventMap[K]): Promise<void> {
    for (const listener of [...(this.#beforeCommit.get(event) ?? [])]) await listener(q, payload);
  }
}

/**
 * The store's in-process domain events. Emitted after the transaction that made the change has
 * committed, so a listener never sees an order that a rollback later undoes. Listeners run
 * synchronously in emit order; a listener that throws is logged and does not affect the request
 * or the other listeners (printing, notifications and sales sync must never break checkout).
 */
import { EventEmitter } from 'node:events';
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
  readonly #onListenerError: (event: StoreEventName, error: unknown) => void;

  /** @param onListenerError called when a listener throws or rejects (log it; never rethrow). */
  constructor(onListenerError: (event: StoreEventName, error: unknown) => void = () => {}) {
    this.#onListenerError = onListenerError;
    this.#emitter.setMaxListeners(50);
  }

  on<K extends StoreEventName>(event: K, listener: StoreEventListener<K>): () => void {
    const wrapped = (payload: StoreEventMap[K]): void => {
      try {
        const r = listener(payload);
        if (r && typeof (r as Promise<void>).then === 'function') {
          (r as Promise<void>).catch((err: unknown) => this.#onListenerError(event, err));
        }
      } catch (err) {
        this.#onListenerError(event, err);
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
}

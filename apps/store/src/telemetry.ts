/**
 * What the core store records, in business words. One implementation (commerce.ts) maps each call
 * onto tillwatch's commerce recorders; services never touch metric names or labels themselves.
 * Every method is telemetry: it never throws into checkout.
 */
import type { Channel, PaymentMethod } from './orders/order-types.ts';
import type { PaymentResolution } from '@tillwatch/spec';
import type { PaymentFailure } from './payments/payment-client.ts';

export type PaymentOperation = 'sale' | 'authorize' | 'capture' | 'refund' | 'void';
export type OrderFailureReason = 'payment_declined' | 'payment_error' | 'out_of_stock' | 'age_verification_failed' | 'validation_failed';
export type VoidReason = 'customer_request' | 'cashier_error' | 'payment_failed' | 'age_verification_failed' | 'fraud_suspected';
export type StockReleaseReason = 'order_voided' | 'order_failed' | 'manual';
export type AgeResult = 'passed' | 'underage' | 'no_id';
export type AgeMethod = 'id_scan' | 'manual_id_check' | 'facial_estimation';

export interface StoreTelemetry {
  orderCompleted(o: { location: string; channel: Channel; total: number; currency: string; items: number }): void;
  orderFailed(o: { location: string; channel: Channel }, reason: OrderFailureReason): void;
  orderVoided(o: { location: string; channel: Channel }, reason: VoidReason): void;
  /** One provider call (or a cash sale, operation `sale`), its outcome and duration. */
  paymentCall(method: PaymentMethod, operation: PaymentOperation, seconds: number, failure?: PaymentFailure): void;
  /** Payments whose outcome at the provider is unknown, as counted by the last reconciliation. */
  paymentsUnknown(count: number): void;
  /** One payment settled (or not: `lookup_failed`) by asking the provider. */
  paymentReconciled(resolution: PaymentResolution): void;
  /** A reconciliation run finished. */
  paymentReconciliationFinished(): void;
  /** Money refunded, minor units. */
  refunded(location: string, currency: string, amount: number): void;
  stockReserved(location: string, units: number): void;
  stockReleased(location: string, units: number, reason: StockReleaseReason): void;
  /** Sets the low-stock and out-of-stock product counts of a location. */
  stockLevels(location: string, low: number, out: number): void;
  ageVerification(location: string, result: AgeResult, method: AgeMethod): void;
  customer(kind: 'new' | 'returning', location: string, channel: Channel): void;
  loyaltyPoints(kind: 'earned' | 'redeemed', location: string, points: number): void;
  cacheLookup(cache: 'products', outcome: 'hit' | 'miss' | 'error', operation?: 'get' | 'set' | 'delete'): void;
}

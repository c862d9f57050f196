/**
 * Payment attempts: the store's side of exactly-once payments.
 *
 * An attempt row is written in the transaction that moves the order to `payment_pending`, before the
 * provider hears of it, under the idempotency key `<order id>:<attempt number>`; every provider call of
 * the attempt carries that key (with a suffix per operation), so a repeat never charges twice. The row
 * ends in one of the settled states by one of two paths: the pay request itself when the provider answered,
 * or {@link settleAttempt} (the reconciler, or the cashier's next pay request) when it did not: a timeout,
 * a lost answer, or a process killed between the capture and the commit.
 *
 * The settling writes are guarded (`WHERE status IN ('pending', 'unknown')` under the order's row lock),
 * so the request and the reconciler racing on one attempt settle it once.
 */
import { newId } from '../ids.ts';
import type { Queryable } from '../db/db.ts';
import type { PaymentMethod } from '../orders/order-types.ts';

export type AttemptStatus = 'pending' | 'unknown' | 'captured' | 'declined' | 'failed' | 'voided' | 'reversed';
export type SettledStatus = Exclude<AttemptStatus, 'pending' | 'unknown' | 'captured'>;

export interface AttemptRow {
  id: string;
  order_id: string;
  attempt: number;
  idempotency_key: string;
  method: Exclude<PaymentMethod, 'cash'>;
  amount: number;
  points_redeemed: number;
  status: AttemptStatus;
  phase: 'authorize' | 'capture';
  authorization_id: string | null;
  failure_reason: string | null;
  created_by: string;
  updated_at: Date | string;
}


/** The idempotency key of an attempt: derived from the order and the attempt number, never random. */
export const attemptKey = (orderId: string, attempt: number): string => `${orderId}:${attempt}`;

/** Keys of the follow-up calls of one attempt (one key per operation, as providers require). */
export const operationKey = (attemptKey: string, operation: 'capture' | 'void' | 'reverse'): string => `${attemptKey}:${operation}`;

/** Records a new attempt (inside the claim transaction). */
export async function insertAttempt(
  q: Queryable,
  a: { orderId: string; method: AttemptRow['method']; amount: number; pointsRedeemed: number; createdBy: string },
): Promise<AttemptRow> {
  const n = (await q.query<{ n: number }>('SELECT coalesce(max(attempt), 0)::int + 1 AS n FROM payment_attempts WHERE order_id = $1', [a.orderId]))[0]!.n;
  const rows = await q.query<AttemptRow>(
    `INSERT INTO payment_attempts (id, order_id, attempt, idempotency_key, method, amount, points_redeemed, status, phase, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', 'authorize', $8) RETURNING *`,
    [newId('pat'), a.orderId, n, attemptKey(a.orderId, n), a.method, a.amount, a.pointsRedeemed, a.createdBy],
  );
  return rows[0]!;
}

/** The order's attempt that is not settled yet (at most one: a new one needs the order `open`). */
export async function openAttempt(q: Queryable, orderId: string): Promise<AttemptRow | undefined> {
  return (await q.query<AttemptRow>(
    `SELECT * FROM payment_attempts WHERE order_id = $1 AND status IN ('pending', 'unknown') ORDER BY attempt DESC LIMIT 1`,
    [orderId],
  ))[0];
}

/**
 * Locks the order and tells whether it is `payment_pending` waiting for this attempt (its latest one).
 * An attempt that went unknown before any capture was sent leaves the order `open`, and a later attempt
 * may be the one the order waits for now.
 */
async function orderWaitsFor(q: Queryable, attempt: AttemptRow): Promise<{ waits: boolean; customerId: string | null }> {
  const o = (await q.query<{ status: string; customer_id: string | null; latest: number }>(
    `SELECT o.status, o.customer_id, (SELECT max(attempt) FROM payment_attempts WHERE order_id = o.id)::int AS latest
       FROM orders o WHERE o.id = $1 FOR UPDATE`,
    [attempt.order_id],
  ))[0];
  return { waits: o?.status === 'payment_pending' && o.latest === attempt.attempt, customerId: o?.customer_id ?? null };
}

/** Marks an attempt whose capture may have been sent (the provider authorised it). */
export async function markCapturing(q: Queryable, attemptId: string, authorizationId: string): Promise<void> {
  await q.query(`UPDATE payment_attempts SET phase = 'capture', authorization_id = $2, updated_at = now() WHERE id = $1 AND status = 'pending'`, [attemptId, authorizationId]);
}

/** The provider may have acted and did not say: only a lookup by key settles it now. */
export async function markUnknown(q: Queryable, attemptId: string, reason: string): Promise<void> {
  await q.query(`UPDATE payment_attempts SET status = 'unknown', failure_reason = $2, updated_at = now() WHERE id = $1 AND status = 'pending'`, [attemptId, reason]);
}

/** Unsettled attempts the reconciler should look at: unknown ones, and pending ones older than `staleAfterMs`. */
export async function attemptsToReconcile(q: Queryable, staleAfterMs: number, limit: number): Promise<AttemptRow[]> {
  return q.query<AttemptRow>(
    `SELECT * FROM payment_attempts
      WHERE status = 'unknown' OR (status = 'pending' AND updated_at < now() - $1::int * interval '1 millisecond')
      ORDER BY updated_at LIMIT $2`,
    [staleAfterMs, limit],
  );
}

/** How many attempts are unknown or abandoned (pending past `staleAfterMs`). */
export async function countUnsettled(q: Queryable, staleAfterMs: number): Promise<number> {
  return (await q.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM payment_attempts
      WHERE status = 'unknown' OR (status = 'pending' AND updated_at < now() - $1::int * interval '1 millisecond')`,
    [staleAfterMs],
  ))[0]!.n;
}

/** True when a pending attempt has been pending longer than `staleAfterMs` (its request is gone). */
export async function isStale(q: Queryable, attemptId: string, staleAfterMs: number): Promise<boolean> {
  const r = await q.query<{ stale: boolean }>(`SELECT updated_at < now() - $2::int * interval '1 millisecond' AS stale FROM payment_attempts WHERE id = $1`, [attemptId, staleAfterMs]);
  return r[0]?.stale === true;
}

export interface CaptureRecord {
  readonly providerRef: string;
  readonly card: { brand: string; last4: string } | undefined;
  readonly durationMs: number | null;
  readonly resolvedBy: 'request' | 'reconciler';
}

/**
 * Records a capture: the payment row and the order `paid`. Returns `recorded`, `already` (someone settled
 * it first) or `orphan` (the order no longer waits for this attempt: the capture must be refunded).
 * Runs inside a transaction; locks the order.
 */
export async function recordCapture(q: Queryable, attempt: AttemptRow, c: CaptureRecord): Promise<'recorded' | 'already' | 'orphan'> {
  const order = await orderWaitsFor(q, attempt);
  const current = (await q.query<{ status: AttemptStatus }>('SELECT status FROM payment_attempts WHERE id = $1 FOR UPDATE', [attempt.id]))[0];
  if (current?.status === 'captured' || current?.status === 'reversed') return 'already';
  if (!order.waits) return 'orphan';
  await q.query(`UPDATE payment_attempts SET status = 'captured', authorization_id = $2, resolved_by = $3, updated_at = now() WHERE id = $1`, [attempt.id, c.providerRef, c.resolvedBy]);
  await q.query(
    `INSERT INTO payments (id, order_id, method, amount, status, provider_ref, card_brand, card_last4, duration_ms, created_by)
     VALUES ($1, $2, $3, $4, 'captured', $5, $6, $7, $8, $9)`,
    [newId('pay'), attempt.order_id, attempt.method, attempt.amount, c.providerRef, c.card?.brand ?? null, c.card?.last4 ?? null, c.durationMs, attempt.created_by],
  );
  await q.query(`UPDATE orders SET status = 'paid', paid_at = now(), discount = $2, total = $3, points_redeemed = $2 WHERE id = $1`, [attempt.order_id, attempt.points_redeemed, attempt.amount]);
  return 'recorded';
}

/**
 * Settles an attempt that took no money (declined, failed, hold voided, capture reversed). When the order
 * still waits for it, the order goes back to `open`, a payment row records the failure and redeemed points
 * return to the customer. Returns false when someone settled it first. Runs inside a transaction.
 */
export async function recordNoCapture(
  q: Queryable,
  attempt: AttemptRow,
  s: { status: SettledStatus; reason: string; durationMs: number | null; resolvedBy: 'request' | 'reconciler' },
): Promise<boolean> {
  const order = await orderWaitsFor(q, attempt);
  const done = await q.query(
    `UPDATE payment_attempts SET status = $2, failure_reason = coalesce(failure_reason, $3), resolved_by = $4, updated_at = now()
      WHERE id = $1 AND status IN ('pending', 'unknown') RETURNING id`,
    [attempt.id, s.status, s.reason, s.resolvedBy],
  );
  if (done.length === 0 || s.status === 'reversed') return done.length > 0;
  if (order.waits) await releaseOrder(q, attempt, order.customerId, s.status === 'declined' ? 'declined' : 'failed', s.reason, s.durationMs);
  return true;
}

/**
 * An authorisation whose answer was lost: no capture was sent, so the order goes back to `open` at once
 * (the cashier may take another payment), while the attempt stays `unknown` until the reconciler finds
 * and releases the hold the provider may have placed. Runs inside a transaction.
 */
export async function releaseUnknownAuthorization(q: Queryable, attempt: AttemptRow, reason: string, durationMs: number): Promise<void> {
  const order = await orderWaitsFor(q, attempt);
  await q.query(`UPDATE payment_attempts SET status = 'unknown', failure_reason = $2, updated_at = now() WHERE id = $1 AND status = 'pending'`, [attempt.id, reason]);
  if (order.waits) await releaseOrder(q, attempt, order.customerId, 'failed', reason, durationMs);
}

async function releaseOrder(q: Queryable, attempt: AttemptRow, customerId: string | null, status: 'declined' | 'failed', reason: string, durationMs: number | null): Promise<void> {
  await q.query(
    `INSERT INTO payments (id, order_id, method, amount, status, failure_reason, duration_ms, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [newId('pay'), attempt.order_id, attempt.method, attempt.amount, status, reason, durationMs, attempt.created_by],
  );
  await q.query(`UPDATE orders SET status = 'open' WHERE id = $1`, [attempt.order_id]);
  if (attempt.points_redeemed > 0 && customerId !== null) await restorePoints(q, customerId, attempt.order_id, attempt.points_redeemed);
}

/** Gives redeemed points back (a payment that did not go through, a voided order). */
export async function restorePoints(q: Queryable, customerId: string, orderId: string, points: number): Promise<void> {
  await q.query('UPDATE customers SET loyalty_points = loyalty_points + $2 WHERE id = $1', [customerId, points]);
  await q.query(`INSERT INTO loyalty_ledger (id, customer_id, order_id, delta, kind) VALUES ($1, $2, $3, $4, 'restored')`, [newId('ll'), customerId, orderId, points]);
}

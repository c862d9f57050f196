/**
 * Settles payments whose outcome the store does not know, by asking the provider what it holds under
 * the attempt's idempotency key:
 *
 * | the provider holds                 | the store does |
 * | ---------------------------------- | -------------- |
 * | nothing under the key              | once the attempt is older than any of its requests can be: the attempt `failed`; the order back to `open` |
 * | an authorisation, not captured     | voids it (the hold is released), then as above with `voided` |
 * | a capture                          | records it: payment row, order `paid` (or, when the order no longer waits for it, refunds it: `reversed`) |
 * | a decline / a voided authorisation | settles the attempt as such |
 *
 * It runs at start-up, on a timer (every instance; the settling writes are guarded, so two instances
 * settle an attempt once), and for one order when a cashier presses Pay again on an order whose payment is
 * unknown. It looks at `unknown` attempts and at `pending` ones older than `staleAfterMs` (their request
 * is gone: the process was killed or the database failed after the provider answered).
 */
import type { Db } from '../db/db.ts';
import type { Logger } from '../deps.ts';
import type { StoreTelemetry } from '../telemetry.ts';
import type { PaymentClient } from './payment-client.ts';
import { attemptsToReconcile, countUnsettled, isStale, operationKey, recordCapture, recordNoCapture, type AttemptRow, type SettledStatus } from './payment-attempts.ts';

/** `paid`: the order has its capture recorded; `released`: no money was taken; `unresolved`: ask again later. */
export type Settlement = 'paid' | 'released' | 'unresolved';

export interface PaymentReconcilerOptions {
  /** Between runs. */
  readonly intervalMs: number;
  /** A `pending` attempt older than this has lost its request. */
  readonly staleAfterMs: number;
  /** Attempts looked at per run. Default 100. */
  readonly batchSize?: number;
}

export class PaymentReconciler {
  readonly #db: Db;
  readonly #client: PaymentClient;
  readonly #logger: Logger;
  readonly #t: StoreTelemetry;
  readonly #opts: PaymentReconcilerOptions;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(db: Db, client: PaymentClient, logger: Logger, telemetry: StoreTelemetry, opts: PaymentReconcilerOptions) {
    this.#db = db;
    this.#client = client;
    this.#logger = logger.child({ module: 'payment-reconciler' });
    this.#t = telemetry;
    this.#opts = opts;
  }

  get staleAfterMs(): number {
    return this.#opts.staleAfterMs;
  }

  /** Runs once now, then every `intervalMs`. */
  start(): void {
    if (this.#timer || this.#stopped) return;
    void this.runOnce();
    this.#timer = setInterval(() => void this.runOnce(), this.#opts.intervalMs);
    this.#timer.unref();
  }

  /** Stops the timer and waits for a run in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  /** One pass over the unsettled attempts; a run already in progress is joined, not doubled. Never rejects. */
  runOnce(): Promise<void> {
    this.#running ??= this.#run().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #run(): Promise<void> {
    let rows: AttemptRow[];
    try {
      rows = await attemptsToReconcile(this.#db, this.#opts.staleAfterMs, this.#opts.batchSize ?? 100);
    } catch (err) {
      this.#logger.warn({ err }, 'payment reconciliation could not read the open payments; retried on the next run');
      return;
    }
    for (const a of rows) {
      if (this.#stopped) return;
      try {
        await this.settle(a, 'reconciler');
      } catch (err) {
        this.#logger.warn({ err, order_id: a.order_id, attempt: a.attempt }, 'payment reconciliation failed for one payment; retried on the next run');
      }
    }
    try {
      this.#t.paymentsUnknown(await countUnsettled(this.#db, this.#opts.staleAfterMs));
      this.#t.paymentReconciliationFinished();
    } catch (err) {
      this.#logger.warn({ err }, 'payment reconciliation could not count the open payments');
    }
  }

  /** Settles one attempt by asking the provider. Throws only when the database fails. */
  async settle(a: AttemptRow, by: 'request' | 'reconciler'): Promise<Settlement> {
    const look = await this.#client.lookup(a.idempotency_key);
    if (!look.ok) {
      this.#t.paymentReconciled('lookup_failed');
      return 'unresolved';
    }
    const r = look.result;
    if (!r.found) {
      // A request that timed out may still reach the provider: "nothing under this key" is final only once
      // the attempt is older than any request of it can be.
      if (!(await isStale(this.#db, a.id, this.#opts.staleAfterMs))) return 'unresolved';
      return this.#noCapture(a, 'failed', a.failure_reason ?? 'not_found', by, 'not_found');
    }
    switch (r.status) {
      case 'declined':
        return this.#noCapture(a, 'declined', 'declined', by, 'declined');
      case 'voided':
        return this.#noCapture(a, 'voided', a.failure_reason ?? 'voided', by, 'voided');
      case 'authorized': {
        const v = await this.#client.void(r.id, operationKey(a.idempotency_key, 'void'));
        // A void refused because the capture went through meanwhile is seen as a capture on the next look.
        if (!v.ok) return 'unresolved';
        return this.#noCapture(a, 'voided', a.failure_reason ?? 'voided', by, 'voided');
      }
      case 'captured': {
        const rec = await this.#db.tx((q) => recordCapture(q, a, { providerRef: r.id, card: r.card, durationMs: null, resolvedBy: by }));
        if (rec === 'already') return 'paid';
        if (rec === 'recorded') {
          this.#t.paymentReconciled('captured');
          this.#logger.warn({ order_id: a.order_id, attempt: a.attempt, code: 'STOREWRN004' }, 'a capture whose answer was lost was found at the provider and recorded; the order is paid');
          return 'paid';
        }
        // The order does not wait for this capture (it cannot happen by construction; a provider may still do it): give the money back.
        const back = await this.#client.refund(r.id, r.amount, operationKey(a.idempotency_key, 'reverse'));
        if (!back.ok) return 'unresolved';
        await this.#db.tx((q) => recordNoCapture(q, a, { status: 'reversed', reason: 'capture_not_wanted', durationMs: null, resolvedBy: by }));
        this.#t.paymentReconciled('reversed');
        this.#logger.error({ order_id: a.order_id, attempt: a.attempt }, 'a capture for an order that no longer waited for it was refunded');
        return 'released';
      }
    }
  }

  async #noCapture(a: AttemptRow, status: SettledStatus, reason: string, by: 'request' | 'reconciler', resolution: 'not_found' | 'declined' | 'voided'): Promise<Settlement> {
    const settled = await this.#db.tx((q) => recordNoCapture(q, a, { status, reason, durationMs: null, resolvedBy: by }));
    if (settled) this.#t.paymentReconciled(resolution);
    return 'released';
  }
}

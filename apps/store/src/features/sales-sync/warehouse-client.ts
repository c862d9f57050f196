/**
 * The store's client of the warehouse's batch API (`POST /v1/batches`, see src/sim/warehouse.ts).
 * One attempt per call, bounded by a timeout and by the caller's abort signal (shutdown); the worker
 * retries on its next cycle. Failures are classified into the catalogue's sync error types.
 */

/** LABEL_VALUES.syncErrorType. */
export type SyncErrorType = 'network' | 'timeout' | 'auth' | 'rate_limited' | 'rejected' | 'validation' | 'conflict' | 'server_error';

/** One sale as the warehouse receives it (snake_case, money in minor units). */
export interface WarehouseSale {
  readonly sale_id: string;
  readonly location: string;
  readonly terminal: string;
  readonly channel: string;
  readonly status: string;
  readonly currency: string;
  readonly subtotal: number;
  readonly discount: number;
  readonly total: number;
  readonly refunded: number;
  readonly units: number;
  readonly payment_method: string | null;
  readonly customer_id: string | null;
  readonly completed_at: string;
  readonly items: readonly { readonly sku: string; readonly quantity: number; readonly unit_price: number; readonly line_total: number }[];
}

export type PushResult =
  | { readonly ok: true; readonly accepted: number; readonly duplicates: number }
  | { readonly ok: false; readonly errorType: SyncErrorType; readonly status?: number; readonly aborted: boolean };

export interface WarehouseClientOptions {
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly fetch?: typeof fetch;
}

export class WarehouseClient {
  readonly #url: string;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;

  constructor(o: WarehouseClientOptions) {
    this.#url = new URL('/v1/batches', o.baseUrl).href;
    this.#timeoutMs = o.timeoutMs;
    this.#fetch = o.fetch ?? fetch;
  }

  /** Pushes one batch. Never rejects. `signal` aborts it (shutdown). */
  async push(batchId: string, sales: readonly WarehouseSale[], signal: AbortSignal): Promise<PushResult> {
    let res: Response;
    try {
      res = await this.#fetch(this.#url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': batchId },
        body: JSON.stringify({ batch_id: batchId, sales }),
        signal: AbortSignal.any([signal, AbortSignal.timeout(this.#timeoutMs)]),
      });
    } catch (err) {
      const name = (err as Error | null)?.name;
      return { ok: false, errorType: name === 'TimeoutError' ? 'timeout' : 'network', aborted: signal.aborted };
    }
    let body: Record<string, unknown> = {};
    try {
      const parsed = (await res.json()) as unknown;
      if (typeof parsed === 'object' && parsed !== null) body = parsed as Record<string, unknown>;
    } catch {
      // classified by status alone
    }
    if (res.ok) {
      return { ok: true, accepted: typeof body.accepted === 'number' ? body.accepted : sales.length, duplicates: typeof body.duplicates === 'number' ? body.duplicates : 0 };
    }
    return { ok: false, errorType: classify(res.status), status: res.status, aborted: false };
  }
}

function classify(status: number): SyncErrorType {
  if (status === 401 || status === 403) return 'auth';
  if (status === 429) return 'rate_limited';
  if (status === 408 || status === 504) return 'timeout';
  if (status === 409) return 'conflict';
  if (status === 400 || status === 422) return 'validation';
  if (status >= 500) return 'server_error';
  return 'rejected';
}

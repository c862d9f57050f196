/**
 * The store's error model. Every 4xx and 5xx the store answers has the body
 * `{ "error": { "code": "STORE_...", "message": "...", "correlation_id": "..." } }`
 * (plus `details` for some codes). Codes are stable: clients and dashboards key on them; a code
 * is never reused for a different meaning. The table lives in store-error-codes.ts and docs/api.md.
 */
import { STORE_ERROR_CODES, type StoreErrorCode } from './store-error-codes.ts';

const kStoreError = Symbol.for('tillwatch.store.error');

export class StoreError extends Error {
  readonly [kStoreError] = true;
  readonly code: string;
  readonly statusCode: number;
  readonly details: Record<string, unknown> | undefined;

  /**
   * @param code a STORE_ code: one from the core table, or a feature's own (`STORE_<AREA>_<PROBLEM>`).
   * @param statusCode defaults to the table's status for core codes, else 400.
   * @param message safe to show to the client: never include secrets or card data.
   */
  constructor(code: StoreErrorCode | `STORE_${string}`, message?: string, opts: { statusCode?: number; details?: Record<string, unknown>; cause?: unknown } = {}) {
    const known = (STORE_ERROR_CODES as Record<string, { status: number; message: string } | undefined>)[code];
    super(message ?? known?.message ?? code, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'StoreError';
    this.code = code;
    this.statusCode = opts.statusCode ?? known?.status ?? 400;
    this.details = opts.details;
  }
}

/** True for a StoreError, also from another copy of this module (checks a brand, not instanceof). */
export function isStoreError(e: unknown): e is StoreError {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[kStoreError] === true;
}

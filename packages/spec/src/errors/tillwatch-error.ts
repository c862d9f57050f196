import type { ErrorCode } from './codes.ts';

const kBrand = Symbol.for('tillwatch.error');

/**
 * Base class of every error tillwatch creates. Carries a stable `code` from `errors/codes.ts`.
 * Use {@link isTillwatchError} rather than `instanceof`: two copies of the package may coexist.
 */
export class TillwatchError extends Error {
  readonly code: ErrorCode;
  readonly [kBrand] = true;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = 'TillwatchError';
  }
}

/** True for any error created by any copy of tillwatch. */
export function isTillwatchError(e: unknown): e is TillwatchError {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[kBrand] === true;
}

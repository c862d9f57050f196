import type { ErrorCode } from './codes.ts';

const kBrand = Symbol.for('tillwatch.error');

/**
 * Base class of every error tillwatch creates. Carries a stable `code` from `errors/codes.ts` and a
 * stable `name`. Every subclass gets a guard in the same style, `isXError(e)`: the brand below plus the
 * subclass's `name` (see {@link isTillwatchConfigError}), never `instanceof`, because two copies of the
 * package may coexist (cockatiel's brand-property guards).
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

/**
 * The guard of one subclass: a tillwatch error (brand) with that subclass's stable `name`.
 * @example export const isTillwatchConfigError = brandGuard<TillwatchConfigError>('TillwatchConfigError');
 */
export function brandGuard<E extends TillwatchError>(name: string): (e: unknown) => e is E {
  return (e: unknown): e is E => isTillwatchError(e) && e.name === name;
}

/**
 * Error guards, in one style. Every tillwatch error class extends {@link TillwatchError} (which carries a
 * brand property) and has a stable `name`; its guard `isXError(e)` checks both, never `instanceof`,
 * because two copies of a package may coexist (cockatiel's brand-property guards).
 */
import { isTillwatchError, type TillwatchError } from './tillwatch-error.ts';

/**
 * The guard of one error class: a tillwatch error (brand) with that class's stable `name`.
 * @example export const isTillwatchConfigError = brandGuard<TillwatchConfigError>('TillwatchConfigError');
 */
export function brandGuard<E extends TillwatchError>(name: string): (e: unknown) => e is E {
  return (e: unknown): e is E => isTillwatchError(e) && e.name === name;
}

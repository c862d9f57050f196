/**
 * Small request-body readers that name the field, what was expected and what came, and throw
 * STORE_VALIDATION_FAILED (400) with `details.field`. Hand-written rather than JSON schema so that
 * business rules (a zero quantity is STORE_INVALID_QUANTITY, 422) get their own stable codes.
 */
import { StoreError } from './store-error.ts';

export type Body = Record<string, unknown>;

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'string' ? 'a string' : typeof v === 'number' ? 'a number' : typeof v === 'boolean' ? 'a boolean' : typeof v === 'object' ? 'an object' : typeof v;
}

export function invalid(field: string, expected: string, got: unknown): StoreError {
  const gotText = got === undefined ? 'nothing (the field is missing)' : kindOf(got);
  return new StoreError('STORE_VALIDATION_FAILED', `${field}: expected ${expected}, got ${gotText}`, { details: { field } });
}

/** The request body as an object. @throws STORE_VALIDATION_FAILED when it is absent or not an object. */
export function bodyOf(body: unknown): Body {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('body', 'a JSON object', body);
  return body as Body;
}

export function str(b: Body, field: string, opts: { max?: number; pattern?: RegExp; patternText?: string } = {}): string {
  const v = b[field];
  const max = opts.max ?? 200;
  if (typeof v !== 'string' || v.trim() === '' || v.length > max || (opts.pattern && !opts.pattern.test(v))) {
    throw invalid(field, opts.patternText ?? `a non-empty string of at most ${max} characters`, v);
  }
  return v;
}

export function optStr(b: Body, field: string, opts: { max?: number; pattern?: RegExp; patternText?: string } = {}): string | undefined {
  return b[field] === undefined || b[field] === null ? undefined : str(b, field, opts);
}

export function oneOf<const T extends string>(b: Body, field: string, values: readonly T[]): T {
  const v = b[field];
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) throw invalid(field, `one of ${values.join(', ')}`, v);
  return v as T;
}

export function optInt(b: Body, field: string, min: number, max: number): number | undefined {
  const v = b[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw invalid(field, `an integer between ${min} and ${max}`, v);
  return v;
}

export function optBool(b: Body, field: string): boolean | undefined {
  const v = b[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw invalid(field, 'true or false', v);
  return v;
}

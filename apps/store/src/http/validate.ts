/**
 * Small request-body readers that name the field, what was expected and what came, and throw
 * STORE_VALIDATION_FAILED (400) with `details.field`. Hand-written rather than JSON schema so that
 * business rules (a zero quantity is STORE_INVALID_QUANTITY, 422) get their own stable codes.
 */
import { containsCardNumberRun } from '@tillwatch/redact';
import { StoreError } from './store-error.ts';

/** The part of tillwatch's redactor the readers below use (`deps.tw.redactor`). */
export interface TextRedactor {
  string(s: string): string;
}

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

/**
 * Refuses an identifier (terminal, unit, customer or order id, e-mail) that could carry cardholder data or
 * a credential: one the redactor would change, or with a digit run that holds a card number however it is
 * grouped (the correlation-id rule). Ids are stored, logged and forwarded as they are, so they are checked
 * rather than scrubbed. The message names the field, never the value.
 * @throws STORE_VALIDATION_FAILED
 */
export function plainId(field: string, v: string, redactor: TextRedactor, expected: string): string {
  if (containsCardNumberRun(v) || redactor.string(v) !== v) {
    throw new StoreError('STORE_VALIDATION_FAILED', `${field}: expected ${expected}, got a value that looks like a card number or a credential`, { details: { field } });
  }
  return v;
}

/** {@link str} for an identifier, checked by {@link plainId}. */
export function idStr(b: Body, field: string, redactor: TextRedactor, opts: { max?: number; pattern?: RegExp; patternText?: string } = {}): string {
  return plainId(field, str(b, field, opts), redactor, opts.patternText ?? 'an id');
}

/** {@link optStr} for an identifier, checked by {@link plainId}. */
export function optIdStr(b: Body, field: string, redactor: TextRedactor, opts: { max?: number; pattern?: RegExp; patternText?: string } = {}): string | undefined {
  const v = optStr(b, field, opts);
  return v === undefined ? undefined : plainId(field, v, redactor, opts.patternText ?? 'an id');
}

/**
 * Free text that is kept (a refund reason, a customer's name, a note): scrubbed by the redactor before it is
 * stored, so a card number, CVV, password, token or database URL typed into it never reaches a table, a log
 * or a forwarded payload. Length limits apply to what was sent.
 */
export function freeText(b: Body, field: string, redactor: TextRedactor, opts: { max?: number } = {}): string {
  return redactor.string(str(b, field, opts));
}

/** {@link freeText} for an optional field. */
export function optFreeText(b: Body, field: string, redactor: TextRedactor, opts: { max?: number } = {}): string | undefined {
  const v = optStr(b, field, opts);
  return v === undefined ? undefined : redactor.string(v);
}

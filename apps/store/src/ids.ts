/**
 * Ids the store mints (orders, payments, customers, messages, print jobs, offline batches).
 *
 * A random UUID's hex digits hold a Luhn-valid run of 13 to 19 decimal digits about once in a hundred
 * draws (`…-8f67-6753423359…`). Such an id would be masked by the redactor in every log line (so it could not
 * be searched for) and flagged by a PCI log scan as a card number. So an id is redrawn until it passes the
 * correlation-id rule of @tillwatch/redact, the same rule the store applies to ids it receives.
 */
import { createHash, randomUUID } from 'node:crypto';
import { isValidCorrelationId } from '@tillwatch/redact';

/**
 * A new id: `<prefix>_<32 hex digits>`, or `<prefix>_<uuid>` with `dashes`.
 * @example newId('ord'); // 'ord_0f3c…'
 */
export function newId(prefix: string, opts: { dashes?: boolean } = {}): string {
  for (;;) {
    const uuid = randomUUID();
    const id = `${prefix}_${opts.dashes ? uuid : uuid.replace(/-/g, '')}`;
    if (isValidCorrelationId(id)) return id;
  }
}

/**
 * A deterministic id derived from `input` (the same input always gives the same id): `<prefix><sep><hex>`,
 * the first `hexDigits` of a SHA-256. When that would hold a card-number run, the input is hashed again with
 * a counter, still deterministically.
 */
export function derivedId(prefix: string, input: string, hexDigits: number, sep = '_'): string {
  for (let n = 0; ; n++) {
    const hex = createHash('sha256').update(n === 0 ? input : `${input}\u0000${n}`).digest('hex').slice(0, hexDigits);
    const id = `${prefix}${sep}${hex}`;
    if (isValidCorrelationId(id)) return id;
  }
}

/**
 * The correlation-id rule, shared by the server (which reuses an incoming X-Correlation-ID or X-Request-ID)
 * and the browser (which mints one per API call).
 *
 * A caller's id is data, not trust: the server writes it verbatim on every log line of the request and
 * echoes it in two response headers and in error bodies, so it must not be able to carry anything the
 * redactor exists to remove. An id is reused only when
 * - it is 1..128 characters of `[A-Za-z0-9._:-]` (nothing can forge a log line or a header), and
 * - no run of digits in it holds a card number: digits with single `.`, `_`, `:`, `-` or space between
 *   them are one run, and every window of 13 to 19 of its digits is put to the redactor's card-number
 *   test ({@link isCardNumber}, Luhn included). That is stricter than free-text scrubbing, which only
 *   groups by spaces and dashes and tests a contiguous run whole, because an id is not scrubbed on its way
 *   out; and
 * - it does not start like a JSON Web Token or other JOSE object (`eyJ`, the base64url of `{"`), whose
 *   header and claims would otherwise be logged and echoed.
 * Anything else is replaced by a fresh UUIDv7; the caller's value is dropped, not logged, since a value
 * that fails the rule is not trusted to be free of cardholder data or credentials. A random UUID or a
 * 32-hex request id from a proxy passes the rule, apart from about one in a few hundred whose digits happen
 * to contain a Luhn-valid run: those are replaced too, which a PCI log scan would have flagged anyway.
 *
 * The check is one pass over at most 128 characters; the window test runs only on a run of 13 or more
 * digits, which ordinary ids rarely have.
 */
import type { isCardNumber } from './card-number.ts';

/** What a correlation id may look like (characters and length only; see {@link isValidCorrelationId}). */
export const CORRELATION_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** Fewest digits a card number has (ISO/IEC 7812-1). */
const MIN_PAN_DIGITS = 13;
/** Most digits a card number has. */
const MAX_PAN_DIGITS = 19;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** `.`, `_`, `:`, `-` or a space: a separator that keeps a digit run going when a digit follows. */
function isRunSeparator(c: number): boolean {
  return c === 46 || c === 95 || c === 58 || c === 45 || c === 32;
}

/**
 * True when some window of 13..19 consecutive digits of the run `s[from..to)` (separators skipped) passes
 * the card-number test of {@link isCardNumber}: issuer rules as there, Luhn computed leftwards from each
 * window's end, so no window is sliced out. At most 128 characters, so at most a few thousand additions.
 */
function holdsCardNumber(s: string, from: number, to: number): boolean {
  const digits: number[] = [];
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (isDigit(c)) digits.push(c - 48);
  }
  for (let end = digits.length - 1; end >= MIN_PAN_DIGITS - 1; end--) {
    let sum = 0;
    for (let len = 1; len <= MAX_PAN_DIGITS && end - len + 1 >= 0; len++) {
      let d = digits[end - len + 1] as number;
      if (len % 2 === 0) {
        d *= 2;
        if (d > 9) d -= 9;
      }
      sum += d;
      if (len < MIN_PAN_DIGITS || sum % 10 !== 0) continue;
      // the issuer rules of isCardNumber, on the window's first digit
      const first = digits[end - len + 1] as number;
      if (first === 0) continue;
      if (first === 1 && len !== 15) continue;
      if (len === 13 && (first === 2 || first === 3)) continue;
      return true;
    }
  }
  return false;
}

/**
 * Scans `s` once. Returns false on a run holding a card number (digits separated by single `.`, `_`, `:`,
 * `-` or spaces count as one run), and, with `idCharsOnly`, on any character outside `[A-Za-z0-9._:-]`.
 */
function scanRuns(s: string, idCharsOnly: boolean): boolean {
  const n = s.length;
  let start = 0;
  let count = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (isDigit(c)) {
      if (count++ === 0) start = i;
      continue;
    }
    if (idCharsOnly && !(((c | 32) >= 97 && (c | 32) <= 122) || c === 46 || c === 95 || c === 58 || c === 45)) return false;
    if (count > 0 && !(isRunSeparator(c) && i + 1 < n && isDigit(s.charCodeAt(i + 1)))) {
      if (count >= MIN_PAN_DIGITS && holdsCardNumber(s, start, i)) return false;
      count = 0;
    }
  }
  return !(count >= MIN_PAN_DIGITS && holdsCardNumber(s, start, n));
}

/**
 * True when `s` holds a card number in a digit run whose digits may be separated by single `.`, `_`,
 * `:`, `-` or spaces (`4111.1111.1111.1111`, `id-4111111111111111`).
 */
export function containsCardNumberRun(s: string): boolean {
  return !scanRuns(s, false);
}

/** True when `v` may be used as a correlation id as it is: see the module comment for the rule. */
export function isValidCorrelationId(v: unknown): v is string {
  if (typeof v !== 'string' || v.length === 0 || v.length > 128) return false;
  // `eyJ`: the base64url of `{"`, how every JWS and JWE starts
  if (v.charCodeAt(0) === 101 && v.startsWith('eyJ')) return false;
  return scanRuns(v, true);
}

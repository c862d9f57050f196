/**
 * Finding and masking payment card numbers (PANs) in text and numbers.
 *
 * A PAN is 13 to 19 digits (ISO/IEC 7812-1) with a valid Luhn check digit, written contiguously or in
 * groups separated by single spaces or dashes. Masked PANs keep at most the first 6 and last 4 digits,
 * the most PCI DSS v4.0 requirement 3.4.1 allows to be displayed.
 */
import { luhnValid } from './luhn.ts';

/**
 * A maximal run of at least 13 digits, each pair separated by at most one space or dash. Every repetition
 * consumes a digit, so matching is linear: no catastrophic backtracking on hostile input.
 */
const DIGIT_RUN = /[0-9](?:[ -]?[0-9]){12,}/g;

/**
 * Digits in at least three groups of 1 to 6, all separated by the same `.`, `_` or `:`
 * (`4111.1111.1111.1111`, `4111_1111_1111_1111`). At least three groups so that a decimal number
 * (`1234567.891234567`) is never read as one; whole digit groups only, so an IP address and port or a
 * clock time (mixed separators, few digits) never reach 13 digits.
 */
const GROUPED_RUN = /(?<![0-9])[0-9]{1,6}([._:])[0-9]{1,6}(?:\1[0-9]{1,6})+(?![0-9])/g;

/**
 * True when `digits` (ASCII digits only, no separators) should be treated as a card number.
 *
 * Two exclusions keep common timestamps intact, at no cost in real PANs:
 * - leading `1` (ISO/IEC 7812 major industry identifier 1, airlines) is a PAN only at 15 digits, the length
 *   UATP issues; so 16-digit microsecond and 19-digit nanosecond Unix times (and 19-digit snowflake ids)
 *   stay readable;
 * - 13 digits starting `2` or `3` are millisecond Unix times (2033 to 2096): only Visa (prefix 4) ever issued
 *   13-digit PANs. 13-digit times starting `1` (2001 to 2033) fall under the first rule;
 * - a leading `0` (major industry identifier 0, ISO/TC 68 and other industry assignments) is never a payment
 *   card, so zero-padded counters and the zero runs of binary dumps stay readable.
 */
export function isCardNumber(digits: string): boolean {
  const n = digits.length;
  if (n < 13 || n > 19) return false;
  const first = digits.charCodeAt(0);
  if (first === 48 /* 0 */) return false;
  if (first === 49 /* 1 */ && n !== 15) return false;
  if (n === 13 && (first === 50 || first === 51) /* 2, 3 */) return false;
  return luhnValid(digits);
}

/** `4111111111111111` becomes `411111******1111`: first 6, one `*` per hidden digit, last 4. */
export function maskDigits(digits: string): string {
  return digits.slice(0, 6) + '*'.repeat(digits.length - 10) + digits.slice(-4);
}

/**
 * Masks one candidate run. A contiguous run is only ever tested whole: testing its sub-strings would mask
 * nearly every 19-digit order id, since some window of it passes Luhn with high probability.
 *
 * A run of separated groups (`qty 2 4111 1111 1111 1111`) is tested on every window aligned on group
 * boundaries, and the union of the windows that are PANs is masked as one: taking only the first window
 * that passes could pick a chance match overlapping the real PAN and leave its tail readable.
 */
function maskRun(run: string): string {
  if (!/[ ._:-]/.test(run)) return isCardNumber(run) ? maskDigits(run) : run;
  const parts = run.split(/([ ._:-])/); // [group, sep, group, sep, ..., group]
  const groups: string[] = [];
  for (let i = 0; i < parts.length; i += 2) groups.push(parts[i] as string);
  const masked: boolean[] = new Array<boolean>(groups.length).fill(false);
  let any = false;
  for (let i = 0; i < groups.length; i++) {
    let acc = '';
    for (let j = i; j < groups.length; j++) {
      acc += groups[j] as string;
      if (acc.length > 19) break;
      if (acc.length >= 13 && isCardNumber(acc)) {
        for (let k = i; k <= j; k++) masked[k] = true;
        any = true;
      }
    }
  }
  if (!any) return run;
  let out = '';
  let g = 0;
  while (g < groups.length) {
    if (g > 0) out += parts[2 * g - 1] as string;
    if (!masked[g]) {
      out += groups[g] as string;
      g++;
      continue;
    }
    let digits = '';
    while (g < groups.length && masked[g]) digits += groups[g++] as string;
    out += maskDigits(digits);
  }
  return out;
}

/**
 * Masks every card number in free text; returns `text` itself when nothing changed.
 * Callers should first check cheaply that the text holds a run of 13 digits (see `scanText`).
 */
export function maskCardNumbers(text: string): string {
  const spaced = text.replace(DIGIT_RUN, maskRun);
  return /[._:]/.test(spaced) ? spaced.replace(GROUPED_RUN, maskGroupedRun) : spaced;
}

function maskGroupedRun(run: string): string {
  return run.replace(/[^0-9]/g, '').length >= 13 ? maskRun(run) : run;
}

/**
 * A number field holding a PAN (`{ pan: 4111111111111111 }` under an innocent key) becomes the masked
 * string; every other number is returned as is.
 */
export function maskCardNumberValue(n: number): number | string {
  if (n < 1e12 || n >= 1e19 || !Number.isInteger(n)) return n;
  const digits = String(n); // no exponent notation below 1e21
  return isCardNumber(digits) ? maskDigits(digits) : n;
}

/**
 * Phone numbers are personal data: the store normalises them to E.164 to send, and otherwise keeps
 * and logs only a masked form (for people) and a keyed hash (for "same number" lookups). Neither can
 * be turned back into the number; the hash is keyed so that a leaked table cannot be reversed by
 * hashing every possible number (the space of phone numbers is small).
 */
import { createHmac } from 'node:crypto';

const E164 = /^\+[1-9]\d{7,14}$/;

/**
 * The E.164 form of a number as typed at a till (`+1 (415) 555-0100`, `+44 20 7946 0958`), or
 * undefined when it is not one. A leading `00` counts as `+`; numbers without a country code are
 * refused rather than guessed.
 */
export function normalizePhone(input: string): string | undefined {
  const trimmed = input.trim();
  if (trimmed.length > 32 || !/^[+0-9 ().-]+$/.test(trimmed)) return undefined;
  let digits = trimmed.replace(/[ ().-]/g, '');
  if (digits.startsWith('00')) digits = `+${digits.slice(2)}`;
  return E164.test(digits) ? digits : undefined;
}

/** `+14155550100` → `+1••••••0100`: the plus, the first digit and the last four. */
export function maskPhone(e164: string): string {
  if (e164.length <= 6) return '•'.repeat(e164.length);
  return `${e164.slice(0, 2)}${'•'.repeat(e164.length - 6)}${e164.slice(-4)}`;
}

/** HMAC-SHA256 of the number under `key`, hex. */
export function hashPhone(e164: string, key: string | Buffer): string {
  return createHmac('sha256', key).update(e164).digest('hex');
}

/**
 * Phone numbers are personal data: the store normalises them to E.164 to send, and otherwise keeps
 * and logs only a masked form (for people) and a keyed hash (for "same number" lookups). Neither can
 * be turned back into the number; the hash is keyed so that a leaked table cannot be reversed by
 * hashing every possible number (the space of phone numbers is small).
 *
 * The one place the number itself must be kept is the queued message, until it is delivered (after a
 * crash, a retry or a replay from the dead-letter queue): there it is sealed with AES-256-GCM under a
 * key derived from the store's secret, so the queue table, a dead letter and a database dump hold
 * ciphertext only. Rotating the secret makes messages queued before the rotation unreadable: they
 * fail as `invalid_payload` and land in the dead-letter queue with that reason.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

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

/** Seals a number for the queue: base64url of a 12-byte IV, the 16-byte GCM tag and the ciphertext. */
export function sealPhone(e164: string, key: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ct = Buffer.concat([cipher.update(e164, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64url');
}

/** Opens a sealed number. @throws SyntaxError when it was not sealed with this key (or was altered). */
export function openPhone(sealed: string, key: Buffer): string {
  const raw = Buffer.from(sealed, 'base64url');
  if (raw.length < 29) throw new SyntaxError('the sealed recipient is too short');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    // A SyntaxError classifies as invalid_payload (permanent): retrying cannot open it.
    throw new SyntaxError('the sealed recipient cannot be opened with the current key');
  }
}

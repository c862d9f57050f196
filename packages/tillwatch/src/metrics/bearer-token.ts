import { createHash, timingSafeEqual } from 'node:crypto';
import { TillwatchConfigError } from '@tillwatch/spec';

/**
 * Checks `Authorization: Bearer <token>` headers (RFC 6750) against a configured token in constant time.
 *
 * Both sides are hashed to SHA-256 first: `timingSafeEqual` needs equal lengths, and comparing digests hides
 * the token's length as well as its content.
 * @returns a predicate, true only for the exact token (the scheme is case-insensitive, RFC 7235 section 2.1).
 * @throws TillwatchConfigError TW_ERR_CONFIG_INVALID when `token` is empty: it would authorise an empty Bearer header.
 */
export function bearerTokenChecker(token: string): (authorization: string | undefined) => boolean {
  if (typeof token !== 'string' || token.length === 0) {
    throw new TillwatchConfigError([{ option: 'metrics.token', expected: 'a non-empty string', got: typeof token === 'string' ? 'an empty string' : typeof token, code: 'TW_ERR_CONFIG_INVALID' }]);
  }
  const expected = createHash('sha256').update(token, 'utf8').digest();
  return (authorization) => {
    if (typeof authorization !== 'string' || authorization.length > 8192) return false;
    const m = /^bearer +(\S+) *$/i.exec(authorization);
    const given = createHash('sha256').update(m?.[1] ?? '', 'utf8').digest();
    // Compare even when the header is malformed, so a malformed header takes as long as a wrong token.
    return timingSafeEqual(given, expected) && m !== null;
  };
}

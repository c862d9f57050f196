/**
 * HS256 JSON Web Tokens (RFC 7519 / RFC 7515), issued and verified with `jose`.
 *
 * Verification pins the algorithm to HS256 (no `none`, no algorithm confusion), requires `sub`, `iat` and
 * `exp`, and refuses a token whose signature segment is not the canonical base64url of the 32-byte MAC:
 * junk appended to the signature, padding or bits past the last byte change the token but not the decoded
 * bytes, and a token is a bearer credential compared as text by caches, revocation lists and logs, so only
 * one spelling of it is valid. jose decodes leniently, hence the re-encoding check here.
 */
import { errors, jwtVerify, SignJWT } from 'jose';
import type { Role } from '../orders/order-types.ts';
import { ROLES } from '../orders/order-types.ts';

export interface TokenClaims {
  /** The username. */
  readonly sub: string;
  readonly role: Role;
  /** Issued at, seconds since the epoch. */
  readonly iat: number;
  /** Expiry, seconds since the epoch. */
  readonly exp: number;
}

const ALG = 'HS256';
/** An HS256 signature is 32 bytes: 43 base64url characters, the last of which carries 2 zero bits. */
const CANONICAL_HS256_SIGNATURE = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;

const encoder = new TextEncoder();

function keyOf(secret: string): Uint8Array {
  return encoder.encode(secret);
}

/** Issues a token for `sub` with `role`, valid for `ttlSeconds`. */
export async function issueToken(sub: string, role: Role, secret: string, ttlSeconds: number, nowMs = Date.now()): Promise<{ token: string; claims: TokenClaims }> {
  const iat = Math.floor(nowMs / 1000);
  const claims: TokenClaims = { sub, role, iat, exp: iat + ttlSeconds };
  const token = await new SignJWT({ role })
    .setProtectedHeader({ alg: ALG, typ: 'JWT' })
    .setSubject(sub)
    .setIssuedAt(iat)
    .setExpirationTime(claims.exp)
    .sign(keyOf(secret));
  return { token, claims };
}

export type VerifyFailure = 'malformed' | 'bad_signature' | 'expired';

/** The claims of a valid token, or why it is not valid. Never throws. */
export async function verifyToken(token: string, secret: string, nowMs = Date.now()): Promise<{ ok: true; claims: TokenClaims } | { ok: false; reason: VerifyFailure }> {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'malformed' };
  if (!CANONICAL_HS256_SIGNATURE.test(parts[2] as string)) return { ok: false, reason: 'bad_signature' };
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, keyOf(secret), {
      algorithms: [ALG],
      typ: 'JWT',
      requiredClaims: ['sub', 'iat', 'exp'],
      currentDate: new Date(nowMs),
      clockTolerance: 0,
    }));
  } catch (err) {
    if (err instanceof errors.JWTExpired) return { ok: false, reason: 'expired' };
    if (err instanceof errors.JWSSignatureVerificationFailed) return { ok: false, reason: 'bad_signature' };
    return { ok: false, reason: 'malformed' };
  }
  const { sub, role, iat, exp } = payload;
  if (typeof sub !== 'string' || typeof iat !== 'number' || typeof exp !== 'number' || !(ROLES as readonly unknown[]).includes(role)) {
    return { ok: false, reason: 'malformed' };
  }
  return { ok: true, claims: { sub, role: role as Role, iat, exp } };
}

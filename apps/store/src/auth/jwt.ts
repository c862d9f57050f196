/**
 * HS256 JSON Web Tokens (RFC 7519 / RFC 7515) with node:crypto: enough for the store's login, with
 * none of the algorithm-confusion surface of a general library. The header is fixed (`alg: HS256`);
 * a token with any other header is rejected before its signature is looked at. Signatures are
 * compared in constant time; `exp` is required.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
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

const HEADER = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

function base64url(s: string | Buffer): string {
  return Buffer.from(s).toString('base64url');
}

function sign(data: string, secret: string): Buffer {
  return createHmac('sha256', secret).update(data).digest();
}

/** Issues a token for `sub` with `role`, valid for `ttlSeconds`. */
export function issueToken(sub: string, role: Role, secret: string, ttlSeconds: number, nowMs = Date.now()): { token: string; claims: TokenClaims } {
  const iat = Math.floor(nowMs / 1000);
  const claims: TokenClaims = { sub, role, iat, exp: iat + ttlSeconds };
  const body = `${HEADER}.${base64url(JSON.stringify(claims))}`;
  return { token: `${body}.${sign(body, secret).toString('base64url')}`, claims };
}

export type VerifyFailure = 'malformed' | 'bad_signature' | 'expired';

/** The claims of a valid token, or why it is not valid. Never throws. */
export function verifyToken(token: string, secret: string, nowMs = Date.now()): { ok: true; claims: TokenClaims } | { ok: false; reason: VerifyFailure } {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'malformed' };
  const [header, payload, signature] = parts as [string, string, string];
  if (header !== HEADER) return { ok: false, reason: 'malformed' };
  const expected = sign(`${header}.${payload}`, secret);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad_signature' };
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const c = claims as Partial<TokenClaims> | null;
  if (
    typeof c !== 'object' || c === null ||
    typeof c.sub !== 'string' || typeof c.exp !== 'number' || typeof c.iat !== 'number' ||
    !(ROLES as readonly string[]).includes(c.role as string)
  ) {
    return { ok: false, reason: 'malformed' };
  }
  if (c.exp * 1000 <= nowMs) return { ok: false, reason: 'expired' };
  return { ok: true, claims: c as TokenClaims };
}

/**
 * Authentication of /metrics and the other management endpoints (the health summary, the console, an
 * application's admin endpoints): the static bearer token (`metrics.token`) and, optionally, a JWT verified with
 * `jose` against an issuer, an audience, an algorithm list and a key (a JWKS URL through `createRemoteJWKSet`, or
 * a static PEM public key).
 *
 * The static token is checked first, synchronously and in constant time (bearer-token.ts); only a request it does
 * not match pays for a JWT verification. Every refusal is answered 401 with `WWW-Authenticate: Bearer` and no
 * details, and handed to `onRefused` with a reason (`missing`, `malformed`, `expired`, `bad_signature`,
 * `wrong_issuer`, `wrong_audience`, `key_unavailable`, `invalid`); the token itself is never passed on.
 * A JWKS that cannot be fetched refuses (`key_unavailable`): there is no fail-open path.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { TillwatchConfigError, type ConfigIssue } from '@tillwatch/spec';
import { bearerTokenChecker } from './bearer-token.ts';

export type ManagementRefusalReason =
  | 'missing'
  | 'malformed'
  | 'expired'
  | 'bad_signature'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'key_unavailable'
  | 'invalid';

/** Asymmetric JWS algorithms only: a shared HMAC secret would let every scraper mint tokens, and `none` is no signature. */
export const MANAGEMENT_JWT_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'] as const;

export interface ManagementJwtOptions {
  readonly issuer?: string;
  readonly audience?: string;
  readonly algorithms?: readonly string[];
  /** The issuer's JWKS (fetched and cached by jose's createRemoteJWKSet). */
  readonly jwksUrl?: string;
  /** A static public key, PEM (SPKI), instead of a JWKS. */
  readonly publicKey?: string;
  /** Allowed clock skew for exp/nbf, seconds. */
  readonly clockToleranceSeconds?: number;
}

export interface ManagementAuthOptions {
  /** The static bearer token (`metrics.token`). */
  readonly token?: string;
  readonly jwt?: ManagementJwtOptions;
  /** Called once per refused request; counted and logged by tillwatch's security events. */
  readonly onRefused?: (req: IncomingMessage, reason: ManagementRefusalReason) => void;
}

export interface ManagementAuth {
  /** Whether a JWT is accepted (else only the static token). */
  readonly jwt: boolean;
  /** The refusal reason for an Authorization header, or undefined when it is accepted. Never rejects. */
  check(authorization: string | undefined): ManagementRefusalReason | undefined | Promise<ManagementRefusalReason | undefined>;
  /**
   * Authenticates `req`; on refusal answers 401 on `res` (no details) and reports the reason. Resolves (or
   * returns, for the static token) true when the request may go on. Never throws, never rejects.
   */
  guard(req: IncomingMessage, res: ServerResponse): boolean | Promise<boolean>;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** True when a management JWT is configured (any of its key options set). */
export function jwtConfigured(jwt: ManagementJwtOptions | undefined): jwt is ManagementJwtOptions {
  return jwt !== undefined && (jwt.jwksUrl !== undefined || jwt.publicKey !== undefined || jwt.issuer !== undefined || jwt.audience !== undefined);
}

/**
 * Validates a management JWT configuration and builds its verifier.
 * @throws TillwatchConfigError (TW_ERR_CONFIG_INVALID) naming each bad option: a missing issuer or audience, no key
 *   or two keys, an unknown or symmetric algorithm, a JWKS URL that is not https (http only on loopback), a key that
 *   is not a PEM public key.
 */
export function managementJwtVerifier(jwt: ManagementJwtOptions, prefix = 'management.jwt'): (token: string) => Promise<ManagementRefusalReason | undefined> {
  const issues: ConfigIssue[] = [];
  const bad = (option: string, expected: string, got: string): void => void issues.push({ option: `${prefix}.${option}`, expected, got, code: 'TW_ERR_CONFIG_INVALID' });
  if (typeof jwt.issuer !== 'string' || jwt.issuer.length === 0) bad('issuer', 'the issuer (iss) tokens must carry', jwt.issuer === undefined ? 'nothing' : JSON.stringify(jwt.issuer));
  if (typeof jwt.audience !== 'string' || jwt.audience.length === 0) bad('audience', 'the audience (aud) tokens must carry', jwt.audience === undefined ? 'nothing' : JSON.stringify(jwt.audience));
  const algorithms = jwt.algorithms ?? ['RS256', 'ES256', 'EdDSA'];
  const unknown = algorithms.filter((a) => !(MANAGEMENT_JWT_ALGORITHMS as readonly string[]).includes(a));
  if (algorithms.length === 0 || unknown.length > 0) {
    bad('algorithms', `a non-empty list of ${MANAGEMENT_JWT_ALGORITHMS.join(', ')}`, algorithms.length === 0 ? 'an empty list' : unknown.map((a) => JSON.stringify(a)).join(', '));
  }
  if ((jwt.jwksUrl === undefined) === (jwt.publicKey === undefined)) {
    bad('jwksUrl', 'exactly one of management.jwt.jwksUrl and management.jwt.publicKey', jwt.jwksUrl === undefined ? 'neither' : 'both');
  }
  let key: JWTVerifyGetKey | KeyObject | undefined;
  if (jwt.jwksUrl !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(jwt.jwksUrl);
    } catch {
      bad('jwksUrl', 'an https URL', 'not a URL');
    }
    if (url !== undefined && url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
      bad('jwksUrl', 'an https URL (http only on localhost)', `a ${url.protocol} URL`);
    } else if (url !== undefined && jwt.publicKey === undefined) {
      key = createRemoteJWKSet(url, { timeoutDuration: 5000, cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 });
    }
  }
  if (jwt.publicKey !== undefined) {
    try {
      const k = createPublicKey(jwt.publicKey);
      if (jwt.jwksUrl === undefined) key = k;
    } catch {
      bad('publicKey', 'a PEM public key (-----BEGIN PUBLIC KEY-----)', typeof jwt.publicKey === 'string' ? `a string of ${jwt.publicKey.length} characters that is not one` : typeof jwt.publicKey);
    }
  }
  const tolerance = jwt.clockToleranceSeconds ?? 30;
  if (!Number.isInteger(tolerance) || tolerance < 0 || tolerance > 300) bad('clockToleranceSeconds', 'an integer from 0 to 300', String(tolerance));
  if (issues.length > 0 || key === undefined) throw new TillwatchConfigError(issues);
  const verifyOptions = { issuer: jwt.issuer, audience: jwt.audience, algorithms: [...algorithms], clockTolerance: tolerance };
  const verifyKey = key;
  return async (token) => {
    try {
      // Two overloads (a key, or a key-resolving function); both forms are accepted at run time.
      await jwtVerify(token, verifyKey as JWTVerifyGetKey, verifyOptions);
      return undefined;
    } catch (error) {
      return refusalOf(error);
    }
  };
}

/** Maps jose's error codes (https://github.com/panva/jose/blob/main/docs/util/errors) to a refusal reason. */
function refusalOf(error: unknown): ManagementRefusalReason {
  const e = error as { code?: unknown; claim?: unknown };
  switch (e?.code) {
    case 'ERR_JWT_EXPIRED':
      return 'expired';
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return 'bad_signature';
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
      return 'malformed';
    case 'ERR_JWKS_TIMEOUT':
    case 'ERR_JWKS_INVALID':
      return 'key_unavailable';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return e.claim === 'iss' ? 'wrong_issuer' : e.claim === 'aud' ? 'wrong_audience' : 'invalid';
    default:
      // A JWKS fetch that failed at the network level (fetch's TypeError) has no jose code.
      return error instanceof TypeError ? 'key_unavailable' : 'invalid';
  }
}

const BEARER = /^bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

function refuse(res: ServerResponse, head: boolean): void {
  if (res.headersSent || res.destroyed) return;
  const body = 'Unauthorized\n';
  // The same bare challenge for every reason (RFC 6750 allows omitting the error code): a caller learns nothing
  // about why, the reason goes to the security event only.
  res.writeHead(401, { 'Cache-Control': 'no-store', 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(Buffer.byteLength(body)), 'WWW-Authenticate': 'Bearer' });
  res.end(head ? undefined : body);
}

/**
 * Builds the management endpoints' authentication, or undefined when neither a token nor a JWT is configured.
 * @throws TillwatchConfigError at creation for an empty token or an invalid JWT configuration.
 */
export function createManagementAuth(opts: ManagementAuthOptions): ManagementAuth | undefined {
  const tokenMatches = opts.token === undefined ? undefined : bearerTokenChecker(opts.token);
  const verifyJwt = jwtConfigured(opts.jwt) ? managementJwtVerifier(opts.jwt) : undefined;
  if (tokenMatches === undefined && verifyJwt === undefined) return undefined;
  const onRefused = opts.onRefused;

  const check = (authorization: string | undefined): ManagementRefusalReason | undefined | Promise<ManagementRefusalReason | undefined> => {
    if (typeof authorization !== 'string' || authorization.trim() === '') return 'missing';
    if (tokenMatches?.(authorization)) return undefined;
    const m = authorization.length <= 8192 ? BEARER.exec(authorization) : null;
    if (m === null) return 'malformed';
    if (verifyJwt === undefined) return 'invalid';
    // A JWT has three base64url parts; anything else is not one (and not worth a verification).
    return m[1]!.split('.').length === 3 ? verifyJwt(m[1]!) : tokenMatches === undefined ? 'malformed' : 'invalid';
  };

  const settle = (req: IncomingMessage, res: ServerResponse, reason: ManagementRefusalReason | undefined): boolean => {
    if (reason === undefined) return true;
    try {
      onRefused?.(req, reason);
    } catch {
      // Telemetry never breaks the refusal.
    }
    refuse(res, req.method === 'HEAD');
    return false;
  };

  return {
    jwt: verifyJwt !== undefined,
    check,
    guard(req, res) {
      try {
        const r = check(req.headers.authorization);
        return r instanceof Promise ? r.then((reason) => settle(req, res, reason), () => settle(req, res, 'invalid')) : settle(req, res, r);
      } catch {
        return settle(req, res, 'invalid');
      }
    },
  };
}

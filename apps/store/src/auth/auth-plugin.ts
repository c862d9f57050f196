/**
 * Bearer-token authentication and role checks, for the core routes and the features:
 *
 * ```ts
 * app.post('/orders/:id/void', { preHandler: requireRole('manager', 'admin') }, handler);
 * app.get('/products', { preHandler: authenticate }, handler); // any signed-in user
 * const user = userOf(request); // { sub, role, iat, exp }
 * ```
 * Failures answer 401 STORE_AUTH_REQUIRED / STORE_AUTH_INVALID_TOKEN or 403 STORE_FORBIDDEN_ROLE, and are security
 * events: a token failure with its reason (missing, expired, bad signature, malformed), or a privilege-escalation
 * attempt naming the user, their role and the roles the route needs.
 */
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { SecurityEvents, TokenFailureReason } from 'tillwatch/security';
import type { StoreDeps } from '../deps.ts';
import { StoreError } from '../http/store-error.ts';
import type { Role } from '../orders/order-types.ts';
import { verifyToken, type TokenClaims } from './jwt.ts';

const kUser = Symbol('store.user');
const kSecret = Symbol('store.jwtSecret');
const kSecurity = Symbol('store.security');
type WithUser = { [kUser]?: TokenClaims };
type WithSecret = { [kSecret]?: string; [kSecurity]?: SecurityEvents };

/** Installs the token secret and the security events on the app; call once, before the routes. */
export function registerAuth(app: FastifyInstance, deps: StoreDeps): void {
  (app as unknown as WithSecret)[kSecret] = deps.config.jwtSecret;
  (app as unknown as WithSecret)[kSecurity] = deps.security;
}

function securityOf(request: FastifyRequest): SecurityEvents | undefined {
  return (request.server as unknown as WithSecret)[kSecurity];
}

function tokenFailed(request: FastifyRequest, reason: TokenFailureReason): void {
  securityOf(request)?.tokenFailure({ request: request.raw, source: request.ip, reason, route: request.routeOptions.url });
}

function secretOf(request: FastifyRequest): string {
  // Child plugins see the root instance's symbol through the prototype chain.
  const s = (request.server as unknown as WithSecret)[kSecret];
  if (s === undefined) throw new Error('registerAuth() was not called on the app');
  return s;
}

/** preHandler: requires a valid bearer token. */
export const authenticate: preHandlerAsyncHookHandler = async function authenticate(request) {
  const header = request.headers.authorization;
  if (typeof header !== 'string' || !/^Bearer\s+\S+$/i.test(header)) {
    tokenFailed(request, header === undefined ? 'missing' : 'malformed');
    throw new StoreError('STORE_AUTH_REQUIRED');
  }
  const token = header.replace(/^Bearer\s+/i, '').trim();
  const r = verifyToken(token, secretOf(request));
  if (!r.ok) tokenFailed(request, r.reason === 'expired' || r.reason === 'bad_signature' || r.reason === 'malformed' ? r.reason : 'invalid');
  if (!r.ok) throw new StoreError('STORE_AUTH_INVALID_TOKEN', r.reason === 'expired' ? 'the bearer token has expired; log in again' : undefined);
  (request as unknown as WithUser)[kUser] = r.claims;
};

/** preHandler: requires a valid token whose role is one of `roles`. */
export function requireRole(...roles: Role[]): preHandlerAsyncHookHandler {
  return async function requireRoleHandler(request, reply) {
    await authenticate.call(this, request, reply);
    const user = userOf(request);
    if (!roles.includes(user.role)) {
      securityOf(request)?.privilegeEscalation({ request: request.raw, source: request.ip, actor: user.sub, role: user.role, required: roles, route: request.routeOptions.url });
      throw new StoreError('STORE_FORBIDDEN_ROLE', `this needs one of the roles ${roles.join(', ')}; you are signed in as ${user.role}`);
    }
  };
}

/** The signed-in user of a request that passed {@link authenticate}. @throws when it did not. */
export function userOf(request: FastifyRequest): TokenClaims {
  const u = (request as unknown as WithUser)[kUser];
  if (!u) throw new StoreError('STORE_AUTH_REQUIRED');
  return u;
}

/** True when the request's user may approve manager-only actions. */
export function isManager(user: TokenClaims): boolean {
  return user.role === 'manager' || user.role === 'admin';
}

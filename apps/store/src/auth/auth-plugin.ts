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
 *
 * A token is accepted only when its signature verifies (jwt.ts) and its subject is a user of the store that
 * is not disabled, with the role the token names: a disabled or demoted user's tokens stop working within
 * {@link SUBJECT_CACHE_MS}, without a revocation list.
 */
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { SecurityEvents, TokenFailureReason } from 'tillwatch/security';
import type { StoreDeps } from '../deps.ts';
import { StoreError } from '../http/store-error.ts';
import type { Role } from '../orders/order-types.ts';
import { verifyToken, type TokenClaims } from './jwt.ts';

const kUser = Symbol('store.user');
const kAuth = Symbol('store.auth');
type WithUser = { [kUser]?: TokenClaims };
type Auth = { secret: string; subjects: Subjects; security: SecurityEvents };
type WithAuth = { [kAuth]?: Auth };

/** How long a subject's role and status are remembered: the delay before disabling a user takes effect. */
export const SUBJECT_CACHE_MS = 5000;
/** Subjects remembered at most (a store has tens of users; the bound is against forged-subject churn, which never gets here: the signature is checked first). */
const SUBJECT_CACHE_SIZE = 1000;

/** The current role of each active user, looked up once per {@link SUBJECT_CACHE_MS}. */
class Subjects {
  readonly #deps: StoreDeps;
  readonly #cache = new Map<string, { role: Role | undefined; until: number }>();

  constructor(deps: StoreDeps) {
    this.#deps = deps;
  }

  /** The user's current role, or undefined when there is no such user or they are disabled. */
  async roleOf(username: string): Promise<Role | undefined> {
    const now = Date.now();
    const hit = this.#cache.get(username);
    if (hit !== undefined && hit.until > now) return hit.role;
    const rows = await this.#deps.db.query<{ role: Role }>('SELECT role FROM users WHERE username = $1 AND disabled_at IS NULL', [username]);
    const role = rows[0]?.role;
    if (this.#cache.size >= SUBJECT_CACHE_SIZE) this.#cache.clear();
    this.#cache.set(username, { role, until: now + SUBJECT_CACHE_MS });
    return role;
  }
}

/** Installs the token secret and the subject check on the app; call once, before the routes. */
export function registerAuth(app: FastifyInstance, deps: StoreDeps): void {
  (app as unknown as WithAuth)[kAuth] = { secret: deps.config.jwtSecret, subjects: new Subjects(deps), security: deps.security };
}

function authOf(request: FastifyRequest): Auth {
  // Child plugins see the root instance's symbol through the prototype chain.
  const a = (request.server as unknown as WithAuth)[kAuth];
  if (a === undefined) throw new Error('registerAuth() was not called on the app');
  return a;
}

function tokenFailed(request: FastifyRequest, reason: TokenFailureReason): void {
  authOf(request).security.tokenFailure({ request: request.raw, source: request.ip, reason, route: request.routeOptions.url });
}

/** preHandler: requires a valid bearer token. */
export const authenticate: preHandlerAsyncHookHandler = async function authenticate(request) {
  const header = request.headers.authorization;
  if (typeof header !== 'string' || !/^Bearer\s+\S+$/i.test(header)) {
    tokenFailed(request, header === undefined ? 'missing' : 'malformed');
    throw new StoreError('STORE_AUTH_REQUIRED');
  }
  const token = header.replace(/^Bearer\s+/i, '').trim();
  const auth = authOf(request);
  const r = await verifyToken(token, auth.secret);
  if (!r.ok) tokenFailed(request, r.reason === 'expired' || r.reason === 'bad_signature' || r.reason === 'malformed' ? r.reason : 'invalid');
  if (!r.ok) throw new StoreError('STORE_AUTH_INVALID_TOKEN', r.reason === 'expired' ? 'the bearer token has expired; log in again' : undefined);
  const role = await auth.subjects.roleOf(r.claims.sub);
  if (role === undefined || role !== r.claims.role) {
    tokenFailed(request, 'invalid');
    throw new StoreError('STORE_AUTH_INVALID_TOKEN', 'the account of this token is disabled, removed or changed; log in again');
  }
  (request as unknown as WithUser)[kUser] = r.claims;
};

/** preHandler: requires a valid token whose role is one of `roles`. */
export function requireRole(...roles: Role[]): preHandlerAsyncHookHandler {
  return async function requireRoleHandler(request, reply) {
    await authenticate.call(this, request, reply);
    const user = userOf(request);
    if (!roles.includes(user.role)) {
      authOf(request).security.privilegeEscalation({ request: request.raw, source: request.ip, actor: user.sub, role: user.role, required: roles, route: request.routeOptions.url });
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

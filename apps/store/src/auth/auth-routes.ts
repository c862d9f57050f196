/**
 * POST /auth/login and GET /auth/me.
 *
 * A failed login answers the same 401 whether the user is unknown or the password is wrong (and takes
 * the same time: an unknown user is checked against a dummy hash), and is a `failed_login` security event
 * (counted by reason, logged at warn with the user name, reason and pseudonymised source: never the password),
 * which also feeds the brute-force and password-spray detector. Logins are throttled per user name, per source
 * and globally (login-throttle.ts); a refusal is a `lockout` event and a 429.
 */
import type { FastifyInstance } from 'fastify';
import type { StoreDeps } from '../deps.ts';
import { StoreError } from '../http/store-error.ts';
import { bodyOf, str } from '../http/validate.ts';
import type { Role } from '../orders/order-types.ts';
import { authenticate, userOf } from './auth-plugin.ts';
import { issueToken } from './jwt.ts';
import { LoginThrottle } from './login-throttle.ts';
import { dummyHash, verifyPassword } from './passwords.ts';

export async function authRoutes(app: FastifyInstance, deps: StoreDeps, throttle: LoginThrottle): Promise<void> {
  const security = deps.security;

  app.post('/auth/login', async (request, reply) => {
    const b = bodyOf(request.body);
    const username = str(b, 'username', { max: 64 });
    const password = str(b, 'password', { max: 256 });
    const source = request.ip;
    const verdict = await throttle.check(username, source);
    if (verdict.refusedBy !== undefined) {
      security.loginFailed({ request: request.raw, source, username, reason: 'locked_out' });
      security.lockout({ request: request.raw, source, username, scope: verdict.refusedBy, retryAfterSeconds: verdict.retryAfterSeconds });
      reply.header('retry-after', String(verdict.retryAfterSeconds));
      throw new StoreError('STORE_AUTH_RATE_LIMITED');
    }
    const rows = await deps.db.query<{ username: string; role: Role; display_name: string; password_hash: string; password_salt: string }>(
      'SELECT username, role, display_name, password_hash, password_salt FROM users WHERE username = $1 AND disabled_at IS NULL',
      [username],
    );
    const user = rows[0];
    const against = user ? { hash: user.password_hash, salt: user.password_salt } : await dummyHash();
    const ok = await verifyPassword(password, against.hash, against.salt);
    if (!user || !ok) {
      await throttle.failed(username, source);
      security.loginFailed({ request: request.raw, source, username, reason: user ? 'invalid_credentials' : 'unknown_user' });
      throw new StoreError('STORE_AUTH_INVALID_CREDENTIALS');
    }
    await throttle.succeeded(username);
    const { token, claims } = await issueToken(user.username, user.role, deps.config.jwtSecret, deps.config.jwtTtlSeconds);
    security.loginSucceeded({ request: request.raw, source, username: user.username, role: user.role });
    reply.header('cache-control', 'no-store');
    return {
      token,
      token_type: 'Bearer',
      expires_at: new Date(claims.exp * 1000).toISOString(),
      user: { username: user.username, role: user.role, display_name: user.display_name },
    };
  });

  app.get('/auth/me', { preHandler: authenticate }, async (request) => {
    const u = userOf(request);
    return { username: u.sub, role: u.role, expires_at: new Date(u.exp * 1000).toISOString() };
  });
}

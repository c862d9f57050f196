/**
 * POST /auth/login and GET /auth/me.
 *
 * A failed login answers the same 401 whether the user is unknown or the password is wrong (and takes
 * the same time: an unknown user is checked against a dummy hash), is counted by reason, and is logged
 * at warn with the username and reason only: never the password.
 */
import type { FastifyInstance } from 'fastify';
import type { StoreDeps } from '../deps.ts';
import { StoreError } from '../http/store-error.ts';
import { bodyOf, str } from '../http/validate.ts';
import type { Role } from '../orders/order-types.ts';
import type { StoreTelemetry } from '../telemetry.ts';
import { authenticate, userOf } from './auth-plugin.ts';
import { issueToken } from './jwt.ts';
import { LoginThrottle } from './login-throttle.ts';
import { dummyHash, verifyPassword } from './passwords.ts';

export async function authRoutes(app: FastifyInstance, deps: StoreDeps, telemetry: StoreTelemetry, throttle = new LoginThrottle()): Promise<void> {
  const log = deps.logger.child({ module: 'auth' });

  app.post('/auth/login', async (request, reply) => {
    const b = bodyOf(request.body);
    const username = str(b, 'username', { max: 64 });
    const password = str(b, 'password', { max: 256 });
    const key = username.toLowerCase();
    // The username is the client's input: log a bounded, printable form of it.
    const shown = username.slice(0, 64).replace(/[^\x20-\x7e]/g, '?');
    if (!throttle.allowed(key)) {
      telemetry.loginFailed('locked_out');
      log.warn({ username: shown, reason: 'locked_out' }, 'login refused: too many failed attempts');
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
      throttle.failed(key);
      const reason = user ? 'invalid_credentials' : 'unknown_user';
      telemetry.loginFailed(reason);
      log.warn({ username: shown, reason }, 'login failed');
      throw new StoreError('STORE_AUTH_INVALID_CREDENTIALS');
    }
    throttle.succeeded(key);
    const { token, claims } = await issueToken(user.username, user.role, deps.config.jwtSecret, deps.config.jwtTtlSeconds);
    log.info({ username: user.username, role: user.role }, 'login succeeded');
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

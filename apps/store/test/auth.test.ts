/**
 * Login, tokens and roles, per backend: failed logins are counted by reason and logged without the
 * password; repeated failures are throttled; forged and expired tokens are refused.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { issueToken } from '../src/auth/jwt.ts';
import { assertNoSecrets } from './helpers/secrets.ts';
import { backends, delta, startHarness, type ApiResponse } from './helpers/store-harness.ts';

const WRONG_PASSWORD = 'Tr0ub4dor&3-wrong-guess';

for (const backend of backends()) {
  test(`auth on ${backend}`, async (t) => {
    const h = await startHarness(t, backend);
    if (!h) return;

    await t.test('a demo user logs in and the token identifies them', async () => {
      const r = await h.api('POST', '/auth/login', { body: { username: 'manager', password: 'demo-manager-pw' } });
      assert.equal(r.status, 200);
      assert.equal(r.body.user.role, 'manager');
      assert.equal(r.headers.get('cache-control'), 'no-store');
      const me = await h.api('GET', '/auth/me', { token: r.body.token });
      assert.deepEqual([me.status, me.body.username, me.body.role], [200, 'manager', 'manager']);
    });

    await t.test('a wrong password is a 401, counted by reason and logged without the password', async () => {
      const m0 = await h.metrics();
      const r = await h.api('POST', '/auth/login', { body: { username: 'cashier', password: WRONG_PASSWORD } });
      assert.equal(r.status, 401);
      assert.equal(r.body.error.code, 'STORE_AUTH_INVALID_CREDENTIALS');
      const unknown = await h.api('POST', '/auth/login', { body: { username: 'mallory', password: WRONG_PASSWORD } });
      assert.equal(unknown.body.error.code, 'STORE_AUTH_INVALID_CREDENTIALS', 'same answer for an unknown user');
      const m1 = await h.metrics();
      assert.equal(delta(m0, m1, 'auth_failed_logins_total', { reason: 'invalid_credentials' }), 1);
      assert.equal(delta(m0, m1, 'auth_failed_logins_total', { reason: 'unknown_user' }), 1);
      assert.equal(delta(m0, m1, 'store_request_rejections_total', { code: 'STORE_AUTH_INVALID_CREDENTIALS' }), 2);
      const warn = h.sink.lines.find((l) => l.msg === 'login failed' && l.correlation_id === r.correlationId);
      assert.ok(warn, 'a warn line for the failed login');
      assert.equal(warn.level, 'warn');
      assert.deepEqual([warn.username, warn.reason], ['cashier', 'invalid_credentials']);
      assert.equal(h.accessLines(r.correlationId).length, 1);
      await assertNoSecrets(h, { strings: [WRONG_PASSWORD, 'demo-manager-pw', 'demo-cashier-pw'] });
    });

    await t.test('repeated failures for one user are throttled (brute force)', async () => {
      await h.token('admin'); // signed in before the lockout: later subtests use it
      const m0 = await h.metrics();
      let last: ApiResponse | undefined;
      for (let i = 0; i < 6; i++) last = await h.api('POST', '/auth/login', { body: { username: 'admin', password: `${WRONG_PASSWORD}${i}` } });
      assert.equal(last!.status, 429);
      assert.equal(last!.body.error.code, 'STORE_AUTH_RATE_LIMITED');
      // even the right password is refused while locked out
      const right = await h.api('POST', '/auth/login', { body: { username: 'admin', password: 'demo-admin-pw' } });
      assert.equal(right.status, 429);
      const m1 = await h.metrics();
      assert.equal(delta(m0, m1, 'auth_failed_logins_total', { reason: 'invalid_credentials' }), 5);
      assert.equal(delta(m0, m1, 'auth_failed_logins_total', { reason: 'locked_out' }), 2);
    });

    await t.test('expired, forged and tampered tokens are refused', async () => {
      const secret = h.store.deps.config.jwtSecret;
      const expired = (await issueToken('cashier', 'cashier', secret, 60, Date.now() - 3600_000)).token;
      const forged = (await issueToken('admin', 'admin', 'not-the-server-secret-but-long-enough-0123', 600)).token;
      const good = await h.token('cashier');
      const [head, , sig] = good.split('.');
      const tampered = `${head}.${Buffer.from(JSON.stringify({ sub: 'cashier', role: 'admin', iat: 1, exp: 9_999_999_999 })).toString('base64url')}.${sig}`;
      const m0 = await h.metrics();
      for (const token of [expired, forged, tampered]) {
        const r: ApiResponse = await h.api('GET', '/admin/faults', { token });
        assert.equal(r.status, 401);
        assert.equal(r.body.error.code, 'STORE_AUTH_INVALID_TOKEN');
      }
      const m1 = await h.metrics();
      assert.equal(delta(m0, m1, 'auth_failures_total', { reason: 'invalid_token' }), 2, 'forged and tampered: bad signature');
      assert.equal(delta(m0, m1, 'auth_failures_total', { reason: 'expired_token' }), 1);
      const refused = h.sink.lines.filter((l) => l.security_event === 'invalid_token').map((l) => l.reason);
      assert.deepEqual(refused.slice(-3), ['expired', 'bad_signature', 'bad_signature']);
    });

    await t.test('admin routes need the admin role', async () => {
      const r = await h.api('PUT', '/admin/faults', { token: await h.token('manager'), body: { db_latency_ms: 5 } });
      assert.equal(r.status, 403);
      const ok = await h.api('PUT', '/admin/faults', { token: await h.token('admin'), body: { db_latency_ms: 0 } });
      assert.deepEqual([ok.status, ok.body.db_latency_ms], [200, 0]);
    });
  });
}

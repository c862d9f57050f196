/**
 * Bearer tokens as a user would trust them: one spelling of a token is valid (junk appended to the
 * signature or a non-canonical last character is refused), and a valid signature is not enough: the
 * subject must be a user of the store, not disabled, with the role the token names.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { issueToken } from '../src/auth/jwt.ts';
import { SUBJECT_CACHE_MS } from '../src/auth/auth-plugin.ts';
import { backends, eventually, startHarness, type ApiResponse } from './helpers/store-harness.ts';

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

for (const backend of backends()) {
  test(`tokens are verified with jose and checked against the users table on ${backend}`, async (t) => {
    const h = await startHarness(t, backend);
    if (!h) return;
    const secret = h.store.deps.config.jwtSecret;
    const good = await h.token('manager');
    const me = (token: string): Promise<ApiResponse> => h.api('GET', '/auth/me', { token });
    assert.equal((await me(good)).status, 200);

    await t.test('a token whose signature is not canonical base64url is refused', async () => {
      const last = good.at(-1)!;
      const sibling = BASE64URL[BASE64URL.indexOf(last) ^ 1]!; // same 6 bits but the last two: decodes to the same MAC
      for (const token of [`${good}A`, `${good}AA`, `${good}=`, `${good}!!`, `${good.slice(0, -1)}${sibling}`, `${good}.`]) {
        const r = await me(token);
        assert.equal(r.status, 401, token.slice(-6));
        assert.equal(r.body.error.code, 'STORE_AUTH_INVALID_TOKEN');
      }
    });

    await t.test('a correctly signed token for a user who does not exist, is disabled or has another role is refused', async () => {
      const ghost = (await issueToken('ghost', 'admin', secret, 600)).token;
      const promoted = (await issueToken('cashier', 'admin', secret, 600)).token;
      for (const token of [ghost, promoted]) {
        const r = await me(token);
        assert.equal(r.status, 401);
        assert.equal(r.body.error.code, 'STORE_AUTH_INVALID_TOKEN');
      }
      const cashier = await h.token('cashier');
      assert.equal((await me(cashier)).status, 200);
      await h.store.deps.db.query(`UPDATE users SET disabled_at = now() WHERE username = 'cashier'`);
      // the subject's status is cached for SUBJECT_CACHE_MS: poll past it
      await eventually('the disabled user\'s token to be refused', async () => ((await me(cashier)).status === 401 ? true : undefined), SUBJECT_CACHE_MS * 3);
      const login = await h.api('POST', '/auth/login', { body: { username: 'cashier', password: 'demo-cashier-pw' } });
      assert.equal(login.status, 401, 'a disabled user cannot log in');
    });
  });
}

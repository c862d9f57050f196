/**
 * The store's security events and protections: login throttling per source (a password spray from one address
 * across user names) and globally, privilege-escalation and CORS events, and @fastify/rate-limit's refusals,
 * each a security event with a pseudonymised source and a metric.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { delta, startHarness } from './helpers/store-harness.ts';

test('store security events and protections', { timeout: 120_000 }, async (t) => {
  const h = await startHarness(t, 'pglite', { env: { LOGIN_MAX_FAILURES_PER_SOURCE: '8', LOGIN_MAX_FAILURES_GLOBAL: '100000', SECURITY_HASH_KEY: 'a-store-test-key-0123456789' } });
  if (!h) return;
  const manager = await h.token('manager');
  const cashier = await h.token('cashier');

  await t.test('a cashier calling a manager route is a privilege-escalation event naming user, role and route', async () => {
    const m0 = await h.metrics();
    const r = await h.api('PUT', '/admin/faults', { token: cashier, body: { db_latency_ms: 5 } });
    assert.equal(r.status, 403);
    const m1 = await h.metrics();
    assert.equal(delta(m0, m1, 'security_events_total', { type: 'privilege_escalation', severity: 'high' }), 1);
    const line = h.sink.lines.find((l) => l.security_event === 'privilege_escalation' && l.correlation_id === r.correlationId);
    assert.ok(line, 'one line, in the request context');
    assert.deepEqual([line.actor, line.role, line.route], ['cashier', 'cashier', '/admin/faults']);
    assert.match(String(line.source), /^[0-9a-f]{16}$/, 'the address is hashed');
  });

  await t.test('a disallowed Origin is a CORS violation and gets no CORS headers; a request without Origin passes', async () => {
    const m0 = await h.metrics();
    const evil = await h.api('GET', '/products', { token: cashier, headers: { origin: 'https://evil.example' } });
    assert.equal(evil.headers.get('access-control-allow-origin'), null);
    const plain = await h.api('GET', '/products', { token: cashier });
    assert.equal(plain.status, 200);
    const m1 = await h.metrics();
    assert.equal(delta(m0, m1, 'cors_violations_total'), 1);
    assert.equal(h.sink.lines.find((l) => l.security_event === 'cors_violation')?.origin, 'https://evil.example');
  });

  await t.test('a spray across user names from one source is throttled per source and detected', async () => {
    const m0 = await h.metrics();
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await h.api('POST', '/auth/login', { body: { username: `staff${i}`, password: 'Summer2026!' } })).status);
    assert.deepEqual(statuses, [...Array(8).fill(401), ...Array(4).fill(429)], 'the 9th attempt from this source is refused although each user name failed once');
    const m1 = await h.metrics();
    assert.equal(m1.get('auth_password_spray_sources{}'), 1);
    assert.equal(m1.get('auth_brute_force_sources{}'), 1);
    assert.equal(delta(m0, m1, 'security_events_total', { type: 'password_spray', severity: 'critical' }), 1);
    assert.ok(delta(m0, m1, 'security_events_total', { type: 'lockout', severity: 'medium' }) >= 4);
    const lockout = h.sink.lines.find((l) => l.security_event === 'lockout');
    assert.equal(lockout?.scope, 'source');
    // The lockout is per source: the right password from the same address is refused too, for now.
    const right = await h.api('POST', '/auth/login', { body: { username: 'manager', password: 'demo-manager-pw' } });
    assert.equal(right.status, 429);
    assert.ok(Number(right.headers.get('retry-after')) > 0);
    assert.ok(!h.sink.raw.join('').includes('Summer2026!'), 'the password is in no log line');
    assert.ok(manager.length > 0);
  });
});

test('@fastify/rate-limit refusals are security events and count rate-limited clients', { timeout: 120_000 }, async (t) => {
  const h = await startHarness(t, 'pglite', { env: { RATE_LIMIT_PER_MINUTE: '40' } });
  if (!h) return;
  const m0 = await h.metrics();
  let limited = 0;
  for (let i = 0; i < 45; i++) if ((await h.api('GET', '/')).status === 429) limited++;
  assert.ok(limited >= 5, `${limited} of 45 requests refused`);
  const m1 = await h.metrics();
  assert.equal(delta(m0, m1, 'rate_limited_requests_total'), limited);
  assert.equal(m1.get('rate_limited_clients{}'), 1);
  const refused = await h.api('GET', '/');
  assert.equal(refused.body.error.code, 'STORE_RATE_LIMITED');
  assert.ok(h.sink.lines.some((l) => l.security_event === 'rate_limited' && l.route === '/'));
});

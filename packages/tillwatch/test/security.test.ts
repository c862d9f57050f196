/** tillwatch/security: the event vocabulary, the bounded detectors and their error bounds, the adapter hooks. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import Fastify from 'fastify';
import pino from 'pino';
import { createTillwatch } from '../src/tillwatch.ts';
import { resolveOptions } from '../src/config/options.ts';
import { Metrics } from '../src/metrics/metrics.ts';
import { tillwatchFastify } from '../src/adapters/fastify.ts';
import { createSecurityEvents, LoginAttackDetector, SpaceSaving, WindowedCounts, sourceAddressPseudonymiser } from '../src/security/index.ts';
import { logSink } from '../src/testing/log-sink.ts';

function setup(options: Parameters<typeof createSecurityEvents>[1] = {}) {
  const { options: o } = resolveOptions({ metrics: { runtime: false } }, {});
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
  const metrics = new Metrics({ options: o, logger });
  const security = createSecurityEvents({ logger, metrics }, options);
  const sample = async (series: string): Promise<number | undefined> => {
    const line = (await metrics.render(undefined)).body.split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };
  return { security, lines, sample, metrics };
}

test('Space-Saving keeps every key above N/k and never underestimates; count - error is a lower bound', () => {
  const ss = new SpaceSaving<string>(10);
  const truth = new Map<string, number>();
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let i = 0; i < 5000; i++) {
    // 3 heavy keys and a long tail of 500 light ones.
    const key = rand() < 0.5 ? `heavy-${Math.floor(rand() * 3)}` : `tail-${Math.floor(rand() * 500)}`;
    ss.offer(key);
    truth.set(key, (truth.get(key) ?? 0) + 1);
  }
  assert.equal(ss.size, 10);
  assert.ok(ss.maxError <= 5000 / 10);
  for (const [key, n] of truth) {
    const e = ss.get(key);
    if (n > ss.total / ss.capacity) assert.ok(e, `${key} (${n}) is above N/k and must be tracked`);
    if (e) {
      assert.ok(e.count >= n, `${key}: estimate ${e.count} >= true ${n}`);
      assert.ok(e.count - e.error <= n, `${key}: lower bound ${e.count - e.error} <= true ${n}`);
      assert.ok(e.error <= ss.maxError);
    }
  }
});

test('windowed counts forget whole slices once the window has passed', () => {
  const w = new WindowedCounts<string>({ windowMs: 900, slices: 3, capacity: 8 });
  for (let i = 0; i < 6; i++) w.offer('a', 100);
  assert.deepEqual(w.keysAtLeast(6, 100), ['a']);
  assert.deepEqual(w.keysAtLeast(6, 700), ['a'], 'still in the window two slices later');
  assert.deepEqual(w.keysAtLeast(1, 1000), [], 'gone once its slice left the window');
});

test('the detector flags a brute-forcing source at the threshold and a spraying source by distinct user names', () => {
  const d = new LoginAttackDetector({ bruteForceFailures: 6, sprayUsernames: 10 });
  const now = 1_000_000;
  let started = 0;
  for (let i = 0; i < 8; i++) if (d.failed('10.0.0.1', 'admin', now).bruteForceStarted) started++;
  assert.equal(started, 1, 'brute force starts once');
  assert.deepEqual(d.bruteForceSources(now), ['10.0.0.1']);
  assert.deepEqual(d.spraySources(now), [], 'one user name is not a spray');
  let sprayStarted = 0;
  for (let i = 0; i < 12; i++) if (d.failed('10.0.0.2', `user${i}`, now).sprayStarted) sprayStarted++;
  for (let i = 0; i < 5; i++) d.failed('10.0.0.2', 'USER1', now); // the same names again do not count
  assert.equal(sprayStarted, 1);
  assert.deepEqual(d.spraySources(now), ['10.0.0.2']);
  assert.deepEqual(d.spraySources(now + 16 * 60_000), [], 'forgotten after the window');
});

test('the detector stays bounded under a flood of distinct sources and still reports the heavy one', () => {
  const d = new LoginAttackDetector({ capacity: 64, maxPairs: 1000 });
  const now = 5_000_000;
  for (let i = 0; i < 20_000; i++) {
    d.failed(`198.51.${(i >> 8) & 255}.${i & 255}`, `u${i}`, now);
    if (i % 20 === 0) d.failed('203.0.113.9', `victim${i % 400}`, now);
  }
  // 1000 failures from the attacker among 21 000: N/k = 328 < 1000 - threshold, so it must be reported.
  assert.ok(d.bruteForceSources(now).includes('203.0.113.9'));
  assert.ok(d.maxError(now) <= 21_000 / 64 + 1);
});

test('events are logged with a pseudonymised source, never a password, and counted in bounded metrics', async () => {
  const { security, lines, sample } = setup({ sourceAddress: 'hash', hashKey: 'a-test-key-of-32-characters-0000' });
  for (let i = 0; i < 6; i++) security.loginFailed({ source: '192.0.2.44', username: 'admin', reason: 'invalid_credentials' });
  for (let i = 0; i < 10; i++) security.loginFailed({ source: '192.0.2.45', username: `staff${i}`, reason: 'unknown_user' });
  security.loginSucceeded({ source: '192.0.2.46', username: 'cashier', role: 'cashier' });
  security.lockout({ source: '192.0.2.44', username: 'admin', scope: 'source', retryAfterSeconds: 30 });
  security.tokenFailure({ source: '192.0.2.47', reason: 'expired' });
  security.privilegeEscalation({ source: '192.0.2.47', actor: 'cashier', role: 'cashier', required: ['admin'], route: '/admin/faults' });
  security.rateLimited({ source: '192.0.2.48' });
  security.rateLimited({ source: '192.0.2.49' });
  security.corsViolation({ source: '192.0.2.50', origin: 'https://evil.example' });
  security.managementAuthFailure({ source: '192.0.2.51', path: '/metrics', reason: 'invalid' });

  // The sprayer also failed more than 5 times: it is a brute-force source as well.
  assert.equal(await sample('auth_brute_force_sources'), 2);
  assert.equal(await sample('auth_password_spray_sources'), 1);
  assert.equal(await sample('rate_limited_clients'), 2);
  assert.equal(await sample('cors_violations_total'), 1);
  assert.equal(await sample('rate_limited_requests_total'), 2);
  assert.equal(await sample('auth_failed_logins_total{reason="invalid_credentials"}'), 6);
  assert.equal(await sample('auth_failures_total{reason="expired_token"}'), 1);
  assert.equal(await sample('auth_failures_total{reason="forbidden"}'), 1);
  assert.equal(await sample('security_events_total{type="brute_force",severity="high"}'), 2);
  assert.equal(await sample('security_events_total{type="password_spray",severity="critical"}'), 1);
  assert.equal(await sample('security_events_total{type="management_auth_failure",severity="high"}'), 1);

  const all = JSON.stringify(lines);
  assert.ok(!all.includes('192.0.2.'), 'no raw address in any line');
  const bf = lines.find((l) => l.security_event === 'brute_force');
  assert.ok(bf && typeof bf.source === 'string' && /^[0-9a-f]{16}$/.test(bf.source));
  const same = lines.filter((l) => l.security_event === 'failed_login' && l.username === 'admin').map((l) => l.source);
  assert.equal(new Set(same).size, 1, 'one source gives one pseudonym');
  assert.equal(lines.find((l) => l.security_event === 'login_succeeded')?.level, 30);
  assert.equal(lines.find((l) => l.security_event === 'cors_violation')?.origin, 'https://evil.example');
});

test('truncate mode keeps a /24 or a /48; configuration errors name the option', () => {
  const t = sourceAddressPseudonymiser('truncate');
  assert.equal(t('203.0.113.77'), '203.0.113.0');
  assert.equal(t('::ffff:203.0.113.77'), '203.0.113.0');
  assert.equal(t('2001:db8:1:2:3:4:5:6'), '2001:db8:1::');
  const { options: o } = resolveOptions({ metrics: { runtime: false } }, {});
  const metrics = new Metrics({ options: o, logger: pino({ level: 'silent' }) });
  assert.throws(() => createSecurityEvents({ logger: pino({ level: 'silent' }), metrics }, { sourceAddress: 'nope' as 'raw' }), /security\.sourceAddress/);
  assert.throws(() => createSecurityEvents({ logger: pino({ level: 'silent' }), metrics }, { hashKey: 'short' }), /security\.hashKey/);
});

test('the Fastify adapter turns an unrecorded 401, 403 or 429 into a security event, and stays silent when the route recorded one', async (t) => {
  const sink = logSink();
  const tw = createTillwatch({ service: { name: 'sec-test' }, log: { destination: sink }, metrics: { runtime: false }, lifecycle: { handleSignals: false, handleCrashes: false, exit: false } });
  const security = createSecurityEvents(tw);
  const app = Fastify();
  await app.register(tillwatchFastify, { tw, security });
  app.get('/private', async (_req, reply) => reply.code(401).send({}));
  app.get('/staff-only', async (_req, reply) => reply.code(403).send({}));
  app.get('/busy', async (_req, reply) => reply.code(429).send({}));
  app.get('/recorded', async (req, reply) => {
    security.tokenFailure({ request: req.raw as IncomingMessage, reason: 'expired' });
    return reply.code(401).send({});
  });
  t.after(() => app.close());
  for (const url of ['/private', '/staff-only', '/busy', '/recorded']) await app.inject({ method: 'GET', url });
  const events = sink.lines.filter((l) => l.security_event !== undefined).map((l) => `${l.security_event}:${String(l.route ?? '')}:${String(l.reason ?? '')}`);
  assert.deepEqual(events, ['invalid_token:/private:missing', 'privilege_escalation:/staff-only:', 'rate_limited:/busy:', 'invalid_token::expired']);
});

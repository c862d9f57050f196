/**
 * JWT authentication of /metrics and the management endpoints, with real tokens signed by jose and a real JWKS
 * served by a local node:http server on port 0, through the node:http, Fastify and Express adapters: every refusal
 * is a 401 without details, one `management_auth_failure` security event with its reason, and one increment of
 * `auth_failures_total`; no token appears in any log line.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { isTillwatchConfigError } from '@tillwatch/spec';
import { tillwatchExpress } from '../src/adapters/express.ts';
import { tillwatchFastify } from '../src/adapters/fastify.ts';
import { tillwatchNodeHttp } from '../src/adapters/node-http.ts';
import { createSecurityEvents } from '../src/security/index.ts';
import { createTillwatch, type Tillwatch } from '../src/tillwatch.ts';
import type { TillwatchOptions } from '../src/config/options.ts';
import { logSink, type LogSink } from '../src/testing/log-sink.ts';
import { listenForTest } from './helpers/listen.ts';

const ISSUER = 'https://auth.example.test/';
const AUDIENCE = 'tillwatch-management';
const TOKEN = 'scrape-token-0123456789abcdef';

const listen = listenForTest;

interface Keys {
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  readonly jwk: JWK;
}

async function keys(alg: string, kid: string): Promise<Keys> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { privateKey, publicKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

/** A JWKS endpoint, as an identity provider serves it. */
async function jwksServer(t: TestContext, published: readonly JWK[]): Promise<{ url: string; fetches: () => number }> {
  let fetches = 0;
  const server = http.createServer((req, res) => {
    fetches++;
    res.writeHead(req.url === '/.well-known/jwks.json' ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: published }));
  });
  const base = await listen(t, server);
  return { url: `${base}/.well-known/jwks.json`, fetches: () => fetches };
}

function sign(key: Keys, claims: { iss?: string; aud?: string; exp?: number | string; alg?: string } = {}): Promise<string> {
  const jwt = new SignJWT({ scope: 'metrics:read' })
    .setProtectedHeader({ alg: claims.alg ?? (key.jwk.alg as string), kid: key.jwk.kid })
    .setIssuer(claims.iss ?? ISSUER)
    .setAudience(claims.aud ?? AUDIENCE)
    .setSubject('prometheus')
    .setIssuedAt()
    .setExpirationTime(claims.exp ?? '5m');
  return jwt.sign(key.privateKey);
}

function instance(t: TestContext, jwt: NonNullable<NonNullable<TillwatchOptions['management']>['jwt']>): { tw: Tillwatch; sink: LogSink } {
  const sink = logSink();
  const tw = createTillwatch({
    service: { name: 'test' },
    log: { destination: sink },
    metrics: { token: TOKEN, runtime: false },
    management: { jwt },
    lifecycle: { handleSignals: false, handleCrashes: false, exit: false },
  });
  t.after(() => tw.close());
  tw.markStarted();
  return { tw, sink };
}

async function sample(base: string, series: string, auth: string): Promise<number> {
  const body = await (await fetch(`${base}/metrics`, { headers: { authorization: auth } })).text();
  const line = body.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? Number.NaN : Number(line.slice(series.length + 1));
}

type Adapter = 'node-http' | 'fastify' | 'express';

/** Serves through an adapter; Fastify and Express also get an application recorder, whose 401 hook must stay silent. */
async function serve(t: TestContext, tw: Tillwatch, adapter: Adapter): Promise<string> {
  const security = createSecurityEvents(tw);
  if (adapter === 'node-http') {
    return listen(t, http.createServer(tillwatchNodeHttp(tw, (_req, res) => void res.end('app'))));
  }
  if (adapter === 'fastify') {
    const app = Fastify();
    await app.register(tillwatchFastify, { tw, security });
    app.get('/', async () => 'app');
    await app.listen({ port: 0, host: '127.0.0.1' });
    t.after(() => app.close());
    return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  }
  const app = express();
  app.use(tillwatchExpress(tw, { security }));
  app.get('/', (_req, res) => void res.send('app'));
  return listen(t, http.createServer(app));
}

for (const adapter of ['node-http', 'fastify', 'express'] as const) {
  test(`${adapter}: /metrics and the health summary take a valid JWT or the token; each refusal is a reasoned, counted event`, async (t) => {
    const good = await keys('ES256', 'k1');
    const other = await keys('ES256', 'k1'); // same kid, another key: a forged signature
    const jwks = await jwksServer(t, [good.jwk]);
    const { tw, sink } = instance(t, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['ES256'], jwksUrl: jwks.url });
    const base = await serve(t, tw, adapter);

    const valid = await sign(good);
    for (const path of ['/metrics', '/health']) {
      const ok = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${valid}` } });
      assert.equal(ok.status, 200, `${path} with a valid JWT`);
      await ok.text();
    }
    assert.equal((await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).status, 200, 'the static token still works');
    assert.equal((await fetch(`${base}/health/live`)).status, 200, 'probes stay open');
    assert.equal((await fetch(`${base}/health/ready`)).status, 200, 'probes stay open');

    const refused: [string, Record<string, string>, string][] = [
      ['missing', {}, '/metrics'],
      ['malformed', { authorization: `Basic ${Buffer.from('prom:secret').toString('base64')}` }, '/metrics'],
      ['malformed', { authorization: 'Bearer not.a-jwt.at-all' }, '/health'],
      ['expired', { authorization: `Bearer ${await sign(good, { exp: Math.floor(Date.now() / 1000) - 3600 })}` }, '/metrics'],
      ['bad_signature', { authorization: `Bearer ${await sign(other)}` }, '/metrics'],
      ['wrong_issuer', { authorization: `Bearer ${await sign(good, { iss: 'https://evil.example.test/' })}` }, '/metrics'],
      ['wrong_audience', { authorization: `Bearer ${await sign(good, { aud: 'another-service' })}` }, '/health'],
      ['invalid', { authorization: 'Bearer wrong-static-token-0123456789' }, '/metrics'],
    ];
    const before = await sample(base, 'security_events_total{type="management_auth_failure",severity="high"}', `Bearer ${TOKEN}`);
    const expiredBefore = await sample(base, 'auth_failures_total{reason="expired_token"}', `Bearer ${TOKEN}`);
    for (const [reason, headers, path] of refused) {
      const res = await fetch(`${base}${path}`, { headers });
      assert.equal(res.status, 401, `${reason} on ${path}`);
      assert.equal(res.headers.get('www-authenticate'), 'Bearer');
      assert.equal(await res.text(), 'Unauthorized\n', 'no details');
    }
    const events = sink.lines.filter((l) => l.security_event === 'management_auth_failure');
    assert.deepEqual(events.map((l) => l.reason), refused.map(([reason]) => reason));
    assert.deepEqual(events.map((l) => l.path), refused.map(([, , path]) => path));
    assert.deepEqual(sink.lines.filter((l) => l.security_event !== undefined && l.security_event !== 'management_auth_failure'), [], 'one event per refusal, none from the adapters');
    for (const e of events) {
      assert.equal(e.severity, 'high');
      assert.match(String(e.source), /^[0-9a-f]{16,}$/, 'the client address is pseudonymised');
    }
    const after = await sample(base, 'security_events_total{type="management_auth_failure",severity="high"}', `Bearer ${TOKEN}`);
    assert.equal(after - before, refused.length);
    assert.equal(await sample(base, 'auth_failures_total{reason="expired_token"}', `Bearer ${TOKEN}`) - expiredBefore, 1);
    const text = sink.text();
    for (const [, headers] of refused) {
      const token = headers.authorization?.split(' ')[1];
      if (token !== undefined) assert.ok(!text.includes(token), 'no token in any log line');
    }
    assert.ok(!text.includes(valid) && !text.includes(TOKEN));
    assert.equal(jwks.fetches(), 1, 'the JWKS is fetched once and cached');
  });
}

test('a static public key (EdDSA) instead of a JWKS; the application recorder takes over the events', async (t) => {
  const key = await keys('EdDSA', 'ed');
  const spki = await exportSPKI(key.publicKey);
  const { tw, sink } = instance(t, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['EdDSA'], publicKey: spki });
  const base = await serve(t, tw, 'node-http');
  const security = createSecurityEvents(tw, { sourceAddress: 'truncate' });
  assert.equal((await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${await sign(key)}` } })).status, 200);
  const res = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${await sign(key, { alg: 'EdDSA', aud: 'x' })}` } });
  assert.equal(res.status, 401);
  await res.text();
  const [event] = sink.lines.filter((l) => l.security_event === 'management_auth_failure');
  assert.equal(event?.reason, 'wrong_audience');
  assert.equal(event?.source, '127.0.0.0', 'written through the application recorder (truncated addresses)');
  security.loginFailed({ username: 'ana', reason: 'invalid_credentials', source: '198.51.100.7' });
  const body = await (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
  // The application's recorder and tillwatch's count into the same series.
  assert.match(body, /^security_events_total\{type="management_auth_failure",severity="high"\} 1$/m);
  assert.match(body, /^security_events_total\{type="failed_login",severity="low"\} 1$/m);
});

test('the console or an application admin endpoint uses the same guard', async (t) => {
  const key = await keys('RS256', 'rsa');
  const jwks = await jwksServer(t, [key.jwk]);
  const { tw, sink } = instance(t, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['RS256'], jwksUrl: jwks.url });
  const guard = tw.managementAuth;
  assert.ok(guard?.jwt);
  const base = await listen(t, http.createServer(tillwatchNodeHttp(tw, async (req, res) => {
    if (!(await guard.guard(req, res))) return;
    res.end('admin');
  })));
  assert.equal(await (await fetch(`${base}/admin/jobs`, { headers: { authorization: `Bearer ${await sign(key)}` } })).text(), 'admin');
  assert.equal((await fetch(`${base}/admin/jobs`)).status, 401);
  assert.deepEqual(sink.lines.filter((l) => l.security_event === 'management_auth_failure').map((l) => [l.reason, l.path]), [['missing', '/admin/jobs']]);
});

test('an unreachable JWKS refuses (key_unavailable), never lets a request through', async (t) => {
  const key = await keys('ES256', 'k');
  const down = http.createServer();
  const gone = await listen(t, down);
  down.close();
  const { tw, sink } = instance(t, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['ES256'], jwksUrl: `${gone}/jwks.json` });
  const base = await serve(t, tw, 'node-http');
  const res = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${await sign(key)}` } });
  assert.equal(res.status, 401);
  await res.text();
  assert.equal(sink.lines.find((l) => l.security_event === 'management_auth_failure')?.reason, 'key_unavailable');
});

test('an invalid JWT configuration stops start-up naming the option, the expectation and the value', () => {
  const cases: [Record<string, unknown>, string, RegExp][] = [
    [{ issuer: ISSUER, jwksUrl: 'https://idp.example.test/jwks' }, 'management.jwt.audience', /audience/],
    [{ audience: AUDIENCE, jwksUrl: 'https://idp.example.test/jwks' }, 'management.jwt.issuer', /issuer/],
    [{ issuer: ISSUER, audience: AUDIENCE }, 'management.jwt.jwksUrl', /exactly one/],
    [{ issuer: ISSUER, audience: AUDIENCE, jwksUrl: 'http://idp.example.test/jwks' }, 'management.jwt.jwksUrl', /https/],
    [{ issuer: ISSUER, audience: AUDIENCE, jwksUrl: 'https://idp.example.test/jwks', algorithms: ['HS256'] }, 'management.jwt.algorithms', /RS256/],
    [{ issuer: ISSUER, audience: AUDIENCE, jwksUrl: 'https://idp.example.test/jwks', algorithms: ['none'] }, 'management.jwt.algorithms', /RS256/],
    [{ issuer: ISSUER, audience: AUDIENCE, publicKey: '-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----' }, 'management.jwt.publicKey', /PEM/],
  ];
  for (const [jwt, option, expected] of cases) {
    assert.throws(
      () => createTillwatch({ log: { level: 'silent' }, management: { jwt }, lifecycle: { handleSignals: false, handleCrashes: false, exit: false } }),
      (e: unknown) => isTillwatchConfigError(e) && e.issues.some((i) => i.option === option && expected.test(i.expected) && i.got.length > 0),
      `${JSON.stringify(jwt)} names ${option}`,
    );
  }
});

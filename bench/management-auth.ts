/**
 * What authenticating /metrics costs (packages/tillwatch/src/metrics/management-auth.ts), in one run, interleaved:
 *
 * 1. **one decision**: `check(authorization)` for the static token (the bare baseline: the pre-existing path), a
 *    valid JWT per algorithm (ES256 and RS256 through a local JWKS served on port 0, EdDSA with a static key), a JWT
 *    with a bad signature, and a missing header; median of `rounds` batches of `n` calls, in microseconds per call
 *    and as a ratio to the static token;
 * 2. **one scrape**: GET /metrics over HTTP on 127.0.0.1 with no authentication, the static token and an ES256 JWT,
 *    the default registry (runtime metrics off), median of `scrapes` x `rounds` sequential requests, as a ratio to no authentication.
 *
 *   node -C tillwatch-source bench/management-auth.ts [n=2000] [scrapes=300] [rounds=5]
 */
import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { createManagementAuth, type ManagementAuth, type ManagementJwtOptions } from '../packages/tillwatch/src/metrics/management-auth.ts';
import { createTillwatch } from '../packages/tillwatch/src/tillwatch.ts';

const n = Number(process.argv[2] ?? 2000);
const scrapes = Number(process.argv[3] ?? 300);
const rounds = Number(process.argv[4] ?? 5);
const TOKEN = 'scrape-token-0123456789abcdef';
const ISS = 'https://auth.example.test/';
const AUD = 'bench';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function signed(alg: string, kid: string): Promise<{ token: string; publicKey: CryptoKey; forged: string }> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const other = await generateKeyPair(alg, { extractable: true });
  const sign = (k: CryptoKey) => new SignJWT({}).setProtectedHeader({ alg, kid }).setIssuer(ISS).setAudience(AUD).setIssuedAt().setExpirationTime('1h').sign(k);
  return { token: await sign(privateKey), publicKey, forged: await sign(other.privateKey) };
}

const es = await signed('ES256', 'es');
const rs = await signed('RS256', 'rs');
const ed = await signed('EdDSA', 'ed');
const jwks = http.createServer((_req, res) => {
  void Promise.all([exportJWK(es.publicKey), exportJWK(rs.publicKey)]).then(([a, b]) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [{ ...a, kid: 'es', alg: 'ES256' }, { ...b, kid: 'rs', alg: 'RS256' }] }));
  });
});
jwks.listen(0, '127.0.0.1');
await once(jwks, 'listening');
const jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`;
const remote = { issuer: ISS, audience: AUD, algorithms: ['ES256', 'RS256'], jwksUrl } satisfies ManagementJwtOptions;
const withJwks = createManagementAuth({ token: TOKEN, jwt: remote }) as ManagementAuth;
const withKey = createManagementAuth({ token: TOKEN, jwt: { issuer: ISS, audience: AUD, algorithms: ['EdDSA'], publicKey: await exportSPKI(ed.publicKey) } }) as ManagementAuth;

const cases: [string, ManagementAuth, string | undefined][] = [
  ['static token (baseline)', withJwks, `Bearer ${TOKEN}`],
  ['JWT ES256 (JWKS)', withJwks, `Bearer ${es.token}`],
  ['JWT RS256 (JWKS)', withJwks, `Bearer ${rs.token}`],
  ['JWT EdDSA (static key)', withKey, `Bearer ${ed.token}`],
  ['JWT ES256, bad signature (refused)', withJwks, `Bearer ${es.forged}`],
  ['missing header (refused)', withJwks, undefined],
];
for (const [name, auth, header] of cases) {
  const expectOk = !name.includes('refused');
  if (((await auth.check(header)) === undefined) !== expectOk) throw new Error(`${name}: unexpected decision`);
}

const perCall = new Map<string, number[]>();
for (let r = 0; r < rounds; r++) {
  for (const [name, auth, header] of cases) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await auth.check(header);
    (perCall.get(name) ?? perCall.set(name, []).get(name)!).push(((performance.now() - t0) * 1000) / n);
  }
}

// End to end: the same tillwatch instance behind three handlers would share one auth; three instances instead.
const instances = {
  none: createTillwatch({ log: { level: 'silent' }, metrics: { runtime: false }, lifecycle: { handleSignals: false, handleCrashes: false, exit: false } }),
  token: createTillwatch({ log: { level: 'silent' }, metrics: { runtime: false, token: TOKEN }, lifecycle: { handleSignals: false, handleCrashes: false, exit: false } }),
  jwt: createTillwatch({ log: { level: 'silent' }, metrics: { runtime: false }, management: { jwt: remote }, lifecycle: { handleSignals: false, handleCrashes: false, exit: false } }),
};
const servers: Record<string, { url: string; header: Record<string, string>; server: http.Server }> = {};
for (const [name, tw] of Object.entries(instances)) {
  const server = http.createServer((req, res) => void tw.handleManagement(req, res));
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const header: Record<string, string> = name === 'token' ? { authorization: `Bearer ${TOKEN}` } : name === 'jwt' ? { authorization: `Bearer ${es.token}` } : {};
  servers[name] = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`, header, server };
}
const scrape = new Map<string, number[]>();
for (let r = 0; r < rounds; r++) {
  for (const [name, s] of Object.entries(servers)) {
    const t0 = performance.now();
    for (let i = 0; i < scrapes; i++) {
      const res = await fetch(s.url, { headers: s.header });
      if (res.status !== 200) throw new Error(`${name}: ${res.status}`);
      await res.arrayBuffer();
    }
    (scrape.get(name) ?? scrape.set(name, []).get(name)!).push(((performance.now() - t0) * 1000) / scrapes);
  }
}

const base = median(perCall.get('static token (baseline)')!);
console.log(`one decision (median of ${rounds} x ${n} calls):`);
for (const [name] of cases) {
  const us = median(perCall.get(name)!);
  console.log(`  ${name.padEnd(38)} ${us.toFixed(2).padStart(9)} us  ${(us / base).toFixed(1).padStart(7)}x`);
}
const none = median(scrape.get('none')!);
console.log(`one /metrics scrape over HTTP (median of ${rounds} x ${scrapes}):`);
for (const name of Object.keys(servers)) {
  const us = median(scrape.get(name)!);
  console.log(`  ${name.padEnd(38)} ${us.toFixed(0).padStart(9)} us  ${(us / none).toFixed(2).padStart(7)}x`);
}
for (const s of Object.values(servers)) s.server.close();
for (const tw of Object.values(instances)) await tw.close();
jwks.close();

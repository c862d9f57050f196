/**
 * Starts the real store for end-to-end tests: real HTTP on port 0, the real simulated payment
 * provider, tillwatch logging into an in-memory sink, and one of the storage backends:
 *
 * | backend           | database                               | cache  |
 * | ----------------- | -------------------------------------- | ------ |
 * | `pglite`          | PGlite in memory                       | memory |
 * | `postgres`        | a fresh database on 127.0.0.1:5432     | memory |
 * | `postgres+redis`  | a fresh database on 127.0.0.1:5432     | Redis on 127.0.0.1:6379, one key prefix per run |
 *
 * `STORE_TEST_BACKENDS=pglite,postgres` narrows the list. Postgres and Redis go through `requireReal`:
 * missing locally skips with the reason, missing in CI fails.
 */
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import pg from 'pg';
import { Redis } from 'ioredis';
import { createTillwatch } from 'tillwatch';
import { logSink, type LogSink } from 'tillwatch/testing';
import { POSTGRES_URL, REDIS_URL, requireReal, tcpReachable } from '../../../../packages/tillwatch/test/helpers/real-parts.ts';
import { loadConfig } from '../../src/config.ts';
import { startPaymentProvider, type PaymentProviderSim } from '../../src/sim/payment-provider.ts';
import { startStore, type RunningStore, type StartStoreOptions } from '../../src/store.ts';
import { DEMO_USERS } from '../../src/auth/demo-users.ts';

export type Backend = 'pglite' | 'postgres' | 'postgres+redis';
export const ALL_BACKENDS: readonly Backend[] = ['pglite', 'postgres', 'postgres+redis'];

/** The backends this run covers (STORE_TEST_BACKENDS, default all). */
export function backends(): Backend[] {
  const raw = process.env.STORE_TEST_BACKENDS?.trim();
  if (!raw) return [...ALL_BACKENDS];
  return raw.split(',').map((s) => s.trim()).filter((s): s is Backend => (ALL_BACKENDS as readonly string[]).includes(s));
}

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
  correlationId: string;
}

export interface Harness {
  readonly backend: Backend;
  readonly store: RunningStore;
  readonly url: string;
  readonly sink: LogSink;
  readonly payment: PaymentProviderSim;
  /** Everything written to this process's stdout and stderr since the harness started. */
  readonly output: () => string;
  token(role: 'cashier' | 'manager' | 'admin'): Promise<string>;
  api<T = any>(method: string, path: string, opts?: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> }): Promise<ApiResponse<T>>;
  /** The store's /metrics, parsed: `name{labels}` (labels sorted) -> value. */
  metrics(): Promise<Map<string, number>>;
  /** Every row of every table, as JSON text. */
  dbText(): Promise<string>;
  /** Access-log lines ("request completed") carrying this correlation id. */
  accessLines(correlationId: string): Record<string, unknown>[];
  close(): Promise<void>;
}

let counter = 0;

/** Parses Prometheus text into a map; label sets are normalised (sorted keys). */
export function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels = m[3] ? [...m[3].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((x) => `${x[1]}="${x[2]}"`).sort() : [];
    out.set(`${m[1]}{${labels.join(',')}}`, Number(m[4]));
  }
  return out;
}

/** The key of a series in a parsed map. */
export function series(name: string, labels: Record<string, string> = {}): string {
  return `${name}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).sort().join(',')}}`;
}

/** after - before for one series (absent counts as 0). */
export function delta(before: Map<string, number>, after: Map<string, number>, name: string, labels: Record<string, string> = {}): number {
  const k = series(name, labels);
  return (after.get(k) ?? 0) - (before.get(k) ?? 0);
}

/** Sum over every series of `name` whose labels include `labels`, after minus before. */
export function deltaSum(before: Map<string, number>, after: Map<string, number>, name: string, labels: Record<string, string> = {}): number {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const sum = (m: Map<string, number>) => {
    let s = 0;
    for (const [key, v] of m) {
      if (!key.startsWith(`${name}{`)) continue;
      const inner = key.slice(name.length + 1, -1);
      const parts = inner === '' ? [] : inner.split(/,(?=[a-zA-Z_][a-zA-Z0-9_]*=")/);
      if (want.every((w) => parts.includes(w))) s += v;
    }
    return s;
  };
  return sum(after) - sum(before);
}

/** Captures process stdout/stderr (still forwarding them) until the returned stop function is called. */
function captureOutput(): { text: () => string; stop: () => void } {
  const chunks: string[] = [];
  const outWrite = process.stdout.write.bind(process.stdout);
  const errWrite = process.stderr.write.bind(process.stderr);
  const wrap = (orig: typeof process.stdout.write) =>
    function write(this: unknown, chunk: unknown, ...rest: unknown[]): boolean {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      return (orig as (...a: unknown[]) => boolean)(chunk, ...rest);
    } as typeof process.stdout.write;
  process.stdout.write = wrap(outWrite);
  process.stderr.write = wrap(errWrite);
  return {
    text: () => chunks.join(''),
    stop: () => {
      process.stdout.write = outWrite;
      process.stderr.write = errWrite;
    },
  };
}

/** Polls `fn` until it returns a value other than undefined; fails after `ms` naming `what`. */
export async function eventually<T>(what: string, fn: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface HarnessOptions {
  readonly features?: StartStoreOptions['features'];
  readonly env?: Record<string, string>;
  /** Runs once the database exists and before the store starts, with the store's environment. */
  readonly prepare?: (env: Readonly<Record<string, string>>) => Promise<void>;
}

/**
 * Starts a store on `backend`. Returns undefined when the test was skipped (a real part is missing
 * locally); in CI a missing part fails the test.
 */
export async function startHarness(t: TestContext, backend: Backend, opts: HarnessOptions = {}): Promise<Harness | undefined> {
  const needsPg = backend !== 'pglite';
  const needsRedis = backend === 'postgres+redis';
  if (needsPg && !requireReal(t, 'PostgreSQL on 127.0.0.1:5432', await tcpReachable(5432), 'start PostgreSQL or run bash .ci/run')) return undefined;
  if (needsRedis && !requireReal(t, 'Redis on 127.0.0.1:6379', await tcpReachable(6379), 'start redis-server or run bash .ci/run')) return undefined;

  const run = `${process.pid}_${++counter}`;
  const cleanups: (() => Promise<void>)[] = [];
  const output = captureOutput();
  cleanups.push(async () => output.stop());

  const env: Record<string, string> = {
    PORT: '0',
    HOST: '127.0.0.1',
    TILLWATCH_DATA_DIR: 'memory://',
    JWT_SECRET: randomBytes(32).toString('hex'),
    LOCATIONS: 'store-001,store-002',
    ...opts.env,
  };
  if (needsPg) {
    const dbName = `store_test_${run}`;
    const admin = new pg.Client({ connectionString: POSTGRES_URL.replace(/\/[^/]*$/, '/postgres') });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName}`);
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    env.DATABASE_URL = POSTGRES_URL.replace(/\/[^/]*$/, `/${dbName}`);
    cleanups.push(async () => {
      const a = new pg.Client({ connectionString: POSTGRES_URL.replace(/\/[^/]*$/, '/postgres') });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await a.end();
    });
  }
  if (needsRedis) {
    const prefix = `store-test:${run}:`;
    env.REDIS_URL = REDIS_URL;
    env.REDIS_KEY_PREFIX = prefix;
    cleanups.push(async () => {
      const r = new Redis(REDIS_URL);
      const keys = await r.keys(`${prefix}*`);
      if (keys.length > 0) await r.del(...keys);
      await r.quit();
    });
  }

  const payment = await startPaymentProvider();
  cleanups.push(() => payment.close());
  env.PAYMENT_PROVIDER_URL = payment.url;

  const sink = logSink();
  const tw = createTillwatch({
    service: { name: 'store-test', version: 'test' },
    log: { destination: sink, level: 'debug' },
    lifecycle: { handleSignals: false, handleCrashes: false, exit: false },
    metrics: { runtime: false },
  });
  cleanups.push(() => tw.close());
  let store: RunningStore;
  try {
    if (opts.prepare) await opts.prepare(env);
    store = await startStore({ config: loadConfig(env), tw, features: opts.features ?? 'none' });
  } catch (err) {
    for (const c of cleanups.reverse()) await c().catch(() => {});
    throw err;
  }
  cleanups.push(() => store.close());

  const tokens = new Map<string, string>();
  const api = async <T>(method: string, path: string, o: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {}): Promise<ApiResponse<T>> => {
    const headers: Record<string, string> = { ...o.headers };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    let body: string | undefined;
    if (o.rawBody !== undefined) body = o.rawBody;
    else if (o.body !== undefined) body = JSON.stringify(o.body);
    if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
    const res = await fetch(store.url + path, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    const correlationId = res.headers.get('x-correlation-id') ?? '';
    // The access-log line is written when the server side of the response closes, which can come a
    // moment after this in-process client has read the body: wait for it (bounded) so assertions on
    // it do not race. Requests whose line is legitimately not written just wait out the bound.
    const until = Date.now() + 2000;
    while (correlationId !== '' && Date.now() < until && !sink.lines.some((l) => l.msg === 'request completed' && l.correlation_id === correlationId)) {
      await new Promise((r) => setTimeout(r, 2));
    }
    return { status: res.status, body: parsed as T, headers: res.headers, correlationId };
  };

  let closed = false;
  const h: Harness = {
    backend,
    store,
    url: store.url,
    sink,
    payment,
    output: output.text,
    async token(role) {
      const cached = tokens.get(role);
      if (cached) return cached;
      const u = DEMO_USERS.find((x) => x.role === role)!;
      const r = await api<{ token: string }>('POST', '/auth/login', { body: { username: u.username, password: u.password } });
      if (r.status !== 200) throw new Error(`login as ${role} failed: ${r.status} ${JSON.stringify(r.body)}`);
      tokens.set(role, r.body.token);
      return r.body.token;
    },
    api,
    async metrics() {
      const res = await fetch(`${store.url}/metrics`);
      return parseMetrics(await res.text());
    },
    async dbText() {
      const db = store.deps.db;
      const tables = await db.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
      );
      const parts: string[] = [];
      for (const { table_name } of tables) {
        const rows = await db.query<{ j: string }>(`SELECT row_to_json(t)::text AS j FROM "${table_name}" t`);
        parts.push(`-- ${table_name}`, ...rows.map((r) => r.j));
      }
      return parts.join('\n');
    },
    accessLines(correlationId) {
      return sink.lines.filter((l) => l.msg === 'request completed' && l.correlation_id === correlationId);
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const c of cleanups.reverse()) {
        try {
          await c();
        } catch (err) {
          process.stderr.write(`harness cleanup failed: ${(err as Error).message}\n`);
        }
      }
    },
  };
  t.after(() => h.close());
  return h;
}

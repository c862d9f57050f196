/**
 * The store as `npm start` runs it (`node apps/store/src/main.ts`: default tillwatch instance, runtime
 * metrics included, every feature present), as a child process on 127.0.0.1 and a free port, with an in-memory
 * database unless `env` says otherwise. The simulated providers are the caller's (their URLs in `env`), so
 * nothing binds a fixed port. {@link startStoreProcess} stops it by PID in `t.after` (SIGTERM: the store's own
 * graceful shutdown; SIGKILL after 15 s); {@link spawnStoreProcess} leaves stopping (or killing) to the caller.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { waitFor } from './processes.ts';

const MAIN = fileURLToPath(new URL('../../../src/main.ts', import.meta.url));

export interface StoreProcess {
  readonly pid: number;
  readonly url: string;
  /** The tail of its stderr (the start banner, crash output). */
  stderr(): string;
  /** The tail of its stdout (the JSON log lines). */
  stdout(): string;
}

export interface SpawnedStore extends StoreProcess {
  /** Sends `signal` (SIGKILL: no shutdown hook runs) and resolves once the process is gone. */
  kill(signal: NodeJS.Signals): Promise<void>;
  /** Resolves when the process has exited. */
  readonly exited: Promise<void>;
  /** The exit code once exited (null while running, or when a signal ended it). */
  exitCode(): number | null;
}

/**
 * Starts the store and waits (bounded) until /health/ready answers 200; the caller stops it.
 * `startTimeoutMs` bounds the wait for its URL, and for readiness after it (default 90 s for the URL, 60 s for
 * readiness; reopening a PGlite data directory on a loaded machine can take longer).
 */
export async function spawnStoreProcess(env: Record<string, string>, { startTimeoutMs = 90_000 }: { startTimeoutMs?: number } = {}): Promise<SpawnedStore> {
  const child = spawn(process.execPath, [MAIN], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      TILLWATCH_DATA_DIR: 'memory://',
      JWT_SECRET: randomBytes(32).toString('hex'),
      LOCATIONS: 'store-001,store-002',
      PRINTER_SIM_AGENTS: '0',
      // A simulator the caller does not provide (no *_URL) listens on a free port, never the fixed default, so
      // two stores started side by side do not collide.
      PAYMENT_SIM_PORT: '0',
      SMS_SIM_PORT: '0',
      WAREHOUSE_SIM_PORT: '0',
      ...env,
    },
  });
  let stderr = '';
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout = (stdout + d.toString()).slice(-256_000))); // the JSON logs' tail
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-32_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(child.pid, signal);
    await exited;
  };
  try {
    const url = await waitFor('the store to start and print its URL', startTimeoutMs, () => {
      if (child.exitCode !== null) throw new Error(`the store exited with ${child.exitCode}: ${stderr.slice(-4000)}`);
      return /^\s*store\s+(http:\/\/127\.0\.0\.1:\d+)\s*$/m.exec(stderr)?.[1];
    }, 200).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}\n--- store stderr ---\n${stderr.slice(-4000)}`);
    });
    await waitFor(`the store to be ready at ${url}/health/ready`, Math.max(60_000, startTimeoutMs), async () => {
      const res = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      return res.status === 200 ? true : undefined;
    });
    return { pid: child.pid ?? -1, url, stderr: () => stderr, stdout: () => stdout, kill, exited, exitCode: () => child.exitCode };
  } catch (err) {
    await kill('SIGKILL');
    throw err;
  }
}

/** Starts the store (as {@link spawnStoreProcess}) and stops it in `t.after`. */
export async function startStoreProcess(t: TestContext, env: Record<string, string>): Promise<StoreProcess> {
  const store = await spawnStoreProcess(env);
  t.after(async () => {
    const stop = store.kill('SIGTERM');
    if ((await Promise.race([stop.then(() => 'exited'), sleep(15_000, undefined, { ref: false }).then(() => 'timeout')])) === 'timeout') await store.kill('SIGKILL');
  });
  return store;
}

/** One JSON call to the store (bounded at 15 s); the body parsed, undefined when empty. Rejects when the store is gone. */
export async function callStore(url: string, method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
}

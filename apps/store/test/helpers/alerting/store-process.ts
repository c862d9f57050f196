/**
 * The store as `npm start` runs it (`node apps/store/src/main.ts`: default tillwatch instance, runtime
 * metrics included, every feature present), as a child process on 127.0.0.1 and a free port, with an in-memory
 * database. The simulated providers are the caller's (their URLs in `env`), so nothing binds a fixed port.
 * Stopped by PID in `t.after` (SIGTERM: the store's own graceful shutdown; SIGKILL after 15 s).
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
}

/** Starts the store and waits (bounded) until /health/ready answers 200. */
export async function startStoreProcess(t: TestContext, env: Record<string, string>): Promise<StoreProcess> {
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
      ...env,
    },
  });
  let stderr = '';
  child.stdout.resume(); // JSON logs: not needed, but must not block the pipe
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-32_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  t.after(async () => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    process.kill(child.pid, 'SIGTERM');
    if ((await Promise.race([exited.then(() => 'exited'), sleep(15_000, undefined, { ref: false }).then(() => 'timeout')])) === 'timeout') {
      process.kill(child.pid, 'SIGKILL');
      await exited;
    }
  });
  const url = await waitFor('the store to start and print its URL', 90_000, () => {
    if (child.exitCode !== null) throw new Error(`the store exited with ${child.exitCode}: ${stderr.slice(-4000)}`);
    return /^\s*store\s+(http:\/\/127\.0\.0\.1:\d+)\s*$/m.exec(stderr)?.[1];
  }, 200).catch((err: unknown) => {
    throw new Error(`${(err as Error).message}\n--- store stderr ---\n${stderr.slice(-4000)}`);
  });
  await waitFor(`the store to be ready at ${url}/health/ready`, 60_000, async () => {
    const res = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2_000) });
    await res.arrayBuffer();
    return res.status === 200 ? true : undefined;
  });
  return { pid: child.pid ?? -1, url, stderr: () => stderr };
}

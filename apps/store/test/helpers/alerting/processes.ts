/**
 * Real Prometheus and Alertmanager as child processes on free loopback ports, each with a temporary data
 * directory. They are stopped by PID (SIGTERM, then SIGKILL after 10 s) and their directories removed in
 * `t.after`, even when the test fails. Their output is kept (the last 64 KiB) for failure diagnostics.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ChildService {
  readonly name: string;
  readonly pid: number;
  /** http://127.0.0.1:<port> */
  readonly url: string;
  /** The tail of its stdout and stderr. */
  output(): string;
  /** True once it has exited. */
  exited(): boolean;
}

const OUTPUT_TAIL_BYTES = 64 * 1024;

/** A temporary directory removed in `t.after`. */
export function tempDir(t: TestContext, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A loopback port that was free a moment ago (the kernel picks it; the child binds it right after). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Polls `check` every `intervalMs` until it returns a value other than undefined; throws `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined> | T | undefined, intervalMs = 500): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`);
    await sleep(intervalMs);
  }
}

/** Stops a child by PID: SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(child.pid, 'SIGTERM');
  const t = sleep(graceMs, undefined, { ref: false }).then(() => 'timeout' as const);
  if ((await Promise.race([exited.then(() => 'exited' as const), t])) === 'timeout') {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    await exited;
  }
}

/**
 * Spawns `command args` (in `cwd` when given), registers its stop in `t.after`, and waits (up to `readyTimeoutMs`) until
 * `GET <url>/-/ready` answers 200. @throws with its output when it exits or does not get ready.
 */
export async function startChildService(t: TestContext, name: string, command: string, args: readonly string[], port: number, readyTimeoutMs = 60_000, cwd?: string): Promise<ChildService> {
  const child = spawn(command, [...args], { stdio: ['ignore', 'pipe', 'pipe'], ...(cwd !== undefined ? { cwd } : {}) });
  let tail = '';
  const keep = (d: Buffer) => {
    tail = (tail + d.toString('utf8')).slice(-OUTPUT_TAIL_BYTES);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let spawnError: Error | undefined;
  child.once('error', (err) => (spawnError = err));
  t.after(() => stopChild(child));
  const url = `http://127.0.0.1:${port}`;
  const service: ChildService = {
    name,
    pid: child.pid ?? -1,
    url,
    output: () => tail,
    exited: () => child.exitCode !== null || child.signalCode !== null,
  };
  try {
    await waitFor(`${name} to be ready at ${url}/-/ready`, readyTimeoutMs, async () => {
      if (spawnError) throw spawnError;
      if (service.exited()) throw new Error(`${name} exited with ${child.exitCode ?? child.signalCode}`);
      const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      return res.status === 200 ? true : undefined;
    });
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- ${name} output ---\n${tail.slice(-8000)}`);
  }
  return service;
}

/** `prometheus` with the bundle's prometheus.yml (rule files are resolved next to it). */
export async function startPrometheus(t: TestContext, configFile: string, port: number): Promise<ChildService> {
  const data = tempDir(t, 'tillwatch-e2e-prometheus-');
  return startChildService(t, 'prometheus', 'prometheus', [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${data}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
  ], port);
}

/** `prometheus-alertmanager` as a single instance: `--cluster.listen-address=` (empty) turns clustering off. */
export async function startAlertmanager(t: TestContext, configFile: string, port: number): Promise<ChildService> {
  const data = tempDir(t, 'tillwatch-e2e-alertmanager-');
  return startChildService(t, 'alertmanager', 'prometheus-alertmanager', [
    `--config.file=${configFile}`,
    `--storage.path=${data}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--cluster.listen-address=',
    '--log.level=warn',
  ], port);
}

/** GET a JSON document (Prometheus' and Alertmanager's APIs). */
export async function getJson<T = unknown>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status} ${text.slice(0, 500)}`);
  return JSON.parse(text) as T;
}

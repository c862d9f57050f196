/** The traffic simulator (`npm run simulate`) as a child process, as an operator runs it. */
import { spawn } from 'node:child_process';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Summary } from '../../../scripts/simulate.ts';

const SCRIPT = fileURLToPath(new URL('../../../scripts/simulate.ts', import.meta.url));

export interface SimulatorRun {
  readonly pid: number;
  /** Resolves when it exits: the exit code, the --json summary (if it printed one) and its stderr. */
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null; summary: Summary | undefined; stderr: string }>;
  stderr(): string;
  /** False once it has exited. */
  running(): boolean;
  /** Stops it by PID (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
}

/** Starts `simulate.ts <args> --json`; it is stopped in `t.after` if it is still running. */
export function startSimulator(t: TestContext, args: readonly string[]): SimulatorRun {
  const child = spawn(process.execPath, [SCRIPT, ...args, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-32_000)));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; summary: Summary | undefined; stderr: string }>((resolve) => {
    child.on('close', (code, signal) => {
      let summary: Summary | undefined;
      try {
        summary = JSON.parse(stdout.trim().split('\n').pop() ?? '') as Summary;
      } catch {
        summary = undefined;
      }
      resolve({ code, signal, summary, stderr });
    });
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
    await done;
  };
  t.after(stop);
  return { pid: child.pid ?? -1, done, stderr: () => stderr, running: () => child.exitCode === null && child.signalCode === null, stop };
}

/**
 * Starts a service as a child process, as a user would, and waits (bounded) for the line it prints when it
 * listens: `... listening on http://host:port ...`. Every example and scratch service prints one, so the
 * tests need no fixed port. The child is stopped with SIGTERM (then SIGKILL) by `stop()`.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { once } from 'node:events';

export interface ListeningChild {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything the child wrote so far, for failure messages. */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code (null when killed). */
  stop(graceMs?: number): Promise<number | null>;
}

const LISTENING = /listening on (https?:\/\/[^\s)]+)/;

/**
 * @param command and `args` as for `spawn`; `options.env` should set PORT=0.
 * @throws with the child's output when it exits or does not print its URL within `timeoutMs`.
 */
export async function startListening(command: string, args: readonly string[], options: SpawnOptions, timeoutMs = 60_000): Promise<ListeningChild> {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = once(child, 'exit');
  const stop = async (graceMs = 10_000): Promise<number | null> => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    const [code] = (await exited) as [number | null];
    clearTimeout(timer);
    return code;
  };
  const url = await new Promise<string>((resolve, reject) => {
    const fail = (why: string): void => {
      clearTimeout(timer);
      reject(new Error(`${command} ${args.join(' ')}: ${why}\n--- output ---\n${out}`));
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(`no "listening on" line within ${timeoutMs} ms`);
    }, timeoutMs);
    const check = (): void => {
      const m = LISTENING.exec(out);
      if (m === null) return;
      clearTimeout(timer);
      child.stdout?.off('data', check);
      resolve(m[1] as string);
    };
    child.stdout?.on('data', check);
    void exited.then(([code]) => fail(`exited with code ${String(code)} before listening`));
  });
  return { url, child, output: () => out, stop };
}

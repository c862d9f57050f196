/** Paths and runners shared by the CLI tests. Tests run the CLI as users do: `node src/main.ts ...`. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { hasCommand, requireReal } from '../../tillwatch/test/helpers/real-parts.ts';
import type { TestContext } from 'node:test';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
export const CLI = fileURLToPath(new URL('../src/main.ts', import.meta.url));
export const TESTDATA = fileURLToPath(new URL('../testdata/', import.meta.url));

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function runCli(args: readonly string[], cwd = REPO): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** promtool and amtool are real parts: skipped locally when missing, a failure in CI. */
export function requireTools(t: TestContext): boolean {
  return requireReal(t, 'promtool', hasCommand('promtool'), 'apt-get install prometheus') && requireReal(t, 'amtool', hasCommand('amtool'), 'apt-get install prometheus-alertmanager');
}

export function promtool(args: readonly string[], cwd = REPO): CliResult {
  const r = spawnSync('promtool', args, { cwd, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

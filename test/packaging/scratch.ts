/**
 * Scratch projects outside the workspace, as a user has them: the packed tarballs and public packages installed
 * with npm into a fresh directory under the OS temp dir, with one npm cache shared by every run. The children
 * never see the monorepo's `tillwatch-source` export condition, so they load what the tarballs ship.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** One npm cache for every scratch install, so a second install (the other Node version) is mostly offline. */
export const NPM_CACHE = join(tmpdir(), 'tillwatch-packaging-npm-cache');

/** The environment of every scratch child: this process's, minus the monorepo's source condition. */
export function scratchEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, npm_config_cache: NPM_CACHE, npm_config_update_notifier: 'false', ...extra };
  delete env.NODE_OPTIONS;
  for (const k of Object.keys(env)) if (k.startsWith('npm_config_') && k !== 'npm_config_cache' && k !== 'npm_config_update_notifier') delete env[k];
  return env;
}

/** Runs a command to completion, bounded; throws with its output when it fails. */
export function run(cmd: string, args: readonly string[], cwd: string, timeoutMs = 600_000, env = scratchEnv()): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) failed: status ${r.status}, signal ${r.signal}, ${r.error?.message ?? ''}\n${r.stdout}\n${r.stderr}`);
  }
  return r;
}

/** Writes files (path relative to `root` -> content), creating directories. */
export function writeFiles(root: string, files: Readonly<Record<string, string>>): void {
  for (const [rel, content] of Object.entries(files)) {
    const path = join(root, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
}

/** `npm install` into `dir`: tarballs and registry packages in one resolution, no audit, cache first. */
export function npmInstall(dir: string, specs: readonly string[]): void {
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...specs], dir);
}

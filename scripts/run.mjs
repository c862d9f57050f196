#!/usr/bin/env node
/**
 * `node scripts/run.mjs <command> [args...]`: what `npm start`, `npm test` and `npm run simulate` go
 * through, so that on a machine with only Node and npm they do their own set-up first:
 *
 * 1. Node: when the running Node does not satisfy `engines.node` of the root package.json (the
 *    sources are TypeScript run by Node's type stripping), a supported Node is taken from
 *    ~/.node24 (where .ci/run puts it), installed there from the npm registry first when missing
 *    (`npm install --prefix ~/.node24 node-<os>-<arch>@24`).
 * 2. Dependencies: when node_modules is missing or does not hold what package-lock.json lists,
 *    `npm ci`.
 * 3. The command, with that Node first on PATH; its exit code (or signal) becomes ours, and SIGINT,
 *    SIGTERM and SIGHUP are passed on to it.
 *
 * When a step cannot be done (no registry, no Node package for this platform, or
 * TILLWATCH_NO_SETUP=1 to forbid downloads and installs), it stops at once with one line that says
 * what to run. Progress notes go to stderr, one line per step taken; nothing is printed when all is
 * in place.
 *
 * Plain JavaScript using only node: built-ins, hand-written: it has to run on the old Node it
 * replaces and before any dependency is installed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const NODE_MAJOR_TO_FETCH = 24;

/** Ends the process with one line on stderr. */
function stop(line, code = 1) {
  process.stderr.write(`${line}\n`);
  process.exit(code);
}

function note(line) {
  process.stderr.write(`tillwatch: ${line}\n`);
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/** [major, minor, patch] of "v22.18.0" or "22.18". */
function parseVersion(v) {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(String(v).trim());
  return m ? [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)] : undefined;
}

function atLeast(have, want) {
  for (let i = 0; i < 3; i++) if (have[i] !== want[i]) return have[i] > want[i];
  return true;
}

/** The minimum Node version of `engines.node` (only the `>=X.Y.Z` form is used in this repo). */
function minimumNode() {
  const range = readJson(join(ROOT, 'package.json'))?.engines?.node;
  const m = typeof range === 'string' ? /^>=\s*(\d+(?:\.\d+){0,2})$/.exec(range.trim()) : null;
  if (!m) stop(`scripts/run.mjs: expected engines.node in package.json to read ">=X.Y.Z", got ${JSON.stringify(range)}`);
  return { text: range.trim(), version: parseVersion(m[1]) };
}

function nodeVersionOf(binary) {
  const r = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? parseVersion(r.stdout) : undefined;
}

/** How to run npm: the npm that started us (npm sets npm_execpath) under `node`, else `npm` on PATH. */
function npmCommand(node) {
  const cli = process.env.npm_execpath;
  if (cli && /\.[cm]?js$/.test(cli) && existsSync(cli)) return [node, [cli]];
  return [process.platform === 'win32' ? 'npm.cmd' : 'npm', []];
}

function run(command, args, env) {
  return spawnSync(command, args, { stdio: 'inherit', env, cwd: ROOT, shell: process.platform === 'win32' && command.endsWith('.cmd') });
}

/** A Node satisfying engines.node: this one, the one in ~/.node24, or one installed there now. */
function supportedNode(min) {
  const have = parseVersion(process.version);
  if (atLeast(have, min.version)) return process.execPath;

  const pkg = `node-${process.platform === 'win32' ? 'win' : process.platform}-${process.arch}`;
  const prefix = join(homedir(), `.node${NODE_MAJOR_TO_FETCH}`);
  const binDir = join(prefix, 'node_modules', pkg, 'bin');
  const binary = join(binDir, process.platform === 'win32' ? 'node.exe' : 'node');
  const fix =
    `tillwatch needs Node.js ${min.text} (this is ${process.version}). Run: ` +
    `npm install --prefix "${prefix}" ${pkg}@${NODE_MAJOR_TO_FETCH} && export PATH="${binDir}${delimiter}$PATH" ` +
    `(or install Node.js ${NODE_MAJOR_TO_FETCH} from https://nodejs.org/), then run this command again.`;

  const existing = existsSync(binary) ? nodeVersionOf(binary) : undefined;
  if (existing && atLeast(existing, min.version)) return binary;
  if (process.env.TILLWATCH_NO_SETUP === '1') stop(fix);

  note(`Node ${process.version} is older than ${min.text}: installing Node ${NODE_MAJOR_TO_FETCH} into ${prefix} from the npm registry (once)`);
  const [npm, npmArgs] = npmCommand(process.execPath);
  const r = run(npm, [...npmArgs, 'install', '--prefix', prefix, `${pkg}@${NODE_MAJOR_TO_FETCH}`, '--no-audit', '--no-fund', '--loglevel=error'], process.env);
  const installed = r.status === 0 && existsSync(binary) ? nodeVersionOf(binary) : undefined;
  if (!installed || !atLeast(installed, min.version)) stop(fix);
  return binary;
}

/**
 * Why node_modules does not match package-lock.json (undefined when it does): every package the lock
 * installs on every platform must be present, at the version npm's own record of the tree
 * (node_modules/.package-lock.json) gives. Optional packages are skipped (most are for other platforms).
 */
function dependenciesOutOfDate() {
  const lock = readJson(join(ROOT, 'package-lock.json'));
  const installed = readJson(join(ROOT, 'node_modules', '.package-lock.json'));
  if (!existsSync(join(ROOT, 'node_modules')) || !installed) return 'node_modules is missing';
  if (!lock?.packages) return undefined;
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (!path.includes('node_modules/') || entry.optional || entry.devOptional) continue;
    const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    if (!existsSync(join(ROOT, path))) return `${name} is not installed`;
    const have = installed.packages?.[path]?.version;
    if (have !== entry.version) return `${name} is ${have ?? 'not recorded'}, package-lock.json wants ${entry.version}`;
  }
  return undefined;
}

function main() {
  const [command, ...args] = process.argv.slice(2);
  if (!command) stop('usage: node scripts/run.mjs <command> [args...]', 2);

  const node = supportedNode(minimumNode());
  const env = { ...process.env, PATH: `${dirname(node)}${delimiter}${process.env.PATH ?? ''}` };

  const stale = dependenciesOutOfDate();
  if (stale) {
    if (process.env.TILLWATCH_NO_SETUP === '1') stop(`tillwatch: dependencies are not installed (${stale}). Run: npm ci`);
    note(`installing dependencies with npm ci (${stale})`);
    const [npm, npmArgs] = npmCommand(node);
    const r = run(npm, [...npmArgs, 'ci', '--no-audit', '--no-fund'], env);
    if (r.status !== 0) stop(`tillwatch: npm ci failed (exit ${r.status ?? r.signal}; its output is above). Fix that, then run: npm ci`);
  }

  const [bin, binArgs] = command === 'node' ? [node, []] : command === 'npm' ? npmCommand(node) : [command, []];
  const child = spawn(bin, [...binArgs, ...args], { stdio: 'inherit', env, cwd: process.cwd(), shell: process.platform === 'win32' && bin.endsWith('.cmd') });
  const forward = (signal) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(s, forward);
  child.on('error', (err) => stop(`tillwatch: could not run ${command}: ${err.message}`, 127));
  child.on('exit', (code, signal) => {
    if (signal) {
      for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.removeListener(s, forward);
      process.kill(process.pid, signal);
      return;
    }
    process.exit(code ?? 1);
  });
}

main();

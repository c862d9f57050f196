/**
 * `npm start` and `npm test` on a fresh clone, on a machine whose `node` is older than the repo needs
 * (the stock Node 20 at /usr/bin/node here), with nothing else typed: scripts/run.mjs installs a
 * supported Node into $HOME/.node24 from the npm registry, runs `npm ci`, then the command.
 *
 * The clone gets an empty HOME (no ~/.node24) and PATH holds only the old node's directory and /bin,
 * so the whole set-up path runs. Packages come through the machine's npm cache (prefer-offline) to
 * keep it quick; the cache is what `npm ci` filled. The store runs on free ports (PORT=0 and the
 * simulators' *_SIM_PORT=0) with its default data directory inside the clone. `npm test` is stopped
 * once its first test has passed (set-up, type-check and the test runner are what is proven here),
 * with the store tests on PGlite only so that nothing it started outlives it. Every process is
 * started in its own process group and stopped by that group's id.
 *
 * The time from `npm start` to a ready store, cold (installs included) and warm, is reported as a
 * diagnostic, never asserted.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { requireReal } from '../../packages/tillwatch/test/helpers/real-parts.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const OLD_NODE = process.env.TILLWATCH_TEST_OLD_NODE ?? '/usr/bin/node';
/** Set in the clone's `npm test`, so this test does not run itself again in there. */
const INNER = 'TILLWATCH_FRESH_CLONE_INNER';

function versionOf(node: string): number[] | undefined {
  if (!existsSync(node)) return undefined;
  const r = spawnSync(node, ['--version'], { encoding: 'utf8' });
  const m = /^v(\d+)\.(\d+)\.(\d+)/.exec(r.stdout ?? '');
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

/** A command running in its own process group, its output kept. */
interface Running {
  readonly child: ChildProcess;
  readonly startedAt: number;
  output(): string;
  /** Resolves with the first match of `re` in the output; rejects when the process exits first or after `ms`. */
  waitFor(what: string, re: RegExp, ms: number): Promise<RegExpExecArray>;
  /** SIGTERM to the group, SIGKILL after 20 s; resolves once the leader has exited. */
  stop(): Promise<void>;
}

function runInGroup(t: TestContext, command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Running {
  const startedAt = performance.now();
  const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d: Buffer) => (out = (out + d.toString()).slice(-256 * 1024));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // the group is gone
    }
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) kill('SIGTERM');
    if ((await Promise.race([exited.then(() => 'exited'), sleep(20_000, 'timeout', { ref: false })])) === 'timeout') kill('SIGKILL');
    await exited;
    kill('SIGKILL'); // anything of the group still running
  };
  t.after(stop);
  return {
    child,
    startedAt,
    output: () => out,
    async waitFor(what, re, ms) {
      const deadline = Date.now() + ms;
      for (;;) {
        const m = re.exec(out);
        if (m) return m;
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${command} ${args.join(' ')} exited (${child.exitCode ?? child.signalCode}) before ${what}:\n${out.slice(-6000)}`);
        if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}:\n${out.slice(-6000)}`);
        await sleep(200);
      }
    },
    stop,
  };
}

/** `npm start` until /health/ready answers 200; returns the seconds it took and the output. */
async function startUntilReady(t: TestContext, repo: string, env: NodeJS.ProcessEnv, ms: number): Promise<{ seconds: number; output: string }> {
  const run = runInGroup(t, 'npm', ['start'], repo, env);
  const url = (await run.waitFor('the store to print its URL', /^\s*store\s+(http:\/\/127\.0\.0\.1:\d+)\s*$/m, ms))[1]!;
  for (;;) {
    const res = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
    await res?.arrayBuffer();
    if (res?.status === 200) break;
    if (performance.now() - run.startedAt > ms) throw new Error(`${url}/health/ready did not answer 200 in ${ms} ms`);
    await sleep(100);
  }
  const seconds = (performance.now() - run.startedAt) / 1000;
  await run.stop();
  return { seconds, output: run.output() };
}

test('npm start and npm test set themselves up on a fresh clone under an old Node', { timeout: 15 * 60_000 }, async (t) => {
  if (process.env[INNER]) {
    t.skip('running inside the fresh-clone test itself');
    return;
  }
  const old = versionOf(OLD_NODE);
  const oldEnough = old !== undefined && (old[0]! < 22 || (old[0] === 22 && old[1]! < 18));
  if (!requireReal(t, `a Node older than 22.18 at ${OLD_NODE} with npm next to it`, oldEnough && existsSync(join(dirname(OLD_NODE), 'npm')), 'set TILLWATCH_TEST_OLD_NODE to one')) return;
  if (!requireReal(t, 'a git checkout of the repo', existsSync(join(ROOT, '.git')) && spawnSync('git', ['--version']).status === 0)) return;

  const dir = mkdtempSync(join(tmpdir(), 'tillwatch-fresh-clone-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const repo = join(dir, 'repo');
  const home = join(dir, 'home');
  const head = spawnSync('git', ['-C', ROOT, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
  for (const args of [['clone', '--quiet', '--no-checkout', ROOT, repo], ['-C', repo, 'checkout', '--quiet', '--detach', head]]) {
    const r = spawnSync('git', args, { encoding: 'utf8' });
    assert.equal(r.status, 0, `git ${args.join(' ')}: ${r.stderr}`);
  }
  assert.ok(!existsSync(join(repo, 'node_modules')));

  const env: NodeJS.ProcessEnv = {
    PATH: `${dirname(OLD_NODE)}:/bin`,
    HOME: home,
    LANG: 'C.UTF-8',
    npm_config_cache: process.env.npm_config_cache ?? join(homedir(), '.npm'),
    npm_config_prefer_offline: 'true',
    npm_config_update_notifier: 'false',
    PORT: '0',
    HOST: '127.0.0.1',
    PAYMENT_SIM_PORT: '0',
    SMS_SIM_PORT: '0',
    WAREHOUSE_SIM_PORT: '0',
  };

  const cold = await startUntilReady(t, repo, env, 10 * 60_000);
  assert.match(cold.output, /installing Node 24 into .*\.node24 from the npm registry/);
  assert.match(cold.output, /installing dependencies with npm ci \(node_modules is missing\)/);
  assert.ok(existsSync(join(home, '.node24', 'node_modules', `node-${process.platform}-${process.arch}`, 'bin', 'node')), 'Node 24 is kept in ~/.node24');

  const warm = await startUntilReady(t, repo, env, 2 * 60_000);
  assert.doesNotMatch(warm.output, /tillwatch: installing/, 'a second start installs nothing');
  t.diagnostic(`npm start to a ready store on a fresh clone under Node ${old!.join('.')}: ${cold.seconds.toFixed(1)} s cold (Node 24 and dependencies installed from the npm cache), ${warm.seconds.toFixed(1)} s warm`);

  // npm test: set-up is done, so it goes straight to the type-check and the test runner.
  const tests = runInGroup(t, 'npm', ['test'], repo, { ...env, [INNER]: '1', STORE_TEST_BACKENDS: 'pglite' });
  await tests.waitFor('the first passing test', /^(✔|ok \d+) /m, 10 * 60_000);
  await tests.stop();
  assert.doesNotMatch(tests.output(), /tillwatch: installing|ERR_UNKNOWN_FILE_EXTENSION/);
  assert.match(tests.output(), /> tsc -p tsconfig\.json --noEmit/, 'the type-check ran first');
});

test('with set-up forbidden, an old Node stops at once with the one line to run', async (t) => {
  if (process.env[INNER]) {
    t.skip('running inside the fresh-clone test itself');
    return;
  }
  const old = versionOf(OLD_NODE);
  if (!requireReal(t, `a Node older than 22.18 at ${OLD_NODE}`, old !== undefined && (old[0]! < 22 || (old[0] === 22 && old[1]! < 18)))) return;
  const home = mkdtempSync(join(tmpdir(), 'tillwatch-empty-home-'));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const r = spawnSync(OLD_NODE, [join(ROOT, 'scripts', 'run.mjs'), 'node', '-e', 'process.exit(0)'], {
    encoding: 'utf8',
    env: { PATH: `${dirname(OLD_NODE)}:/bin`, HOME: home, TILLWATCH_NO_SETUP: '1' },
  });
  assert.equal(r.status, 1);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /^tillwatch needs Node\.js >=22\.18 \(this is v\d+\.\d+\.\d+\)\. Run: npm install --prefix ".*\.node24" node-\w+-\w+@24 && export PATH=".*\.node24\/node_modules\/node-\w+-\w+\/bin:\$PATH"/);
});

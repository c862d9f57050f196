/**
 * Install footprint of each published package: `npm pack` of the workspace, then a fresh `npm install` of each
 * package's tarball (with the tillwatch tarballs it depends on) into an empty project under the temp dir, the way a
 * user installs it. Reports the packages installed (`npm ls --all`) and the size of node_modules, on disk
 * (`du -sk`, what the 47 MB of the old single package was measured with) and in bytes of content.
 *
 *   node bench/footprint.ts [--before <git ref>]
 *
 * `--before <ref>` also measures the `tillwatch` package as it was at that commit (packed from `git archive`).
 * Shares the packaging test's npm cache, so after one run it is mostly offline.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { npmInstall, run } from '../test/packaging/scratch.ts';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const before = process.argv.indexOf('--before') === -1 ? undefined : process.argv[process.argv.indexOf('--before') + 1];
const root = mkdtempSync(join(tmpdir(), 'tillwatch-footprint-'));

interface Footprint {
  readonly packages: number;
  readonly diskMB: number;
  readonly contentMB: number;
}

function measure(name: string, specs: readonly string[]): Footprint {
  const dir = join(root, name.replace(/[^a-z0-9]+/gi, '-'));
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'footprint', private: true }));
  npmInstall(dir, specs);
  const packages = run('npm', ['ls', '--all', '--parseable'], dir).stdout.trim().split('\n').length - 1;
  const kb = (args: string[]) => Number(execFileSync('du', [...args, '-sk', 'node_modules'], { cwd: dir, encoding: 'utf8' }).split('\t')[0]);
  return { packages, diskMB: kb([]) / 1024, contentMB: kb(['--apparent-size']) / 1024 };
}

const packs = join(root, 'packs');
mkdirSync(packs);
run('npm', ['run', 'build'], REPO);
run('npm', ['pack', '--ignore-scripts', '--loglevel=error', '--pack-destination', packs, ...['spec', 'redact', 'tillwatch', 'otel', 'cli', 'browser'].flatMap((p) => ['--workspace', `packages/${p}`])], REPO);
const tgz = (prefix: string) => join(packs, readdirSync(packs).find((f) => new RegExp(`^${prefix}-\\d`).test(f)) as string);
const spec = tgz('tillwatch-spec');
const redact = tgz('tillwatch-redact');
const core = tgz('tillwatch');

const rows: [string, Footprint][] = [];
if (before !== undefined) {
  const old = join(root, 'before-src');
  mkdirSync(old);
  execFileSync('sh', ['-c', `git archive ${before} packages/tillwatch | tar x -C ${old}`], { cwd: REPO });
  run('npm', ['pack', '--ignore-scripts', '--loglevel=error', '--pack-destination', old], join(old, 'packages/tillwatch'));
  const oldTgz = join(old, readdirSync(old).find((f) => f.endsWith('.tgz')) as string);
  rows.push([`tillwatch at ${before} (one package: runtime, spec, tracing)`, measure('before', [oldTgz])]);
}
rows.push(['@tillwatch/spec', measure('spec', [spec])]);
rows.push(['@tillwatch/redact', measure('redact', [redact])]);
rows.push(['tillwatch (core, every adapter, no tracing)', measure('core', [spec, redact, core])]);
rows.push(['tillwatch + @tillwatch/otel', measure('otel', [spec, redact, core, tgz('tillwatch-otel')])]);
rows.push(['tillwatch + @tillwatch/otel + @sentry/node', measure('otel-sentry', [spec, redact, core, tgz('tillwatch-otel'), '@sentry/node@~10.76.2'])]);
rows.push(['@tillwatch/cli (with tillwatch)', measure('cli', [spec, redact, core, tgz('tillwatch-cli')])]);
rows.push(['@tillwatch/browser (no React)', measure('browser', [spec, redact, tgz('tillwatch-browser')])]);

console.log(`Node ${process.versions.node}, npm ${run('npm', ['--version'], root).stdout.trim()}\n`);
console.log('| install | packages | node_modules on disk (du) | content |');
console.log('| --- | ---: | ---: | ---: |');
for (const [name, f] of rows) console.log(`| ${name} | ${f.packages} | ${f.diskMB.toFixed(1)} MB | ${f.contentMB.toFixed(1)} MB |`);
rmSync(root, { recursive: true, force: true });

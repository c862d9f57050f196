/**
 * The packages work where users install them. Every package is packed (`npm pack`, what a publish uploads),
 * and the tarballs are installed with npm into fresh projects outside the workspace, under the OS temp dir:
 *
 * - services: the README's Fastify (ES module), Express (CommonJS) and NestJS (compiled by tsc to CommonJS)
 *   snippets, compiled with tsc and run on a free port: each answers /health/ready and exposes its RED metrics;
 *   with @tillwatch/otel installed and OTEL_EXPORTER_OTLP_ENDPOINT set, the Express service exports its spans;
 * - plain: tillwatch and the CLI with no optional peer installed: a strict `tsc --noEmit` (module nodenext, lib
 *   checks on) of a consumer against the packed types, the README's node:http snippet, `require()` from CommonJS,
 *   the config error when @tillwatch/otel is missing, and `npx tillwatch generate` on the README's own-metric config.
 *
 * Runs under whichever Node runs it; CI runs it on Node 22 and Node 24 (.ci/run). Not part of `npm test`: it
 * installs from the registry and takes minutes.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startListening } from '../../packages/tillwatch/test/helpers/listening-child.ts';
import { hasCommand, requireReal } from '../../packages/tillwatch/test/helpers/real-parts.ts';
import { readmeSnippets } from './readme-snippets.ts';
import { npmInstall, run, scratchEnv, writeFiles } from './scratch.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const PACKAGES = ['spec', 'redact', 'audit', 'tillwatch', 'otel', 'cli'] as const;
const NODE_MAJOR = process.versions.node.split('.')[0];
const snippets = readmeSnippets(join(REPO, 'README.md'));

/** A scratch file from the README, by its marker path. */
function snippet(path: string): string {
  const s = snippets.get(path);
  assert.ok(s !== undefined, `README.md has a \`<!-- scratch: ${path} -->\` snippet`);
  return s;
}

let root = '';
const tarballs = new Map<string, string>();

before(() => {
  root = mkdtempSync(join(tmpdir(), `tillwatch-packaging-node${NODE_MAJOR}-`));
  const packs = join(root, 'packs');
  mkdirSync(packs);
  run('npm', ['run', 'build'], REPO);
  // Built above; the packs are what `npm publish` would upload (files allow-list, exports, bin).
  run('npm', ['pack', '--ignore-scripts', '--loglevel=error', '--pack-destination', packs, ...PACKAGES.flatMap((p) => ['--workspace', `packages/${p}`])], REPO);
  for (const f of readdirSync(packs)) {
    const name = /^(tillwatch(?:-(?:spec|redact|audit|otel|cli))?)-\d/.exec(f)?.[1];
    if (name !== undefined) tarballs.set(name === 'tillwatch' ? 'tillwatch' : name.replace('tillwatch-', ''), join(packs, f));
  }
  assert.equal(tarballs.size, PACKAGES.length, [...tarballs.keys()].join(', '));
});

after(() => {
  if (root !== '' && process.env.KEEP_SCRATCH !== '1') rmSync(root, { recursive: true, force: true });
});

const tarball = (name: string): string => tarballs.get(name) as string;

test('each tarball ships its build, README and LICENSE, and no sources, tests or tsbuildinfo', () => {
  for (const [name, file] of tarballs) {
    const list = run('tar', ['tzf', file], root).stdout.split('\n').filter(Boolean);
    for (const f of ['package/package.json', 'package/README.md', 'package/LICENSE', 'package/dist/index.js', 'package/dist/index.d.ts']) assert.ok(list.includes(f), `${name} ships ${f}`);
    assert.ok(!list.some((f) => /\/(src|test|bench|testdata)\/|tsbuildinfo|\.test\.|node_modules/.test(f)), `${name} ships only what users need`);
    const pkg = JSON.parse(run('tar', ['xzOf', file, 'package/package.json'], root).stdout) as { engines?: { node?: string }; private?: boolean; exports?: Record<string, string | Record<string, string>> };
    // Every subpath (tillwatch/windows, tillwatch/synthetic, ...) resolves to a shipped build and its types.
    for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
      if (typeof target === 'string') continue; // ./package.json
      for (const condition of ['default', 'types'] as const) {
        const f = target[condition];
        if (f !== undefined) assert.ok(list.includes(`package/${f.replace(/^\.\//, '')}`), `${name} ${subpath} (${condition}) ships ${f}`);
      }
    }
    assert.notEqual(pkg.private, true, `${name} is publishable`);
    assert.match(pkg.engines?.node ?? '', /^>=22\.(12|18)$/, `${name} says which Node it needs`);
  }
});

/** GETs `path` and returns status and body. */
async function get(base: string, path: string): Promise<{ status: number; body: string }> {
  const r = await fetch(`${base}${path}`);
  return { status: r.status, body: await r.text() };
}

/** Starts a scratch service, checks route, readiness and RED metrics, then stops it with SIGTERM. */
async function checkService(cwd: string, entry: string): Promise<void> {
  const service = await startListening(process.execPath, [entry], { cwd, env: scratchEnv({ PORT: '0', TILLWATCH_ACCESS_LOG: 'false' }) });
  try {
    const order = await get(service.url, '/orders/7');
    assert.equal(order.status, 200, service.output());
    assert.deepEqual(JSON.parse(order.body).id, '7');
    const ready = await get(service.url, '/health/ready');
    assert.equal(ready.status, 200, `${ready.body}\n${service.output()}`);
    assert.equal(JSON.parse(ready.body).status, 'ok');
    const metrics = await get(service.url, '/metrics');
    assert.equal(metrics.status, 200);
    assert.match(metrics.body, /^http_requests_total\{method="GET",route="\/orders\/:id",status_code="200"\} 1$/m, 'requests counted by route template');
    assert.match(metrics.body, /^http_request_duration_seconds_count\{method="GET",route="\/orders\/:id",status_code="200"\} 1$/m, 'duration observed');
    assert.match(metrics.body, /^# TYPE http_requests_in_flight gauge$/m);
    assert.match(metrics.body, /^# TYPE process_cpu_seconds_total counter$/m, 'runtime metrics');
  } finally {
    assert.equal(await service.stop(), 0, `graceful shutdown on SIGTERM exits 0\n${service.output()}`);
  }
}

describe('services built with the README snippets, installed from the tarballs', () => {
  let dir = '';
  before(() => {
    dir = join(root, 'services');
    const tsconfig = (extra: Record<string, unknown>) =>
      JSON.stringify({ compilerOptions: { strict: true, target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext', outDir: 'dist', types: ['node'], skipLibCheck: false, ...extra }, files: ['server.ts'] }, null, 2);
    writeFiles(dir, {
      'package.json': JSON.stringify({ name: 'scratch-services', private: true }),
      'fastify-esm/package.json': JSON.stringify({ type: 'module' }),
      'fastify-esm/tsconfig.json': tsconfig({}),
      'fastify-esm/server.ts': snippet('fastify-esm/server.ts'),
      'express-cjs/package.json': JSON.stringify({ type: 'commonjs' }),
      'express-cjs/tsconfig.json': tsconfig({}),
      'express-cjs/server.ts': snippet('express-cjs/server.ts'),
      // NestJS's own starter compiles to CommonJS with decorator metadata.
      'nest-cjs/package.json': JSON.stringify({ type: 'commonjs' }),
      'nest-cjs/tsconfig.json': tsconfig({ experimentalDecorators: true, emitDecoratorMetadata: true }),
      'nest-cjs/server.ts': snippet('nest-cjs/server.ts'),
    });
    npmInstall(dir, [
      tarball('spec'),
      tarball('redact'),
      tarball('tillwatch'),
      tarball('otel'),
      'fastify@5',
      'express@5',
      '@nestjs/common@11',
      '@nestjs/core@11',
      '@nestjs/platform-express@11',
      'reflect-metadata@0.2',
      'rxjs@7',
      'typescript@5.9',
      '@types/node@24',
      '@types/express@5',
    ]);
    run(process.execPath, [join(dir, 'node_modules/typescript/bin/tsc'), '-b', 'fastify-esm', 'express-cjs', 'nest-cjs'], dir);
  });

  test('(a) an ES-module Fastify service', () => checkService(join(dir, 'fastify-esm'), 'dist/server.js'));

  test('(b) a CommonJS Express service, which require()s the ES-module packages', async () => {
    assert.match(readFileSync(join(dir, 'express-cjs/dist/server.js'), 'utf8'), /require\("tillwatch"\)/);
    await checkService(join(dir, 'express-cjs'), 'dist/server.js');
  });

  test('(c) a NestJS app compiled by tsc to CommonJS', async () => {
    assert.match(readFileSync(join(dir, 'nest-cjs/dist/server.js'), 'utf8'), /require\("tillwatch\/nestjs"\)/);
    await checkService(join(dir, 'nest-cjs'), 'dist/server.js');
  });

  test('with OTEL_EXPORTER_OTLP_ENDPOINT set, the Express service loads @tillwatch/otel and exports the request\'s span', async (t) => {
    // Loaded after the build in before(): the receiver's own imports resolve to the built packages.
    const { otlpReceiver } = await import('../../packages/tillwatch/src/testing/otlp-receiver.ts');
    const receiver = await otlpReceiver();
    t.after(() => receiver.close());
    const service = await startListening(process.execPath, ['--import', '@tillwatch/otel/register', 'dist/server.js'], {
      cwd: join(dir, 'express-cjs'),
      env: scratchEnv({ PORT: '0', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint }),
    });
    try {
      assert.equal((await fetch(`${service.url}/orders/7`)).status, 200, service.output());
      const spans = await receiver.waitFor((all) => all.some((s) => s.kind === 2 && s.attributes['http.route'] === '/orders/:id'), 30_000);
      const server = spans.find((s) => s.kind === 2 && s.attributes['http.route'] === '/orders/:id');
      assert.equal(server?.resource['service.name'], 'pos-api');
      assert.match(String(server?.attributes['tillwatch.correlation_id']), /^[0-9a-f-]{36}$/);
    } finally {
      assert.equal(await service.stop(), 0, service.output());
    }
  });
});

describe('tillwatch and the CLI with no optional peer installed', () => {
  let dir = '';
  before(() => {
    dir = join(root, 'plain');
    writeFiles(dir, {
      'package.json': JSON.stringify({ name: 'scratch-plain', private: true, type: 'module' }),
      'node-http/server.ts': snippet('plain/node-http/server.ts'),
      'ops/metrics.ts': snippet('plain/ops/metrics.ts'),
      'ops/tillwatch.config.ts': snippet('plain/ops/tillwatch.config.ts'),
      'consumer.ts': CONSUMER,
      'require.cjs': REQUIRE_CJS,
      'tsconfig.json': JSON.stringify({
        compilerOptions: {
          strict: true,
          exactOptionalPropertyTypes: true,
          noUncheckedIndexedAccess: true,
          target: 'es2023',
          module: 'nodenext',
          moduleResolution: 'nodenext',
          allowImportingTsExtensions: true,
          noEmit: true,
          types: ['node'],
          skipLibCheck: false,
        },
        files: ['consumer.ts', 'node-http/server.ts', 'ops/tillwatch.config.ts'],
      }),
    });
    npmInstall(dir, [tarball('spec'), tarball('redact'), tarball('audit'), tarball('tillwatch'), tarball('cli'), 'typescript@5.9', '@types/node@24']);
  });

  test('no optional peer, framework, OpenTelemetry SDK or Sentry package was installed', () => {
    for (const p of ['express', 'fastify', '@nestjs/core', '@tillwatch/otel', '@sentry/node', '@opentelemetry/sdk-trace-base', 'import-in-the-middle']) {
      assert.ok(!existsSync(join(dir, 'node_modules', p)), `${p} is not installed`);
    }
  });

  test('a strict consumer type-checks against the packed types (module nodenext, library checks on)', () => {
    run(process.execPath, [join(dir, 'node_modules/typescript/bin/tsc'), '-p', '.'], dir);
  });

  test('the README\'s node:http service runs', () => checkService(join(dir, 'node-http'), 'server.ts'));

  test('CommonJS code require()s the packages, and a trace option without @tillwatch/otel is a config error naming it', () => {
    const out = run(process.execPath, ['require.cjs'], dir).stdout;
    assert.match(out, /^required: tillwatch, tillwatch\/node-http, tillwatch\/testing, @tillwatch\/spec, @tillwatch\/redact$/m);
    assert.match(out, /^missing: TW_ERR_CONFIG_MISSING_PACKAGE .*npm install @tillwatch\/otel/m);
  });

  test('npx tillwatch generate builds the bundle of a config that declares its own metric and alert', (t) => {
    const npx = (args: string[]) => run('npx', ['--no-install', 'tillwatch', ...args], dir);
    assert.equal(npx(['--version']).stdout.trim(), JSON.parse(readFileSync(join(REPO, 'packages/cli/package.json'), 'utf8')).version);
    npx(['generate', '--config', 'ops/tillwatch.config.ts', '--out', 'deploy']);
    const rules = readFileSync(join(dir, 'deploy/prometheus/rules/drawer.yml'), 'utf8');
    assert.match(rules, /alert: NoSaleDrawerOpens\n\s+expr: sum\(rate\(till_drawer_opened_total\{reason="no_sale"\}\[15m\]\)\) \/ sum\(rate\(till_drawer_opened_total\[15m\]\)\) > 0\.2/);
    assert.match(readFileSync(join(dir, 'deploy/docs/metrics.md'), 'utf8'), /\| `till_drawer_opened_total` \| counter \|/);
    if (!requireReal(t, 'promtool', hasCommand('promtool'), 'apt-get install prometheus')) return;
    const rulesDir = join(dir, 'deploy/prometheus/rules');
    const testsDir = join(dir, 'deploy/prometheus/tests');
    run('promtool', ['check', 'rules', ...readdirSync(rulesDir).map((f) => join(rulesDir, f))], dir);
    run('promtool', ['test', 'rules', ...readdirSync(testsDir).map((f) => join(testsDir, f))], dir);
  });
});

/** A strict consumer of the public API, type-checked against the packed declarations. */
const CONSUMER = `import { createTillwatch, createCommerceMetrics, isTillwatchConfigError, postgresCheck, type Tillwatch } from 'tillwatch';
import { logSink } from 'tillwatch/testing';
import { catalogue, closedLabel, defineCatalogue, defineMetric, mergeCatalogues } from '@tillwatch/spec';
import { createRedactor } from '@tillwatch/redact';

const own = defineCatalogue({
  till: {
    title: 'Till',
    summary: 'Till events.',
    metrics: {
      opened: defineMetric({ name: 'till_opened_total', type: 'counter', unit: 'count', group: 'till', owner: 'service', help: 'Tills opened.', question: 'Which tills open?', labels: { reason: closedLabel('Why.', ['sale', 'no_sale']) } }),
    },
  },
});
const tw: Tillwatch = createTillwatch({ service: { name: 'consumer' }, log: { destination: logSink() }, lifecycle: { handleSignals: false } });
const opened = tw.metrics.register(own.metrics.till.opened);
opened.inc({ reason: 'sale' });
// @ts-expect-error the label keys come from the handle
opened.inc({ drawer: 'a' });
tw.health.add(postgresCheck({ client: { query: async () => ({ rows: [] }) } }));
createCommerceMetrics(tw.metrics).orders.completed({ location: 'store-1', channel: 'in_store', valueMinor: 1250, items: 2 });
const names: readonly string[] = mergeCatalogues(catalogue, own).metrics.till?.opened?.labelNames ?? [];
const safe: string = createRedactor().string('card 4111 1111 1111 1111');
const err: unknown = new Error('x');
if (isTillwatchConfigError(err)) console.log(err.issues.length);
console.log(names, safe);
await tw.close();
`;

/** What a CommonJS service does: require() the ES-module packages, and start tracing without @tillwatch/otel. */
const REQUIRE_CJS = `'use strict';
const { createTillwatch, isTillwatchConfigError } = require('tillwatch');
require('tillwatch/node-http');
require('tillwatch/testing');
const spec = require('@tillwatch/spec');
const { createRedactor } = require('@tillwatch/redact');
if (typeof spec.defineMetric !== 'function' || typeof createRedactor !== 'function') throw new Error('missing exports');
console.log('required: tillwatch, tillwatch/node-http, tillwatch/testing, @tillwatch/spec, @tillwatch/redact');
try {
  createTillwatch({ trace: { enabled: true } });
  console.log('missing: no error');
} catch (e) {
  console.log('missing: ' + (isTillwatchConfigError(e) ? e.code + ' ' + e.message.replace(/\\n/g, ' ') : String(e)));
}
`;

/**
 * Every shell example in README.md and docs/*.md runs as written against a live store.
 *
 * The store runs as `npm start` runs it (every feature, its simulated providers and printer agents) on
 * free ports. Each file's ```sh blocks run in order in one bash session, as a reader pastes them into
 * one terminal, from the repo root. Two things differ from the reader's terminal, both stated here:
 * - the default ports in the text (localhost:3000, :3100, :3101, :3102) are replaced by the live ones,
 *   and PORT, PAYMENT_SIM_PORT, SMS_SIM_PORT and WAREHOUSE_SIM_PORT are exported with them (what
 *   `npm run simulate` reads);
 * - `curl` fails on an HTTP error (`--fail-with-body`), so an example whose call is refused fails the
 *   test. A call that prints its own status (`-w`) is left to show it: that is how an example
 *   demonstrates an error answer.
 * Shell blocks that start the reader's own service, that are `npm start`/`npm test` themselves (run on a
 * fresh clone by scripts/test/fresh-clone.test.ts), or that rewrite committed files other tests read, are
 * listed in NOT_RUN_HERE with where they are exercised instead; an entry that no longer matches a block
 * fails, so the list cannot go stale.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startStoreProcess } from './helpers/alerting/store-process.ts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const DOCS = ['README.md', ...readdirSync(`${ROOT}/docs`).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
const SHELL_FENCES = new Set(['sh', 'bash', 'shell', 'console']);

/** Blocks not run here, keyed by file and first line, with where they are exercised instead. */
const NOT_RUN_HERE: readonly { file: string; firstLine: RegExp; why: string }[] = [
  { file: 'README.md', firstLine: /^npm start\b/, why: 'npm start and npm test: run on a fresh clone under an old Node by scripts/test/fresh-clone.test.ts' },
  { file: 'README.md', firstLine: /^OTEL_EXPORTER_OTLP_ENDPOINT=/, why: "starts the reader's own service (server.ts), not the store" },
  {
    file: 'README.md',
    firstLine: /^npm run generate\b/,
    why: 'rewrites the committed deploy/ bundle that other tests read; packages/cli/test/golden.test.ts runs the same generation into a temp dir and compares it with deploy/, check-deploy.test.ts runs the same check',
  },
  {
    file: 'README.md',
    firstLine: /^npm install tillwatch\b/,
    why: "installs the published packages into the reader's service; test/packaging installs the packed tarballs the same way and runs the README's snippets",
  },
  {
    file: 'README.md',
    firstLine: /^npx tillwatch generate\b/,
    why: "the reader's own config; test/packaging runs npx tillwatch generate from the packed CLI on the README's config",
  },
  {
    file: 'README.md',
    firstLine: /^git clone /,
    why: 'the newcomer path from a clone: scripts/test/stack.test.ts runs npm run stack -- --scenario payment-outage until the page reaches the receiver, then stops it',
  },
  { file: 'docs/stack.md', firstLine: /^npm ci\nnpm run stack /, why: 'scripts/test/stack.test.ts runs npm run stack -- --scenario payment-outage until the page reaches the receiver, then stops it' },
  { file: 'docs/stack.md', firstLine: /^npm ci && npm run build\ndocker compose /, why: 'needs Docker, which these machines do not have; packages/cli/test/compose.test.ts validates the compose file (schema, consistency, amtool and promtool)' },
  { file: 'docs/stack.md', firstLine: /^docker compose /, why: 'needs Docker, which these machines do not have' },
  { file: 'docs/tracing.md', firstLine: /^npm install @tillwatch\/otel$/, why: "installs into the reader's own service; test/packaging installs @tillwatch/otel from its tarball" },
  { file: 'docs/tracing.md', firstLine: /^OTEL_EXPORTER_OTLP_ENDPOINT=/, why: "starts the reader's own service (server.ts), not the store" },
  { file: 'docs/error-reports.md', firstLine: /^npm install @tillwatch\/otel @sentry\/node/, why: "installs into and starts the reader's own service (server.ts), not the store" },
  {
    file: 'docs/audit.md',
    firstLine: /^export DATABASE_URL=postgres:\/\/auditor@/,
    why: "an auditor's database, key and archive; packages/cli/test/audit.test.ts runs tillwatch audit verify against a live and a tampered Postgres table, archives and checkpoints",
  },
  {
    file: 'docs/data-layer.md',
    firstLine: /^npx tillwatch check --live /,
    why: "the reader's own service URL; apps/store/test/rule-metrics-exported.test.ts runs tillwatch check --live against the store after a simulator run",
  },
];

interface Block {
  readonly file: string;
  readonly line: number;
  readonly text: string;
}

/** Fenced blocks of `md` by info string; also the lines of other blocks that look like shell commands. */
function extract(file: string, md: string): { shell: Block[]; strayCommands: string[] } {
  const shell: Block[] = [];
  const strayCommands: string[] = [];
  const lines = md.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,})\s*([\w-]*)/.exec(lines[i]!);
    if (!open) continue;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !lines[j]!.startsWith(open[1]!); j++) body.push(lines[j]!);
    if (SHELL_FENCES.has(open[2]!)) shell.push({ file, line: i + 1, text: body.join('\n') });
    else strayCommands.push(...body.filter((l) => /^\s*(\$ |curl |npm (start|test|run)\b)/.test(l)).map((l) => `${file}:${i + 1}: ${l.trim()}`));
    i = j;
  }
  return { shell, strayCommands };
}

const blocks = DOCS.flatMap((file) => extract(file, readFileSync(`${ROOT}/${file}`, 'utf8')).shell);

test('shell examples are fenced as sh, and the list of blocks run elsewhere is current', () => {
  assert.deepEqual(DOCS.flatMap((file) => extract(file, readFileSync(`${ROOT}/${file}`, 'utf8')).strayCommands), []);
  const stale = NOT_RUN_HERE.filter((n) => !blocks.some((b) => b.file === n.file && n.firstLine.test(b.text.trimStart())));
  assert.deepEqual(stale.map((n) => `${n.file} ${n.firstLine}`), []);
  assert.ok(
    blocks.some((b) => b.file === 'docs/api.md' && /curl -s localhost:3000\/orders -H "authorization: Bearer \$TOKEN"/.test(b.text)),
    "docs/api.md rings up an order as the cashier",
  );
});

/** Runs `script` in bash from the repo root; resolves with its exit code and output. */
function bash(script: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the examples did not finish in ${timeoutMs} ms:\n${output.slice(-6000)}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

test('every shell example in the README and docs runs as written against a live store', { timeout: 10 * 60_000 }, async (t) => {
  const store = await startStoreProcess(t, { PAYMENT_SIM_PORT: '0', SMS_SIM_PORT: '0', WAREHOUSE_SIM_PORT: '0', PRINTER_SIM_AGENTS: '' });
  const simUrl = (name: string): string => {
    const m = new RegExp(`^\\s*${name}\\s+(http://127\\.0\\.0\\.1:\\d+)`, 'm').exec(store.stderr());
    assert.ok(m, `the start banner names the ${name} URL:\n${store.stderr()}`);
    return m[1]!;
  };
  const port = (url: string): string => new URL(url).port;
  const ports: Record<string, string> = {
    '3000': port(store.url),
    '3100': port(simUrl('payment-provider')),
    '3101': port(simUrl('sms-provider')),
    '3102': port(simUrl('warehouse')),
  };

  const runnable = blocks.filter((b) => !NOT_RUN_HERE.some((n) => n.file === b.file && n.firstLine.test(b.text.trimStart())));
  assert.ok(runnable.length >= 20, `found ${runnable.length} runnable blocks`);
  for (const file of [...new Set(runnable.map((b) => b.file))]) {
    const script = [
      'set -euo pipefail',
      // Fails on an HTTP error unless the call prints its own status (-w/--write-out).
      'curl() { case " $* " in *" -w "*|*" --write-out "*) command curl "$@" ;; *) command curl --fail-with-body "$@" ;; esac; }',
      ...runnable
        .filter((b) => b.file === file)
        .map((b) => {
          const unknown = [...b.text.matchAll(/\b(?:localhost|127\.0\.0\.1):(\d+)/g)].map((m) => m[1]!).filter((p) => !(p in ports));
          assert.deepEqual(unknown, [], `${b.file}:${b.line} talks to a port the store does not use by default`);
          const text = b.text.replace(/\b(?:localhost|127\.0\.0\.1):(3000|3100|3101|3102)\b/g, (_, p: string) => `127.0.0.1:${ports[p]}`);
          return `printf '\\n::: %s\\n' ${JSON.stringify(`${b.file}:${b.line}`)} >&2\n${text}`;
        }),
    ].join('\n');
    const r = await bash(script, { ...process.env, PORT: ports['3000'], PAYMENT_SIM_PORT: ports['3100'], SMS_SIM_PORT: ports['3101'], WAREHOUSE_SIM_PORT: ports['3102'] }, 5 * 60_000);
    const lastBlock = [...r.output.matchAll(/^::: (.*)$/gm)].pop()?.[1];
    assert.equal(r.code, 0, `${file}: the example at ${lastBlock ?? '(none)'} failed:\n${r.output.slice(-6000)}`);
    t.diagnostic(`${file}: ${runnable.filter((b) => b.file === file).length} examples ran`);
  }
});

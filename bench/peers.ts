/**
 * One benchmark, all peers, one run: every server below answers GET /orders/:id with the same small JSON body,
 * each in its own process pinned to one CPU (BENCH_PIN, default 1; the load generator, this process, is not
 * pinned), measured interleaved round after round so load on the machine hits every mode alike.
 *
 *   npm ci --prefix bench/peers          # once: the typical Express stack, a bench-only package
 *   node -C tillwatch-source bench/peers.ts [requests=10000] [rounds=3]
 *
 * Per mode, medians over the rounds: server CPU µs per request (user + system from the server's own
 * `process.cpuUsage()`) under 16 keep-alive connections, the overhead over the bare server of its framework and
 * the ratio, p99 latency under that load and on one connection (sequential requests), and RSS after the run.
 * The tracing modes export over OTLP/HTTP to a receiver in this process. BENCH_ONLY=<mode,...> runs a subset (name the bare servers too).
 * BENCH_BEFORE=<another checkout> adds `<mode>@before` for every non-bare mode (or only those BENCH_ONLY names, when it
 * names any `@before` mode), run from that checkout's bench/ and packages (its own `npm ci` done), interleaved with the
 * rest and measured against the same bare servers: before and after in one run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { otlpReceiver } from '../packages/tillwatch/src/testing/index.ts';

const requests = Number(process.argv[2] ?? 10000);
const rounds = Number(process.argv[3] ?? 3);
const pin = process.env.BENCH_PIN ?? '1';
const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
const register = here('../packages/otel/src/register.ts');
const peersInstalled = existsSync(here('./peers/node_modules/express/package.json'));

interface Mode {
  readonly name: string;
  /** The bare server this mode's overhead is measured against. */
  readonly base: string;
  readonly script: string;
  readonly args: readonly string[];
  readonly nodeArgs?: readonly string[];
  /** Fewer requests for very slow stacks; CPU is per request either way. */
  readonly requestShare?: number;
}

const otlp = await otlpReceiver();
const overhead = (scenario: string, base: string): Mode => ({ name: scenario, base, script: here('./overhead-server.ts'), args: [scenario] });
const traced = (mode: string): Mode => ({
  name: `fastify-tillwatch-${mode}`,
  base: 'fastify-bare',
  script: here('./tracing-server.ts'),
  args: [mode, otlp.endpoint],
  ...(mode === 'off' ? {} : { nodeArgs: ['--import', register] }),
});
const all: Mode[] = [
  overhead('http-bare', 'http-bare'),
  overhead('http-tillwatch', 'http-bare'),
  overhead('http-tillwatch-nolog', 'http-bare'),
  overhead('fastify-bare', 'fastify-bare'),
  overhead('fastify-pair', 'fastify-bare'),
  overhead('fastify-tillwatch', 'fastify-bare'),
  overhead('fastify-tillwatch-nolog', 'fastify-bare'),
  overhead('express-bare', 'express-bare'),
  overhead('express-tillwatch', 'express-bare'),
  overhead('express-tillwatch-nolog', 'express-bare'),
  traced('import-only'),
  traced('trace-0'),
  traced('trace-10'),
  traced('trace-100'),
  ...(peersInstalled
    ? [
        {
          name: 'express-typical-stack',
          base: 'express-bare',
          script: here('./peers/express-stack-server.ts'),
          args: [otlp.endpoint],
          nodeArgs: ['--import', here('./peers/instrument.ts')],
          requestShare: 0.3,
        },
      ]
    : []),
];
const before = process.env.BENCH_BEFORE;
const benchDir = here('.');
/** The same mode run from the checkout named by BENCH_BEFORE (its bench/ scripts and its `--import` hook). */
const fromBefore = (m: Mode, dir: string): Mode => {
  const swap = (p: string): string => (p.startsWith(benchDir) ? `${dir}/bench/${p.slice(benchDir.length)}` : p === register ? `${dir}/packages/otel/src/register.ts` : p);
  return { ...m, name: `${m.name}@before`, script: swap(m.script), ...(m.nodeArgs === undefined ? {} : { nodeArgs: m.nodeArgs.map(swap) }) };
};
const withBefore = before === undefined ? all : all.flatMap((m) => (m.base === m.name ? [m] : [m, fromBefore(m, before.replace(/\/+$/, ''))]));
const only = process.env.BENCH_ONLY?.split(',');
const picked = (m: Mode): boolean => {
  if (only === undefined || only.includes(m.name)) return true;
  // When BENCH_ONLY names no `@before` mode, a mode it names brings its `@before` twin along.
  return m.name.endsWith('@before') && !only.some((o) => o.endsWith('@before')) && only.includes(m.name.slice(0, -'@before'.length));
};
const modes = withBefore.filter(picked);

interface Result {
  cpuUsPerReq: number;
  p99LoadMs: number;
  p99OneMs: number;
  rssMiB: number;
}

function timedLoad(port: number, n: number, concurrency: number): Promise<number[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const lat: number[] = [];
  let sent = 0;
  const worker = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const next = (): void => {
        if (sent >= n) return resolve();
        const id = sent++;
        const t0 = performance.now();
        http
          .get({ host: '127.0.0.1', port, path: `/orders/${id}`, agent }, (res) => {
            res.resume();
            res.on('end', () => {
              lat.push(performance.now() - t0);
              next();
            });
          })
          .on('error', reject);
      };
      next();
    });
  return Promise.all(Array.from({ length: concurrency }, worker)).then(() => {
    agent.destroy();
    return lat;
  });
}

const p99 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.99)] as number;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function measure(mode: Mode): Promise<Result> {
  const n = Math.round(requests * (mode.requestShare ?? 1));
  const child: ChildProcess = spawn('taskset', ['-c', pin, process.execPath, ...process.execArgv, ...(mode.nodeArgs ?? []), mode.script, ...mode.args], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const ask = <T>(msg: string): Promise<T> =>
    new Promise((resolve) => {
      child.once('message', (m) => resolve(m as T));
      child.send(msg);
    });
  const { port } = await new Promise<{ port: number }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { port: number }));
    child.once('exit', (code) => reject(new Error(`${mode.name} exited with ${code}`)));
  });
  await timedLoad(port, Math.min(3000, n), 16); // warm-up: JIT, connections, series
  child.send('mark');
  const underLoad = await timedLoad(port, n, 16);
  const { cpuUs, rssBytes } = await ask<{ cpuUs: number; rssBytes: number }>('cpu');
  const one = await timedLoad(port, Math.min(1000, n), 1);
  child.removeAllListeners('exit');
  child.send('exit');
  await new Promise((r) => child.once('exit', r));
  return { cpuUsPerReq: cpuUs / n, p99LoadMs: p99(underLoad), p99OneMs: p99(one), rssMiB: rssBytes / 2 ** 20 };
}

const load0 = loadavg();
console.log(`requests=${requests} rounds=${rounds} pinned to CPU ${pin} node=${process.version} load average at start ${load0.map((x) => x.toFixed(2)).join(' ')}`);
if (!peersInstalled) console.log('(bench/peers not installed: `npm ci --prefix bench/peers` adds the typical Express stack)');
const results = new Map<string, Result[]>();
for (let r = 0; r < rounds; r++) {
  for (const mode of modes) {
    const res = await measure(mode);
    results.set(mode.name, [...(results.get(mode.name) ?? []), res]);
    process.stderr.write(`round ${r + 1}/${rounds} ${mode.name}: ${res.cpuUsPerReq.toFixed(1)} µs/req\n`);
  }
}
const cpuOf = (name: string): number => median((results.get(name) ?? []).map((x) => x.cpuUsPerReq));
console.log('| mode | CPU µs/req | overhead µs/req | CPU ratio vs bare | p99 ms, 16 connections | p99 ms, one connection | RSS MiB |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const mode of modes) {
  const rs = results.get(mode.name) ?? [];
  const cpu = cpuOf(mode.name);
  const base = cpuOf(mode.base);
  const bare = mode.base === mode.name;
  console.log(
    `| ${mode.name} | ${cpu.toFixed(1)} | ${bare ? '' : (cpu - base).toFixed(1)} | ${(cpu / base).toFixed(2)} | ${median(rs.map((x) => x.p99LoadMs)).toFixed(2)} | ${median(rs.map((x) => x.p99OneMs)).toFixed(2)} | ${median(rs.map((x) => x.rssMiB)).toFixed(0)} |`,
  );
}
const over = (name: string, base: string): number => cpuOf(name) - cpuOf(base);
if (results.has('express-typical-stack') && results.has('fastify-tillwatch')) {
  const stack = over('express-typical-stack', 'express-bare');
  console.log('');
  console.log(`typical Express stack overhead ${stack.toFixed(1)} µs/req: ${(stack / over('fastify-tillwatch', 'fastify-bare')).toFixed(1)}x tillwatch on Fastify, ${(stack / over('express-tillwatch', 'express-bare')).toFixed(1)}x tillwatch on Express`);
}
if (results.has('fastify-tillwatch')) {
  const traceModes = modes.filter((m) => m.script.endsWith('tracing-server.ts'));
  if (traceModes.length > 0) {
    console.log('');
    console.log(`tracing over tillwatch on Fastify without it: ${traceModes.map((m) => `${m.name.replace('fastify-tillwatch-', '')} +${over(m.name, m.name.endsWith('@before') && results.has('fastify-tillwatch@before') ? 'fastify-tillwatch@before' : 'fastify-tillwatch').toFixed(1)} µs`).join(', ')}`);
  }
}
console.log(`load average at end ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
await otlp.close();

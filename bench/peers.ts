/**
 * One benchmark, all peers, one run: every server below answers GET /orders/:id with the same small JSON body,
 * each in its own process pinned to one CPU (BENCH_PIN, default 1; the load generator, this process, is pinned
 * to the other CPUs, so it never takes the servers' core), measured interleaved round after round so load on the
 * machine hits every mode alike.
 *
 * Steady state, not start-up: every server is started once and warmed with BENCH_WARMUP requests (default 3x
 * the round size) before the first round, and keeps running across rounds. process.cpuUsage() counts all of a
 * process's threads, so a server measured right after start would also be charged for V8 compiling its code in
 * the background, and more code (a heavier stack) means more of it: a one-time cost, not a per-request one.
 * Between its rounds a server is stopped (SIGSTOP), so the timers of a dozen idle servers do not run on the
 * core the measured one is using.
 *
 *   npm ci --prefix bench/peers          # once: the typical Express stack, a bench-only package
 *   node -C tillwatch-source bench/peers.ts [requests=10000] [rounds=3]
 *
 * Per mode, medians over the rounds (and the best round: noise on a shared VM only ever adds): server CPU µs per
 * request (user + system from the server's own `process.cpuUsage()`) under 16 keep-alive connections, the overhead over the bare server of its framework and
 * the ratio, p99 latency under that load, and RSS; then, after the last round, p99 latency on one connection
 * (1 000 sequential requests).
 * The tracing modes export over OTLP/HTTP to a receiver in this process. BENCH_ONLY=<mode,...> runs a subset (name the bare servers too).
 * BENCH_BEFORE=<another checkout> adds `<mode>@before` for every non-bare mode (or only those BENCH_ONLY names, when it
 * names any `@before` mode), run from that checkout's bench/ and packages (its own `npm ci` done), interleaved with the
 * rest and measured against the same bare servers: before and after in one run.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { otlpReceiver } from '../packages/tillwatch/src/testing/index.ts';

const requests = Number(process.argv[2] ?? 10000);
const rounds = Number(process.argv[3] ?? 3);
const pin = process.env.BENCH_PIN ?? '1';
const warmup = Number(process.env.BENCH_WARMUP ?? requests * 3);
/** The CPUs left for the load generator: every one but the servers' (none on a one-CPU machine: then it shares). */
const pinned = new Set(pin.split(',').map(Number));
const generatorCpus = Array.from({ length: availableParallelism() }, (_, i) => i).filter((c) => !pinned.has(c));
if (generatorCpus.length > 0) execFileSync('taskset', ['-a', '-p', '-c', generatorCpus.join(','), String(process.pid)], { stdio: 'ignore' });
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

interface Running {
  readonly mode: Mode;
  readonly child: ChildProcess;
  readonly port: number;
  /** Requests per round for this mode. */
  readonly n: number;
}

/** Starts a mode's server, pinned, and warms it up: JIT tiers, connections, series, heap sizing. */
async function start(mode: Mode): Promise<Running> {
  const n = Math.round(requests * (mode.requestShare ?? 1));
  const child: ChildProcess = spawn('taskset', ['-c', pin, process.execPath, ...process.execArgv, ...(mode.nodeArgs ?? []), mode.script, ...mode.args], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const { port } = await new Promise<{ port: number }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { port: number }));
    child.once('exit', (code) => reject(new Error(`${mode.name} exited with ${code}`)));
  });
  child.once('exit', (code, signal) => {
    if (!stopping.has(child)) process.stderr.write(`${mode.name} exited unexpectedly (code ${code}, signal ${signal})\n`);
  });
  await timedLoad(port, Math.max(1000, Math.round(warmup * (mode.requestShare ?? 1))), 16);
  pause(child);
  return { mode, child, port, n };
}

/**
 * A server waits stopped (SIGSTOP) while the others are measured: its timers (event-loop monitor, span and
 * metric exporters) would otherwise wake it on the shared core, dozens of times a second per server.
 */
function pause(child: ChildProcess): void {
  child.kill('SIGSTOP');
}

/**
 * Continues a paused server, lets the timers that fell due while it was stopped run, and sends it up to 1 000
 * unmeasured requests: its first requests after a pause run on cold caches.
 */
async function resume(server: Running): Promise<void> {
  server.child.kill('SIGCONT');
  await new Promise((r) => setTimeout(r, 100));
  await timedLoad(server.port, Math.min(1000, server.n), 16);
}

/**
 * One round on a running server: CPU per request under 16 connections, p99 there, RSS. The window holds only
 * those requests (and the export of their spans, for the tracing modes): the one-connection latency is taken
 * after the last round, so its requests' spans are not charged to the next round.
 */
async function measure(server: Running): Promise<Result> {
  const { child, port, n } = server;
  const ask = <T>(msg: string): Promise<T> =>
    new Promise((resolve) => {
      child.once('message', (m) => resolve(m as T));
      child.send(msg);
    });
  await resume(server);
  child.send('mark');
  const underLoad = await timedLoad(port, n, 16);
  const { cpuUs, rssBytes } = await ask<{ cpuUs: number; rssBytes: number }>('cpu');
  pause(child);
  return { cpuUsPerReq: cpuUs / n, p99LoadMs: p99(underLoad), rssMiB: rssBytes / 2 ** 20 };
}

/** Servers being stopped on purpose. */
const stopping = new Set<ChildProcess>();

async function stop(server: Running): Promise<void> {
  stopping.add(server.child);
  server.child.send('exit');
  await new Promise((r) => server.child.once('exit', r));
}

const load0 = loadavg();
console.log(
  `requests=${requests} rounds=${rounds} warm-up=${warmup} servers on CPU ${pin}, load generator on ${generatorCpus.length > 0 ? `CPU ${generatorCpus.join(',')}` : 'any CPU'} node=${process.version} load average at start ${load0.map((x) => x.toFixed(2)).join(' ')}`,
);
if (!peersInstalled) console.log('(bench/peers not installed: `npm ci --prefix bench/peers` adds the typical Express stack)');
const servers: Running[] = [];
// A run that fails midway must not leave its (stopped) servers behind.
process.on('exit', () => {
  for (const server of servers) if (server.child.exitCode === null) server.child.kill('SIGKILL');
});
for (const mode of modes) {
  servers.push(await start(mode));
  process.stderr.write(`started and warmed ${mode.name}\n`);
}
const results = new Map<string, Result[]>();
for (let r = 0; r < rounds; r++) {
  for (const server of servers) {
    const res = await measure(server);
    results.set(server.mode.name, [...(results.get(server.mode.name) ?? []), res]);
    process.stderr.write(`round ${r + 1}/${rounds} ${server.mode.name}: ${res.cpuUsPerReq.toFixed(1)} µs/req\n`);
  }
}
const p99One = new Map<string, number>();
for (const server of servers) {
  await resume(server);
  p99One.set(server.mode.name, p99(await timedLoad(server.port, Math.min(1000, server.n), 1)));
  await stop(server);
}
const cpuOf = (name: string): number => median((results.get(name) ?? []).map((x) => x.cpuUsPerReq));
/** The least CPU a mode took in any round: on a shared VM noise only ever adds, so this is the cleanest reading. */
const bestOf = (name: string): number => Math.min(...(results.get(name) ?? []).map((x) => x.cpuUsPerReq));
console.log('| mode | CPU µs/req | overhead µs/req | CPU ratio vs bare | best round: CPU µs/req | best round: overhead | p99 ms, 16 connections | p99 ms, one connection | RSS MiB |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const mode of modes) {
  const rs = results.get(mode.name) ?? [];
  const cpu = cpuOf(mode.name);
  const base = cpuOf(mode.base);
  const bare = mode.base === mode.name;
  const best = bestOf(mode.name);
  console.log(
    `| ${mode.name} | ${cpu.toFixed(1)} | ${bare ? '' : (cpu - base).toFixed(1)} | ${(cpu / base).toFixed(2)} | ${best.toFixed(1)} | ${bare ? '' : (best - bestOf(mode.base)).toFixed(1)} | ${median(rs.map((x) => x.p99LoadMs)).toFixed(2)} | ${(p99One.get(mode.name) ?? Number.NaN).toFixed(2)} | ${median(rs.map((x) => x.rssMiB)).toFixed(0)} |`,
  );
}
const over = (name: string, base: string): number => cpuOf(name) - cpuOf(base);
const overBest = (name: string, base: string): number => bestOf(name) - bestOf(base);
if (results.has('express-typical-stack') && results.has('fastify-tillwatch')) {
  const stack = over('express-typical-stack', 'express-bare');
  const stackBest = overBest('express-typical-stack', 'express-bare');
  console.log('');
  console.log(`typical Express stack overhead ${stack.toFixed(1)} µs/req: ${(stack / over('fastify-tillwatch', 'fastify-bare')).toFixed(1)}x tillwatch on Fastify, ${(stack / over('express-tillwatch', 'express-bare')).toFixed(1)}x tillwatch on Express`);
  console.log(`best rounds: ${stackBest.toFixed(1)} µs/req, ${(stackBest / overBest('fastify-tillwatch', 'fastify-bare')).toFixed(1)}x tillwatch on Fastify, ${(stackBest / overBest('express-tillwatch', 'express-bare')).toFixed(1)}x tillwatch on Express`);
}
if (results.has('fastify-tillwatch')) {
  const traceModes = modes.filter((m) => m.script.endsWith('tracing-server.ts'));
  if (traceModes.length > 0) {
    console.log('');
    const baseOf = (m: Mode): string => (m.name.endsWith('@before') && results.has('fastify-tillwatch@before') ? 'fastify-tillwatch@before' : 'fastify-tillwatch');
    console.log(`tracing over tillwatch on Fastify without it: ${traceModes.map((m) => `${m.name.replace('fastify-tillwatch-', '')} +${over(m.name, baseOf(m)).toFixed(1)} µs`).join(', ')}`);
    console.log(`best rounds: ${traceModes.map((m) => `${m.name.replace('fastify-tillwatch-', '')} +${overBest(m.name, baseOf(m)).toFixed(1)} µs`).join(', ')}`);
  }
}
console.log(`load average at end ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
await otlp.close();

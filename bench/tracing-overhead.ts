/**
 * Per-request CPU cost of tracing: server CPU microseconds per request for the same Fastify + tillwatch
 * service without tracing, with 10 % and with 100 % of traces sampled, exporting over OTLP/HTTP to a
 * local receiver (tillwatch/testing's otlpReceiver, in this process). Same method as http-overhead.ts:
 * each server in its own process, this process generates the load (keep-alive, fixed request count),
 * modes interleaved across rounds, medians reported.
 *
 *   node bench/tracing-overhead.ts [requests=20000] [concurrency=16] [rounds=3]
 *
 * Each sampled request makes one span, the server span started at tillwatch's adapter; an unsampled one makes
 * none (docs/tracing.md, "Sampling, decided at the edge of the request"). bench/peers.ts measures the same modes
 * next to bare Fastify and the other peers.
 */
import { fork } from 'node:child_process';
import { otlpReceiver } from '../packages/tillwatch/src/testing/index.ts';
import { load } from './load.ts';

const requests = Number(process.argv[2] ?? 20000);
const concurrency = Number(process.argv[3] ?? 16);
const rounds = Number(process.argv[4] ?? 3);
/**
 * `off`: no tracing and no `--import` hook (the baseline). `import-only`: the hook and the patched modules
 * but tracing off. `trace-0`: tracing on, no trace sampled. `trace-10`/`trace-100`: 10 % and 100 % sampled.
 * BENCH_MODES picks a subset (comma-separated).
 */
const label = { off: 'off', 'import-only': 'hook only, tracing off', 'trace-0': '0 % sampled', 'trace-10': '10 % sampled', 'trace-100': '100 % sampled' } as const;
type Mode = keyof typeof label;
const modes = (process.env.BENCH_MODES?.split(',') ?? ['off', 'import-only', 'trace-0', 'trace-10', 'trace-100']) as Mode[];

interface Result { cpuUsPerReq: number; reqPerSec: number; rssMiB: number }

const otlp = await otlpReceiver();
const register = new URL('../packages/otel/src/register.ts', import.meta.url).pathname;

async function measure(mode: Mode): Promise<Result> {
  const execArgv = mode === 'off' ? [] : ['--import', register];
  const child = fork(new URL('./tracing-server.ts', import.meta.url), [mode, otlp.endpoint], { execArgv, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const ask = <T>(msg: string): Promise<T> =>
    new Promise((resolve) => {
      child.once('message', (m) => resolve(m as T));
      child.send(msg);
    });
  const { port } = await new Promise<{ port: number }>((resolve) => child.once('message', (m) => resolve(m as { port: number })));
  await load(port, Math.min(5000, requests), concurrency); // warm-up
  child.send('mark');
  const seconds = await load(port, requests, concurrency);
  const { cpuUs, rssBytes } = await ask<{ cpuUs: number; rssBytes: number }>('cpu');
  child.send('exit');
  await new Promise((r) => child.once('exit', r));
  return { cpuUsPerReq: cpuUs / requests, reqPerSec: requests / seconds, rssMiB: rssBytes / 2 ** 20 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

console.log(`requests=${requests} concurrency=${concurrency} rounds=${rounds} node=${process.version}`);
console.log('| server | tracing | CPU µs/req (median) | overhead µs/req | CPU ratio vs no tracing | req/s | RSS MiB |');
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: |');
const results = new Map<string, Result[]>();
for (let r = 0; r < rounds; r++) {
  for (const mode of modes) results.set(mode, [...(results.get(mode) ?? []), await measure(mode)]);
}
const base = median((results.get('off') ?? []).map((x) => x.cpuUsPerReq));
for (const mode of modes) {
  const rs = results.get(mode) ?? [];
  const cpu = median(rs.map((x) => x.cpuUsPerReq));
  console.log(`| fastify | ${label[mode]} | ${cpu.toFixed(1)} | ${mode === 'off' ? '' : (cpu - base).toFixed(1)} | ${(cpu / base).toFixed(2)} | ${median(rs.map((x) => x.reqPerSec)).toFixed(0)} | ${median(rs.map((x) => x.rssMiB)).toFixed(0)} |`);
}
console.log(`spans received: ${otlp.spans.length}`);
await otlp.close();

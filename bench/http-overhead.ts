/**
 * Per-request CPU cost of tillwatch, as a difference and a ratio against the same server without it,
 * measured in the same run. Each server runs in its own process; this process is the load generator
 * (keep-alive connections on loopback, a fixed number of requests, so the run is bounded).
 *
 *   node bench/http-overhead.ts [requests=20000] [concurrency=16] [rounds=3]
 *
 * The number that matters is server CPU microseconds per request (user + system, from the server's own
 * process.cpuUsage()), not wall-clock throughput, which the load generator sharing 2 cores would distort.
 */
import { fork, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { load } from './load.ts';

const requests = Number(process.argv[2] ?? 20000);
const concurrency = Number(process.argv[3] ?? 16);
const rounds = Number(process.argv[4] ?? 3);
const frameworks = (process.env.BENCH_FRAMEWORKS ?? 'http,fastify,express').split(',');
const modes = (process.env.BENCH_MODES ?? 'bare,tillwatch,tillwatch-nolog').split(',');
/** BENCH_PIN=<cpu>: pin each server to that CPU with taskset (the load generator stays unpinned). */
const pin = process.env.BENCH_PIN;

interface Result { cpuUsPerReq: number; userUsPerReq: number; reqPerSec: number; rssMiB: number }

async function measure(scenario: string): Promise<Result> {
  const script = fileURLToPath(new URL('./overhead-server.ts', import.meta.url));
  const child =
    pin === undefined
      ? fork(script, [scenario], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
      : spawn('taskset', ['-c', pin, process.execPath, ...process.execArgv, script, scenario], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const ask = <T>(msg: string): Promise<T> =>
    new Promise((resolve) => {
      child.once('message', (m) => resolve(m as T));
      child.send(msg);
    });
  const { port } = await new Promise<{ port: number }>((resolve) => child.once('message', (m) => resolve(m as { port: number })));
  await load(port, Math.min(5000, requests), concurrency); // warm-up: JIT, connection set-up, metric children created
  child.send('mark');
  const seconds = await load(port, requests, concurrency);
  const { cpuUs, userUs, rssBytes } = await ask<{ cpuUs: number; userUs: number; rssBytes: number }>('cpu');
  child.send('exit');
  await new Promise((r) => child.once('exit', r));
  return { cpuUsPerReq: cpuUs / requests, userUsPerReq: userUs / requests, reqPerSec: requests / seconds, rssMiB: rssBytes / 2 ** 20 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

console.log(`requests=${requests} concurrency=${concurrency} rounds=${rounds} node=${process.version}`);
console.log('| server | mode | CPU µs/req (median) | overhead µs/req | CPU ratio vs bare | user-mode µs/req | user overhead µs/req | req/s | RSS MiB |');
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const fw of frameworks) {
  const results = new Map<string, Result[]>();
  // Interleave modes across rounds so drift (thermal, other load) hits every mode alike.
  for (let r = 0; r < rounds; r++) {
    for (const mode of modes) {
      const res = await measure(`${fw}-${mode}`);
      results.set(mode, [...(results.get(mode) ?? []), res]);
    }
  }
  const base = median((results.get('bare') ?? []).map((x) => x.cpuUsPerReq));
  const baseUser = median((results.get('bare') ?? []).map((x) => x.userUsPerReq));
  for (const mode of modes) {
    const rs = results.get(mode) ?? [];
    const cpu = median(rs.map((x) => x.cpuUsPerReq));
    const rps = median(rs.map((x) => x.reqPerSec));
    const rss = median(rs.map((x) => x.rssMiB));
    const user = median(rs.map((x) => x.userUsPerReq));
    const over = (v: number, b: number) => (mode === 'bare' ? '' : (v - b).toFixed(1));
    console.log(`| ${fw} | ${mode} | ${cpu.toFixed(1)} | ${over(cpu, base)} | ${(cpu / base).toFixed(2)} | ${user.toFixed(1)} | ${over(user, baseUser)} | ${rps.toFixed(0)} | ${rss.toFixed(0)} |`);
  }
}

/**
 * What a broken trace sink does to a service: request latency percentiles and error count for the same
 * traced service (100 % sampling, Fastify, tracing-server.ts) exporting to an OTLP receiver that is
 * healthy (`ok`), answers 503 (`fail`) or accepts connections and never answers (`blackhole`).
 * Client-side latency on loopback, a fixed request count per mode, so the run is bounded.
 *
 *   node bench/sink-outage.ts [requests=6000] [concurrency=8]
 */
import { fork } from 'node:child_process';
import http from 'node:http';
import { otlpReceiver } from '../packages/tillwatch/src/testing/index.ts';
import type { ReceiverMode } from '../packages/tillwatch/src/testing/index.ts';

const requests = Number(process.argv[2] ?? 6000);
const concurrency = Number(process.argv[3] ?? 8);
const register = new URL('../packages/otel/src/register.ts', import.meta.url).pathname;

async function timedLoad(port: number, n: number): Promise<{ latenciesMs: number[]; errors: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latenciesMs: number[] = [];
  let errors = 0;
  let sent = 0;
  const worker = (): Promise<void> =>
    new Promise((resolve) => {
      const next = () => {
        if (sent >= n) return resolve();
        const id = sent++;
        const t0 = process.hrtime.bigint();
        http
          .get({ host: '127.0.0.1', port, path: `/orders/${id}`, agent }, (res) => {
            res.resume();
            res.on('end', () => {
              latenciesMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
              if (res.statusCode !== 200) errors++;
              next();
            });
          })
          .on('error', () => {
            errors++;
            next();
          });
      };
      next();
    });
  await Promise.all(Array.from({ length: concurrency }, worker));
  agent.destroy();
  return { latenciesMs, errors };
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] as number;

console.log(`requests=${requests} concurrency=${concurrency} node=${process.version}; tracing on, 100 % sampled`);
console.log('| OTLP receiver | p50 ms | p99 ms | max ms | non-200 responses |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const mode of ['ok', 'fail', 'blackhole'] as ReceiverMode[]) {
  const receiver = await otlpReceiver({ mode });
  const child = fork(new URL('./tracing-server.ts', import.meta.url), ['trace-100', receiver.endpoint], { execArgv: ['--import', register], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const { port } = await new Promise<{ port: number }>((resolve) => child.once('message', (m) => resolve(m as { port: number })));
  await timedLoad(port, Math.min(2000, requests)); // warm-up
  const { latenciesMs, errors } = await timedLoad(port, requests);
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  await receiver.close();
  console.log(`| ${mode} | ${pct(latenciesMs, 50).toFixed(2)} | ${pct(latenciesMs, 99).toFixed(2)} | ${Math.max(...latenciesMs).toFixed(2)} | ${errors} |`);
}

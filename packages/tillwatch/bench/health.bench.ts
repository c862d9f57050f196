/**
 * Hot paths of the probes: a cached /health/ready through the node:http handler, a cached ready()
 * call, and live(). Kubernetes probes every few seconds, so these matter mostly for probe storms
 * (many kubelets, load balancers and uptime checkers hitting one pod) and for the event-loop time
 * they steal from checkout requests.
 *
 * Run: node packages/tillwatch/bench/health.bench.ts
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import pino from 'pino';
import { resolveOptions } from '../src/config/options.ts';
import { Health } from '../src/health/health.ts';
import { customCheck } from '../src/health/checks/custom-check.ts';

const ITERATIONS = 200_000;
const WARMUP = 20_000;

const health = new Health({
  options: { ...resolveOptions(undefined, {}).options.health, cacheTtlMs: 60_000 },
  logger: pino({ level: 'silent' }),
  service: { name: 'bench', version: '0.0.0' },
});
health.add(customCheck('db', async () => ({ pool: { total: 10, idle: 8, waiting: 0 } })));
health.add(customCheck('redis', async () => {}));
health.add(customCheck('tax-api', async () => {}, { required: false }));
health.markStarted();
await health.ready(); // fill the cache

/** Just enough of req/res for the handler: counts completed responses. */
let ended = 0;
let bytes = 0;
const req = { url: '/health/ready', method: 'GET' } as IncomingMessage;
const res = {
  headersSent: false,
  destroyed: false,
  writeHead() {
    return this;
  },
  end(chunk?: string) {
    ended++;
    bytes += chunk?.length ?? 0;
    return this;
  },
} as unknown as ServerResponse;
const handle = health.handler();

/** Calls in bursts of this many concurrent probes, then waits for all of them. */
const BURST = 1000;

async function handlerBatch(n: number): Promise<void> {
  for (let done = 0; done < n; done += BURST) {
    const target = ended + BURST;
    for (let i = 0; i < BURST; i++) handle(req, res);
    while (ended < target) await Promise.resolve();
  }
}

async function readyBatch(n: number): Promise<void> {
  const all: Promise<unknown>[] = new Array(BURST);
  for (let done = 0; done < n; done += BURST) {
    for (let i = 0; i < BURST; i++) all[i] = health.ready();
    await Promise.all(all);
  }
}

function liveBatch(n: number): void {
  let s = 0;
  for (let i = 0; i < n; i++) s += health.live().httpStatus;
  if (s === 0) throw new Error('unreachable');
}

async function measure(label: string, run: (n: number) => unknown): Promise<void> {
  await run(WARMUP);
  const runs: number[] = [];
  for (let r = 0; r < 5; r++) {
    const start = process.hrtime.bigint();
    await run(ITERATIONS);
    runs.push(Number(process.hrtime.bigint() - start) / ITERATIONS);
  }
  runs.sort((a, b) => a - b);
  console.log(`${label.padEnd(44)} ${runs[2]?.toFixed(0).padStart(6)} ns/op (median of 5 × ${ITERATIONS}; min ${runs[0]?.toFixed(0)})`);
}

console.log(`node ${process.version}, ${process.platform}/${process.arch}`);
await measure('handler() GET /health/ready (cached)', handlerBatch);
await measure('ready() (cached)', readyBatch);
await measure('live()', liveBatch);
health.close();
if (bytes === 0) throw new Error('handler wrote nothing');

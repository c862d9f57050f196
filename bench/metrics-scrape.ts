/**
 * /metrics at scale. Two parts, both against prom-client alone in the same run:
 *
 * 1. Render: one 12-bucket histogram with N series (plus the runtime metrics), rendered in this process, rounds
 *    interleaved; wall and CPU time of the render (median), memory per series, and the longest event-loop block
 *    while one full HTTP scrape (render + send to a loopback client) runs, from a 1 ms timer: in this thread's
 *    CPU time (the block itself) and in wall time (which includes time the OS gave the core to other processes).
 * 2. Checkout under scraping: a server process (node:http + tillwatch, the 10 000-series histogram loaded) answers
 *    GET /orders/:id; this process sends requests on one keep-alive connection for a fixed time and measures their
 *    latency, first with nobody scraping, then while /metrics is scraped every second; p50/p99/max per phase.
 *
 *   node -C tillwatch-source --expose-gc bench/metrics-scrape.ts [series=10000,100000] [rounds=5] [seconds=10]
 */
import { execFile, fork } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import pino from 'pino';
import { Histogram, Registry, type Metric } from 'prom-client';
import { defineMetric, openLabel } from '@tillwatch/spec';
import { resolveOptions } from '../packages/tillwatch/src/config/options.ts';
import { Metrics } from '../packages/tillwatch/src/metrics/metrics.ts';
import { createMetricsHandler } from '../packages/tillwatch/src/metrics/metrics-endpoint.ts';
import type { GuardedHistogram } from '../packages/tillwatch/src/metrics/guarded-histogram.ts';

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] as number;

function labelsOf(i: number): { method: string; route: string; status_code: string } {
  return { method: ['GET', 'POST', 'PUT'][i % 3] as string, route: `/api/v1/stores/${Math.floor(i / 3)}/orders/:id`, status_code: '200' };
}

function tillwatchWith(n: number, into?: Metrics): Metrics {
  const { options } = resolveOptions({ metrics: { runtime: true, maxSeriesPerMetric: n + 1 } }, {});
  const m = into ?? new Metrics({ options, logger: pino({ level: 'silent' }) });
  const label = (what: string) => openLabel(`${what}.`, 'bench', n + 1);
  const handle = defineMetric({
    name: 'bench_request_duration_seconds',
    type: 'histogram',
    unit: 'seconds',
    group: 'bench',
    owner: 'service',
    help: 'Request duration.',
    question: 'How long do requests take?',
    labels: { method: label('Method'), route: label('Route'), status_code: label('Status') },
    buckets: BUCKETS,
    maxSeries: n + 1,
  });
  const h = m.register(handle) as unknown as GuardedHistogram<string>;
  for (let i = 0; i < n; i++) h.observe(labelsOf(i), (i % 97) / 100);
  return m;
}

function promClientWith(n: number): Registry {
  const r = new Registry();
  const h = new Histogram({ name: 'bench_request_duration_seconds', help: 'Request duration.', labelNames: ['method', 'route', 'status_code'], buckets: BUCKETS, registers: [r] });
  for (let i = 0; i < n; i++) h.observe(labelsOf(i), (i % 97) / 100);
  return r;
}

/** A prom-client handler, as a service wires it: render, then send. */
function promClientHandler(r: Registry): http.RequestListener {
  return (_req, res) => {
    void r.metrics().then((body) => res.writeHead(200, { 'Content-Type': Registry.PROMETHEUS_CONTENT_TYPE }).end(body));
  };
}

async function runServer(kind: string, n: number): Promise<void> {
  const { createTillwatch } = await import('../packages/tillwatch/src/index.ts');
  const { tillwatchNodeHttp } = await import('../packages/tillwatch/src/adapters/node-http.ts');
  const tw = createTillwatch({
    service: { name: 'bench', version: '1.0.0' },
    log: { access: { enabled: false } },
    metrics: { runtime: true, maxSeriesPerMetric: n + 1 },
    lifecycle: { handleSignals: false, handleCrashes: false, exit: false },
  });
  // tillwatch: the histogram lives in the service's own metrics, served by the adapter at /metrics.
  // prom-client: a registry of its own, served at /prom-metrics.
  const scrape = kind === 'prom-client' ? promClientHandler(promClientWith(n)) : (tillwatchWith(n, tw.metrics), undefined);
  const body = JSON.stringify({ id: 0, status: 'completed', total: 42.5 });
  const app = tillwatchNodeHttp(tw, (req, res) => {
    if (req.url === '/prom-metrics' && scrape !== undefined) return scrape(req, res);
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  }, { route: () => '/orders/:id' });
  const server = http.createServer(app).listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
}

function get(agent: http.Agent, port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(performance.now() - t0));
    }).on('error', reject);
  });
}

/** Checkout latencies (ms) on one connection for `seconds`, scraping every second when `scrape`. */
async function checkoutPhase(port: number, seconds: number, scrape: string | undefined): Promise<{ lat: number[]; scrapes: number[] }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const scrapes: number[] = [];
  // The scraper is another process (curl), so reading megabytes of exposition does not delay this process's clock.
  const timer =
    scrape === undefined
      ? undefined
      : setInterval(() => {
          const t0 = performance.now();
          execFile('curl', ['-s', '-o', '/dev/null', `http://127.0.0.1:${port}${scrape}`], () => scrapes.push(performance.now() - t0));
        }, 1000);
  const lat: number[] = [];
  const end = performance.now() + seconds * 1000;
  let i = 0;
  while (performance.now() < end) lat.push(await get(agent, port, `/orders/${i++}`));
  clearInterval(timer);
  await new Promise((r) => setTimeout(r, 1500)); // let the last scrape finish
  agent.destroy();
  return { lat, scrapes };
}

async function checkoutUnderScrape(kind: string, n: number, seconds: number): Promise<string> {
  const child = fork(new URL(import.meta.url), ['server', kind, String(n)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const { port } = await new Promise<{ port: number }>((resolve) => child.once('message', (m) => resolve(m as { port: number })));
  const path = kind === 'prom-client' ? '/prom-metrics' : '/metrics';
  await checkoutPhase(port, 1, undefined); // warm-up
  const quiet = await checkoutPhase(port, seconds, undefined);
  const busy = await checkoutPhase(port, seconds, path);
  child.kill();
  const f = (x: number) => x.toFixed(2);
  return `| ${kind} | ${n} | ${f(pct(quiet.lat, 0.5))} / ${f(pct(quiet.lat, 0.99))} / ${f(Math.max(...quiet.lat))} | ${f(pct(busy.lat, 0.5))} / ${f(pct(busy.lat, 0.99))} / ${f(Math.max(...busy.lat))} | ${busy.scrapes.length} | ${f(median(busy.scrapes))} |`;
}

function heapAfterGc(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

async function timed(fn: () => Promise<unknown>): Promise<{ wall: number; cpu: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const c = process.cpuUsage(c0);
  return { wall: performance.now() - t0, cpu: (c.user + c.system) / 1000 };
}

/**
 * Watches the event loop with a 1 ms timer. Returns the longest gap between two ticks in wall time (which on a
 * shared machine includes time the OS gave the core to other processes) and in this thread's CPU time (the
 * event-loop block itself: what a request in flight waits for when the core is free).
 */
function blockMonitor(): () => { wallMs: number; cpuMs: number } {
  let maxWall = 0;
  let maxCpu = 0;
  let lastWall = performance.now();
  let lastCpu = process.threadCpuUsage();
  let stopped = false;
  const tick = (): void => {
    const wall = performance.now();
    const cpu = process.threadCpuUsage();
    maxWall = Math.max(maxWall, wall - lastWall);
    maxCpu = Math.max(maxCpu, (cpu.user - lastCpu.user + cpu.system - lastCpu.system) / 1000);
    lastWall = wall;
    lastCpu = cpu;
    if (!stopped) setTimeout(tick, 1);
  };
  setTimeout(tick, 1);
  return () => {
    stopped = true;
    tick();
    return { wallMs: maxWall, cpuMs: maxCpu };
  };
}

/** Longest event-loop block while one HTTP scrape of `handler` runs to the end of the response. */
async function scrapeBlock(handler: http.RequestListener, accept?: string): Promise<{ blockMs: number; blockCpuMs: number; bytes: number }> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const stop = blockMonitor();
  const bytes = await new Promise<number>((resolve, reject) => {
    http.get({ port, host: '127.0.0.1', path: '/metrics', headers: accept ? { accept } : {} }, (res) => {
      let total = 0;
      res.on('data', (c: Buffer) => (total += c.length));
      res.on('end', () => resolve(total));
    }).on('error', reject);
  });
  const block = stop();
  server.close();
  return { blockMs: block.wallMs, blockCpuMs: block.cpuMs, bytes };
}

async function renderPart(sizes: number[], rounds: number): Promise<void> {
  console.log('| series | renderer | format | render wall ms | render CPU ms | CPU ratio vs prom-client | longest event-loop block per HTTP scrape, CPU / wall ms (max of 3) | body MB | heap bytes/series |');
  console.log('| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const n of sizes) {
    const h0 = heapAfterGc();
    const tw = tillwatchWith(n);
    const twHeap = (heapAfterGc() - h0) / n;
    const h1 = heapAfterGc();
    const pc = promClientWith(n);
    const pcHeap = (heapAfterGc() - h1) / n;
    const pcRounds = n > 20000 ? Math.min(rounds, 2) : rounds;
    for (const [format, accept] of [['Prometheus', undefined], ['OpenMetrics', 'application/openmetrics-text']] as const) {
      const om = new Registry();
      if (accept) {
        om.setContentType(Registry.OPENMETRICS_CONTENT_TYPE as never);
        for (const m of pc.getMetricsAsArray()) om.registerMetric(m as unknown as Metric);
      }
      const twT: { wall: number; cpu: number }[] = [];
      const pcT: { wall: number; cpu: number }[] = [];
      for (let r = 0; r < rounds; r++) {
        twT.push(await timed(async () => (await tw.exposition(accept)).writeTo(() => undefined)));
        if (r < pcRounds) pcT.push(await timed(() => (accept ? om.metrics() : pc.metrics())));
      }
      const blocks: number[] = [];
      const blocksCpu: number[] = [];
      let bytes = 0;
      for (let r = 0; r < 3; r++) {
        const s = await scrapeBlock(createMetricsHandler(tw), accept);
        blocks.push(s.blockMs);
        blocksCpu.push(s.blockCpuMs);
        bytes = s.bytes;
      }
      const pcBlock = accept ? undefined : await scrapeBlock(promClientHandler(pc));
      const twCpu = median(twT.map((x) => x.cpu));
      const pcCpu = median(pcT.map((x) => x.cpu));
      console.log(`| ${n} | tillwatch | ${format} | ${median(twT.map((x) => x.wall)).toFixed(1)} | ${twCpu.toFixed(1)} | ${(twCpu / pcCpu).toFixed(2)} | ${Math.max(...blocksCpu).toFixed(1)} / ${Math.max(...blocks).toFixed(1)} | ${(bytes / 1e6).toFixed(1)} | ${twHeap.toFixed(0)} |`);
      console.log(`| ${n} | prom-client | ${format} | ${median(pcT.map((x) => x.wall)).toFixed(1)} | ${pcCpu.toFixed(1)} | 1.00 | ${pcBlock === undefined ? '' : `${pcBlock.blockCpuMs.toFixed(1)} / ${pcBlock.blockMs.toFixed(1)}`} |  | ${pcHeap.toFixed(0)} |`);
    }
  }
}

if (process.argv[2] === 'server') {
  await runServer(process.argv[3] as string, Number(process.argv[4]));
} else {
  const sizes = (process.argv[2] ?? '10000,100000').split(',').map(Number);
  const rounds = Number(process.argv[3] ?? 5);
  const seconds = Number(process.argv[4] ?? 10);
  console.log(`node=${process.version} rounds=${rounds} load average at start ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  await renderPart(sizes, rounds);
  console.log('');
  console.log(`checkout GET on one keep-alive connection, ${seconds} s per phase, server holding a 10 000-series histogram`);
  console.log('| /metrics renderer | series | no scraping: p50 / p99 / max ms | scraped every 1 s: p50 / p99 / max ms | scrapes | scrape ms (median) |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const kind of ['tillwatch', 'prom-client']) console.log(await checkoutUnderScrape(kind, 10000, seconds));
  console.log(`load average at end ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
}

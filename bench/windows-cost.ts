/**
 * What tillwatch/windows costs: memory per series, the cost of one sample-and-evaluate tick of the store's
 * generated rules (per rule), and its effect on request cost, as a ratio against the same server without the
 * monitor, measured interleaved in the same run.
 *
 *   node --expose-gc bench/windows-cost.ts [requests=20000] [rounds=3]
 *
 * A: memory. 2 000 counter series ingested into SeriesWindows with the default tiers; heap + array buffers before
 *    and after, per series (labels and keys included), next to the value buffers' size.
 * B: evaluation. A tillwatch registry with about 1 000 series (HTTP RED over 30 routes x methods x statuses,
 *    payments, orders) and the rules `tillwatch generate` writes for the store; 60 ticks 5 s apart on a simulated
 *    clock; the tick's wall time split into sampling (registry -> windows) and rule evaluation, and per rule.
 * C: request cost. A node:http server instrumented with tillwatch in this process, loaded with keep-alive
 *    requests: process CPU per request with the monitor off and with it ticking every second (5x the store's
 *    default rate), rounds interleaved. Both the server and the load generator run here, so the ratio is a
 *    bound on the monitor's share, not the server's own figure.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateRuleGroups } from '@tillwatch/cli';
import { catalogue } from '@tillwatch/spec';
import { createTillwatch } from 'tillwatch';
import { tillwatchNodeHttp } from 'tillwatch/node-http';
import { SeriesWindows, WindowsMonitor } from 'tillwatch/windows';
import { load } from './load.ts';

const requests = Number(process.argv[2] ?? 20000);
const rounds = Number(process.argv[3] ?? 3);
const gc = (globalThis as { gc?: () => void }).gc;
const mem = () => {
  gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// --- A: memory per series -----------------------------------------------------------------------------
{
  const n = 2000;
  const w = new SeriesWindows();
  const samples = Array.from({ length: n }, (_, i) => ({ labels: { __name__: 'orders_completed_total', location: `store-${i % 50}`, channel: `c${Math.floor(i / 50)}` }, value: i, counter: true }));
  const before = mem();
  w.ingest(Date.now(), samples);
  const after = mem();
  console.log(`A memory: ${n} series, ${((after - before) / n / 1024).toFixed(1)} KiB per series measured (value buffers ${(w.bytesPerSeries() / 1024).toFixed(1)} KiB), ${gc ? 'after gc' : 'no --expose-gc: rough'}`);
}

// --- B: tick cost with the store's rules ------------------------------------------------------------------
const groups = await generateRuleGroups('deploy/tillwatch.config.ts');
{
  const tw = createTillwatch({ service: { name: 'store' }, log: { level: 'silent' } });
  const m = catalogue.metrics;
  const attempts = tw.metrics.register(m.payments.attempts);
  const failures = tw.metrics.register(m.payments.failures);
  const completed = tw.metrics.register(m.orders.completed);
  let clock = Date.now();
  const monitor = new WindowsMonitor({ source: tw.metrics.registry, groups, service: 'store', sampleIntervalMs: 5000, now: () => clock });
  const traffic = () => {
    for (let r = 0; r < 30; r += 1) {
      for (const method of ['GET', 'POST']) {
        for (const status of [200, 404, 500]) tw.metrics.http.end(method, `/r${r}`, status, Math.random());
      }
    }
    attempts.inc({ method: 'card', operation: 'sale' }, 5);
    failures.inc({ method: 'card', operation: 'sale', reason: 'declined' });
    for (const location of ['store-001', 'store-002']) completed.inc({ location, channel: 'in_store' }, 3);
  };
  const sampleMs: number[] = [];
  const tickMs: number[] = [];
  for (let i = 0; i < 60; i += 1) {
    traffic();
    clock += 5000;
    const t0 = performance.now();
    await monitor.tick();
    tickMs.push(performance.now() - t0);
    sampleMs.push(monitor.status().lastTickCostMs);
  }
  const costs = monitor.engine.costs();
  const evalTotal = costs.reduce((a, c) => a + c.meanMs, 0);
  const sorted = [...costs].sort((a, b) => b.meanMs - a.meanMs);
  console.log(`B tick: ${monitor.status().series} series, ${costs.length} rules; tick median ${median(tickMs).toFixed(2)} ms (rules ${evalTotal.toFixed(2)} ms, sampling ${(median(tickMs) - evalTotal).toFixed(2)} ms)`);
  console.log(`B per rule: mean ${((evalTotal / costs.length) * 1000).toFixed(1)} µs, median ${(median(costs.map((c) => c.meanMs)) * 1000).toFixed(1)} µs, max ${(sorted[0]!.meanMs * 1000).toFixed(0)} µs (${sorted[0]!.name})`);
  console.log(`B top 3: ${sorted.slice(0, 3).map((c) => `${c.name} ${(c.meanMs * 1000).toFixed(0)} µs`).join('; ')}`);
  await tw.close();
}

// --- C: request CPU with and without the monitor, interleaved --------------------------------------------
{
  const tw = createTillwatch({ service: { name: 'bench' }, log: { level: 'silent', access: { enabled: false } } });
  const server = http.createServer(tillwatchNodeHttp(tw, async (_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end('{"id":"o-1","status":"paid"}');
  }, { route: () => '/orders/:id' }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const monitor = new WindowsMonitor({ source: tw.metrics.registry, groups, service: 'bench', sampleIntervalMs: 1000 });
  await load(port, 3000, 16); // warm-up
  const results: Record<'off' | 'on', number[]> = { off: [], on: [] };
  for (let r = 0; r < rounds; r += 1) {
    for (const mode of ['off', 'on'] as const) {
      if (mode === 'on') await monitor.start();
      const c0 = process.cpuUsage();
      await load(port, requests, 16);
      const c = process.cpuUsage(c0);
      if (mode === 'on') await monitor.stop();
      results[mode].push((c.user + c.system) / requests);
    }
  }
  const off = median(results.off);
  const on = median(results.on);
  console.log(`C request CPU (server + load generator, one process): monitor off ${off.toFixed(1)} µs/req, on (1 s ticks) ${on.toFixed(1)} µs/req, ratio ${(on / off).toFixed(3)}; ${monitor.status().series} series, ${monitor.status().rules} rules`);
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await tw.close();
}

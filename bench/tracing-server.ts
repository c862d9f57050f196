/**
 * One tracing-benchmark server per process, picked by argv[2]: `off`, `import-only`, `trace-0`,
 * `trace-10` or `trace-100` (see tracing-overhead.ts).
 * A Fastify app with tillwatch answering GET /orders/:id with a small JSON body; with tracing, spans
 * go to the OTLP receiver whose URL is argv[3]. Same protocol as overhead-server.ts: reports its port
 * over IPC, and its own CPU time (user + system, microseconds) when asked.
 *
 * The traced modes are started with `--import @tillwatch/otel/register` (the documented way), the `off`
 * mode without it: the baseline is a service that does not trace at all.
 */
import type { AddressInfo } from 'node:net';
import { createTillwatch } from '../packages/tillwatch/src/index.ts';

const mode = process.argv[2] ?? 'off';
const endpoint = process.argv[3];
const ratio = mode === 'trace-10' ? 0.1 : mode === 'trace-100' ? 1 : mode === 'trace-0' ? 0 : undefined;
const body = JSON.stringify({ id: 0, status: 'completed', total: 42.5, items: 3 });

const tw = createTillwatch({
  service: { name: 'bench', version: '1.0.0' },
  metrics: { runtime: true },
  lifecycle: { handleSignals: false, handleCrashes: false, exit: false },
  trace: ratio === undefined ? { enabled: false } : { endpoint, sampleRatio: ratio },
});
const { default: Fastify } = await import('fastify');
const { tillwatchFastify } = await import('../packages/tillwatch/src/adapters/fastify.ts');
const app = Fastify();
await app.register(tillwatchFastify, { tw });
app.get('/orders/:id', async () => body);
await app.listen({ port: 0, host: '127.0.0.1' });
process.send?.({ port: (app.server.address() as AddressInfo).port });
let mark = process.cpuUsage();
process.on('message', async (m: string) => {
  if (m === 'mark') mark = process.cpuUsage();
  if (m === 'cpu') {
    // Export what is queued first: the export's CPU is part of the cost of tracing.
    await tw.tracing?.forceFlush(10_000);
    const d = process.cpuUsage(mark);
    process.send?.({ cpuUs: d.user + d.system, rssBytes: process.memoryUsage.rss() });
  }
  if (m === 'exit') process.exit(0);
});

/**
 * One benchmark server per process, picked by argv[2]: `<framework>-<bare|tillwatch|tillwatch-nolog>`.
 * It answers GET /orders/:id with a small JSON body, reports its port on stdout, and its own CPU time
 * (user + system, microseconds) over IPC when asked, so the parent measures the server's CPU per request
 * without counting the load generator.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTillwatch, type Tillwatch } from '../packages/tillwatch/src/index.ts';
import { tillwatchNodeHttp } from '../packages/tillwatch/src/adapters/node-http.ts';

const scenario = process.argv[2] ?? 'http-bare';
const [framework, mode] = scenario.split(/-(.*)/s) as [string, string];
if (mode !== 'bare' && !mode.startsWith('tillwatch') && mode !== 'pair') throw new Error(`unknown scenario ${scenario}`);
const body = JSON.stringify({ id: 0, status: 'completed', total: 42.5, items: 3 });

function makeTw(): Tillwatch {
  // Logs go to a real file descriptor (/dev/null) so the write syscalls are part of the cost.
  return createTillwatch({
    service: { name: 'bench', version: '1.0.0' },
    log: { access: { enabled: mode !== 'tillwatch-nolog' } },
    // tillwatch-clients: also counts requests by API version, device class and region (metrics.clients).
    metrics: { runtime: true, ...(mode === 'tillwatch-clients' ? { clients: { enabled: true, apiVersionHeader: 'x-api-version', regionHeader: 'x-client-region' } } : {}) },
    lifecycle: { handleSignals: false, handleCrashes: false, exit: false },
  });
}

async function main(): Promise<http.Server> {
  const tw = mode === 'bare' ? undefined : makeTw();
  if (framework === 'http') {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
      res.setHeader('content-type', 'application/json');
      res.setHeader('content-length', Buffer.byteLength(body));
      res.end(body);
    };
    const listener = tw
      ? tillwatchNodeHttp(tw, handler, { route: (req) => (req.url?.startsWith('/orders/') ? '/orders/:id' : undefined) })
      : handler;
    return http.createServer(listener);
  }
  if (framework === 'fastify' && mode === 'pair') {
    // What a service wires by hand: an access-log line with pino (its default synchronous stdout destination)
    // and a RED histogram with prom-client, both from Fastify's onResponse hook.
    const { default: Fastify } = await import('fastify');
    const { pino } = await import('pino');
    const { Histogram, Registry } = await import('prom-client');
    const logger = pino();
    const registry = new Registry();
    const duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration.',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    const app = Fastify();
    app.addHook('onResponse', (request, reply, done) => {
      const route = request.routeOptions.url ?? 'unmatched';
      const seconds = reply.elapsedTime / 1000;
      duration.observe({ method: request.method, route, status_code: reply.statusCode }, seconds);
      logger.info({ method: request.method, route, status: reply.statusCode, duration_ms: reply.elapsedTime }, 'request completed');
      done();
    });
    app.get('/orders/:id', async () => body);
    await app.ready();
    return app.server;
  }
  if (framework === 'fastify') {
    const { default: Fastify } = await import('fastify');
    const app = Fastify();
    if (tw) {
      const { tillwatchFastify } = await import('../packages/tillwatch/src/adapters/fastify.ts');
      await app.register(tillwatchFastify, { tw });
    }
    app.get('/orders/:id', async () => body);
    await app.ready();
    return app.server;
  }
  if (framework === 'express') {
    const { default: express } = await import('express');
    const app = express();
    if (tw) {
      const { tillwatchExpress } = await import('../packages/tillwatch/src/adapters/express.ts');
      app.use(tillwatchExpress(tw));
    }
    app.get('/orders/:id', (_req, res) => {
      res.type('application/json').send(body);
    });
    return http.createServer(app);
  }
  throw new Error(`unknown scenario ${scenario}`);
}

const server = await main();
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.send?.({ port });
});
/**
 * BENCH_PROFILE=<dir>: a CPU profile of the measured requests only (from 'mark' to 'cpu', not start-up or warm-up),
 * written as <dir>/<scenario>.cpuprofile for Chrome DevTools or any .cpuprofile reader.
 */
const profileDir = process.env.BENCH_PROFILE;
const session = profileDir === undefined ? undefined : new (await import('node:inspector/promises')).Session();
session?.connect();

let mark = process.cpuUsage();
process.on('message', async (m: string) => {
  if (m === 'mark') {
    if (session !== undefined) {
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 100 });
      await session.post('Profiler.start');
    }
    mark = process.cpuUsage();
  }
  if (m === 'cpu') {
    const d = process.cpuUsage(mark);
    if (session !== undefined && profileDir !== undefined) {
      const { profile } = await session.post('Profiler.stop');
      const { writeFileSync } = await import('node:fs');
      writeFileSync(`${profileDir}/${scenario}.cpuprofile`, JSON.stringify(profile));
    }
    process.send?.({ cpuUs: d.user + d.system, userUs: d.user, rssBytes: process.memoryUsage.rss() });
  }
  if (m === 'exit') process.exit(0);
});

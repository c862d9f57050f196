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
const body = JSON.stringify({ id: 0, status: 'completed', total: 42.5, items: 3 });

function makeTw(): Tillwatch {
  // Logs go to a real file descriptor (/dev/null) so the write syscalls are part of the cost.
  return createTillwatch({
    service: { name: 'bench', version: '1.0.0' },
    log: { access: { enabled: mode !== 'tillwatch-nolog' } },
    metrics: { runtime: true },
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
let mark = process.cpuUsage();
process.on('message', (m: string) => {
  if (m === 'mark') mark = process.cpuUsage();
  if (m === 'cpu') {
    const d = process.cpuUsage(mark);
    process.send?.({ cpuUs: d.user + d.system, userUs: d.user, rssBytes: process.memoryUsage.rss() });
  }
  if (m === 'exit') process.exit(0);
});

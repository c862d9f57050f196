/**
 * A small till service instrumented with tillwatch. Run from the repo root:
 *   node -C tillwatch-source examples/basic/server.ts
 * It listens on PORT (default: a free port) and prints where; with that URL:
 *
 *   curl <url>/orders/1001                 an order; see its JSON log line and X-Correlation-ID
 *   curl -XPOST <url>/orders -d '{"total_cents":1250}'
 *   curl <url>/orders/boom                 a failing request: one `request failed` line, a 500
 *   curl <url>/metrics                     RED metrics per route template
 *   curl <url>/health/ready                readiness, with the inventory check
 *
 * Ctrl-C (SIGINT) or SIGTERM drains in-flight requests and exits.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTillwatch } from 'tillwatch';
import { tillwatchNodeHttp } from 'tillwatch/node-http';

const tw = createTillwatch({ service: { name: 'example-till', version: '0.1.0' } });
const log = tw.logger.child({ module: 'orders' });

const orders = new Map<string, { id: string; total_cents: number }>([['1001', { id: '1001', total_cents: 4599 }]]);
let nextId = 1002;

tw.health.add({
  name: 'inventory-cache',
  required: false,
  run: async () => ({ items: orders.size }),
});

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(body));
}

/** The request body as JSON, or undefined when it is not JSON (a client error, not a failure). */
async function readJson(req: http.IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  try {
    return text === '' ? {} : JSON.parse(text);
  } catch {
    return undefined;
  }
}

const ORDER = /^\/orders\/([^/]+)$/;

/** Names the route template of a request; undefined for anything this app does not serve. */
function route(req: http.IncomingMessage): string | undefined {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  if (path === '/orders') return '/orders';
  if (ORDER.test(path)) return '/orders/:id';
  return undefined;
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const id = ORDER.exec(path)?.[1];
  if (req.method === 'GET' && id === 'boom') throw new Error('card terminal unreachable');
  if (req.method === 'GET' && id !== undefined) {
    await sleep(5); // a pretend database round trip: the context survives the await
    const order = orders.get(id);
    log.info({ order_id: id, found: order !== undefined }, 'order looked up');
    return order ? json(res, 200, order) : json(res, 404, { error: 'order_not_found' });
  }
  if (req.method === 'POST' && path === '/orders') {
    const body = (await readJson(req)) as { total_cents?: unknown } | undefined;
    if (typeof body?.total_cents !== 'number') return json(res, 400, { error: 'total_cents must be a number' });
    const order = { id: String(nextId++), total_cents: body.total_cents as number };
    orders.set(order.id, order);
    log.info({ order_id: order.id, total_cents: order.total_cents }, 'order created');
    return json(res, 201, order);
  }
  json(res, 404, { error: 'not_found' });
}

const server = http.createServer(tillwatchNodeHttp(tw, handle, { route }));
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', async () => {
  await tw.attach(server);
  tw.markStarted();
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  console.log(`example-till listening on ${base} (try /orders/1001, /metrics, /health/ready)`);
});

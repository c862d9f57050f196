// tillwatch on a plain node:http server. Run from the repo root: node -C tillwatch-source examples/node-http/server.ts
// It listens on PORT (default: a free port) and prints where; then curl <url>/orders/7 and <url>/metrics.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTillwatch } from 'tillwatch';
import { tillwatchNodeHttp } from 'tillwatch/node-http';

const tw = createTillwatch({ service: { name: 'example-node-http' } });
const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
  tw.logger.info('order requested'); // carries the request's correlation_id
  res.setHeader('content-type', 'application/json').end(JSON.stringify({ url: req.url }));
};
const route = (req: http.IncomingMessage) => (/^\/orders\/[^/?]+/.test(req.url ?? '') ? '/orders/:id' : undefined);
const server = http.createServer(tillwatchNodeHttp(tw, handler, { route }));
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () =>
  void tw.attach(server).then(() => {
    tw.markStarted();
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    console.log(`example-node-http listening on ${url} (try /orders/7, /metrics, /health/ready)`);
  }),
);

// tillwatch on a plain node:http server. Run: node examples/node-http/server.ts, then curl :3000/orders/7 and :3000/metrics
import http from 'node:http';
import { createTillwatch } from 'tillwatch';
import { tillwatchNodeHttp } from 'tillwatch/node-http';

const tw = createTillwatch({ service: { name: 'example-node-http' } });
const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
  tw.logger.info('order requested'); // carries the request's correlation_id
  res.setHeader('content-type', 'application/json').end(JSON.stringify({ url: req.url }));
};
const route = (req: http.IncomingMessage) => (/^\/orders\/[^/?]+/.test(req.url ?? '') ? '/orders/:id' : undefined);
const server = http.createServer(tillwatchNodeHttp(tw, handler, { route }));
server.listen(Number(process.env.PORT ?? 3000), () => void tw.attach(server).then(() => tw.markStarted()));

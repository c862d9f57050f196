// tillwatch on Fastify 5. Run from the repo root: node -C tillwatch-source examples/fastify/server.ts
// It listens on PORT (default: a free port) and prints where; then curl <url>/api/orders/7 and <url>/metrics.
import Fastify from 'fastify';
import { createTillwatch } from 'tillwatch';
import { tillwatchFastify } from 'tillwatch/fastify';

const tw = createTillwatch({ service: { name: 'example-fastify' } });
const app = Fastify(); // Fastify's logger stays off: tillwatch writes the request and error lines
await app.register(tillwatchFastify, { tw }); // also calls tw.attach(app.server) when ready
await app.register(async (api) => api.get<{ Params: { id: string } }>('/orders/:id', async (req) => ({ id: req.params.id })), { prefix: '/api' });
const address = await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
tw.markStarted();
console.log(`example-fastify listening on ${address} (try /api/orders/7, /metrics, /health/ready)`);

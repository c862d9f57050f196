// tillwatch on Fastify 5. Run: node examples/fastify/server.ts, then curl :3000/api/orders/7 and :3000/metrics
import Fastify from 'fastify';
import { createTillwatch } from 'tillwatch';
import { tillwatchFastify } from 'tillwatch/fastify';

const tw = createTillwatch({ service: { name: 'example-fastify' } });
const app = Fastify(); // Fastify's logger stays off: tillwatch writes the request and error lines
await app.register(tillwatchFastify, { tw }); // also calls tw.attach(app.server) when ready
await app.register(async (api) => api.get<{ Params: { id: string } }>('/orders/:id', async (req) => ({ id: req.params.id })), { prefix: '/api' });
await app.listen({ port: Number(process.env.PORT ?? 3000), host: '0.0.0.0' });
tw.markStarted();

/**
 * The framework examples under examples/ run as their headers say: each listens on a free port (PORT=0),
 * prints where, serves its route with RED metrics and readiness, and shuts down cleanly on SIGTERM.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { startListening } from './helpers/listening-child.ts';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

const EXAMPLES = [
  { dir: 'basic', path: '/orders/1001', route: '/orders/:id' },
  { dir: 'node-http', path: '/orders/7', route: '/orders/:id' },
  { dir: 'express', path: '/stores/12/orders/7', route: '/stores/:storeId/orders/:id' },
  { dir: 'fastify', path: '/api/orders/7', route: '/api/orders/:id' },
  { dir: 'nestjs', path: '/api/orders/7', route: '/api/orders/:id' },
] as const;

for (const e of EXAMPLES) {
  test(`examples/${e.dir} listens on a free port, says where, and serves its route with metrics and probes`, async (t) => {
    const service = await startListening(process.execPath, [`examples/${e.dir}/server.ts`], { cwd: REPO, env: { ...process.env, PORT: '0' } });
    t.after(() => service.stop());
    assert.equal((await fetch(`${service.url}${e.path}`)).status, 200, service.output());
    assert.equal((await fetch(`${service.url}/health/ready`)).status, 200, service.output());
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    assert.ok(metrics.includes(`http_requests_total{method="GET",route="${e.route}",status_code="200"} 1`), metrics.split('\n').filter((l) => l.startsWith('http_requests_total')).join('\n'));
    assert.equal(await service.stop(), 0, service.output());
  });
}

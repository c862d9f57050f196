/**
 * GET /admin/faults, PUT /admin/faults (admin): fault injection for demos and the simulator's
 * slow-db scenario. `db_latency_ms` delays every database statement of this instance.
 */
import type { FastifyInstance } from 'fastify';
import { requireRole, userOf } from '../auth/auth-plugin.ts';
import type { StoreDeps } from '../deps.ts';
import { bodyOf, optInt } from './validate.ts';

export async function adminRoutes(app: FastifyInstance, deps: StoreDeps): Promise<void> {
  const view = () => ({ db_latency_ms: deps.db.injectedLatencyMs() });
  app.get('/admin/faults', { preHandler: requireRole('admin') }, async () => view());
  app.put('/admin/faults', { preHandler: requireRole('admin') }, async (request) => {
    const b = bodyOf(request.body);
    const ms = optInt(b, 'db_latency_ms', 0, 30_000);
    if (ms !== undefined) {
      const before = deps.db.injectedLatencyMs();
      await deps.db.tx((q) => deps.audit.record(q, userOf(request), { action: 'faults.set', target: 'faults:db_latency_ms', before: { db_latency_ms: before }, after: { db_latency_ms: ms } }));
      deps.db.setInjectedLatencyMs(ms);
      deps.logger.warn({ module: 'admin', db_latency_ms: ms }, 'database latency injection changed');
    }
    return view();
  });
}

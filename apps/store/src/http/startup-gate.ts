/**
 * Until start-up work (migrations, seed) is done, the server already listens, so /health/startup can
 * answer 503 and the kubelet waits; business routes answer 503 STORE_UNAVAILABLE meanwhile instead of
 * failing on tables that do not exist yet.
 */
import type { FastifyInstance } from 'fastify';
import type { StoreDeps } from '../deps.ts';
import type { Startup } from '../startup.ts';
import { StoreError } from './store-error.ts';

export function startupGate(app: FastifyInstance, startup: Pick<Startup, 'done'>, deps: StoreDeps): void {
  const management = new Set([deps.tw.options.metrics.path, deps.tw.options.health.basePath]);
  const base = deps.tw.options.health.basePath;
  app.addHook('onRequest', async (request) => {
    if (startup.done) return;
    const url = request.routeOptions.url;
    if (url !== undefined && (management.has(url) || url.startsWith(`${base}/`))) return;
    throw new StoreError('STORE_UNAVAILABLE', 'the store is starting (migrations are running); retry shortly');
  });
}

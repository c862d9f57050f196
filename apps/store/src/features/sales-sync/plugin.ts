/**
 * Sales sync: every completed sale is queued for the warehouse in the transaction that completes it
 * (`sales_sync`, tillwatch/delivery), and a worker pushes them in batches (sales-sync-worker.ts). Retries,
 * the dead-letter queue and their metrics and alerts are tillwatch's; the sync's own series (records,
 * batch duration, errors by type, last success) are recorded by the worker as before.
 *
 * The worker starts once the store has started and stops with delivery on shutdown: a batch in flight is
 * pushed again after a restart (at least once; the warehouse dedupes by sale id).
 */
import type { FastifyInstance } from 'fastify';
import { requireRole } from '../../auth/auth-plugin.ts';
import type { StoreDeps } from '../../deps.ts';
import { PIPELINE, QUEUE, SalesSync, type SyncJob } from './sales-sync-worker.ts';
import { readSalesSyncOptions } from './sales-sync-options.ts';
import { bindSyncMetrics } from './sync-metrics.ts';
import { WarehouseClient } from './warehouse-client.ts';

export async function salesSyncFeature(app: FastifyInstance, deps: StoreDeps): Promise<void> {
  const options = readSalesSyncOptions(deps.config.env);
  const logger = deps.logger.child({ module: 'sales-sync' });
  const queue = deps.delivery.queue<SyncJob>(QUEUE, { event: 'sale.sync' });
  const sync = new SalesSync({
    db: deps.db,
    queue,
    // Optional for readiness: sales wait in their queue while the warehouse is away.
    client: new WarehouseClient({ baseUrl: options.warehouseUrl, timeoutMs: options.timeoutMs, fetch: deps.dependencies.add({ name: 'warehouse', required: false, check: options.warehouseUrl, checkIntervalMs: deps.config.dependencyCheckIntervalMs }).fetch }),
    metrics: bindSyncMetrics(deps.commerce, PIPELINE),
    logger,
  });

  const unsubscribe = deps.events.beforeCommit('sale.completing', (q, e) => sync.onSaleCompleting(q, e));
  let stopped = false;
  const started = deps.started.then(async (ok) => {
    if (!ok || stopped) return;
    try {
      await sync.adoptOutbox();
      if (options.enabled) await queue.workBatch((jobs) => sync.push(jobs), { batchSize: options.batchSize, pollIntervalMs: options.intervalMs });
    } catch (err) {
      logger.error({ event: 'sales_sync.start_failed', err }, 'sales sync worker failed to start');
    }
  });
  app.addHook('onClose', async () => {
    stopped = true;
    unsubscribe();
    await started;
  });

  app.get('/sales-sync/status', { preHandler: requireRole('manager', 'admin') }, async () => ({
    ...(await sync.status(await deps.delivery.backend.stats(QUEUE))),
    running: options.enabled && !stopped,
    enabled: options.enabled,
    batch_size: options.batchSize,
    poll_interval_ms: options.intervalMs,
  }));
}

/**
 * Sales sync: completed orders go into an outbox (from the order.completed event, from offline sales
 * applied, and from a start-up backfill) and a worker pushes them to the warehouse in batches.
 *
 * The worker starts once the store has started (migrations done) and stops on shutdown: the push in
 * flight is aborted and its batch, not yet marked, goes again at the next start (at-least-once).
 */
import type { FastifyInstance } from 'fastify';
import { requireRole } from '../../auth/auth-plugin.ts';
import type { StoreDeps } from '../../deps.ts';
import { SalesSyncWorker, PIPELINE } from './sales-sync-worker.ts';
import { readSalesSyncOptions } from './sales-sync-options.ts';
import { bindSyncMetrics } from './sync-metrics.ts';
import { WarehouseClient } from './warehouse-client.ts';

export async function salesSyncFeature(app: FastifyInstance, deps: StoreDeps): Promise<void> {
  const options = readSalesSyncOptions(deps.config.env);
  const logger = deps.logger.child({ module: 'sales-sync' });
  const worker = new SalesSyncWorker({
    db: deps.db,
    client: new WarehouseClient({ baseUrl: options.warehouseUrl, timeoutMs: options.timeoutMs }),
    metrics: bindSyncMetrics(deps.commerce, PIPELINE),
    logger,
    batchSize: options.batchSize,
    intervalMs: options.intervalMs,
    maxBatchesPerCycle: 10,
    retentionDays: 7,
  });

  let stopped = false;
  const unsubscribe = deps.events.on('order.completed', async (order) => {
    try {
      await worker.enqueue(order.orderId);
    } catch (err) {
      // The start-up backfill picks the order up after a restart; until then it waits.
      logger.error({ event: 'sales_sync.enqueue_failed', order_id: order.orderId, err }, 'could not add a completed order to the sales outbox');
    }
  });

  const started = deps.started.then(async (ok) => {
    if (!ok || !options.enabled || stopped) return;
    try {
      await worker.start();
    } catch (err) {
      logger.error({ event: 'sales_sync.start_failed', err }, 'sales sync worker failed to start');
    }
  });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      stopped = true;
      unsubscribe();
      await started;
      await worker.stop();
    })());
  app.addHook('onClose', async () => stop());
  deps.tw.onShutdown('sales sync', stop);

  app.get('/sales-sync/status', { preHandler: requireRole('manager', 'admin') }, async () => ({
    ...(await worker.status()),
    enabled: options.enabled,
    batch_size: options.batchSize,
    interval_ms: options.intervalMs,
  }));

  // Runs one cycle now and answers with its result (demos, and after fixing a warehouse outage).
  app.post('/sales-sync/run', { preHandler: requireRole('admin') }, async () => worker.runOnce());
}


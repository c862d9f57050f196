/**
 * Offline terminal sync: `POST /offline/batches` takes the sales a terminal recorded while offline,
 * queues them, applies them and answers per sale; a worker retries what could not be applied yet.
 * The queue's depth and oldest age are gauges, refreshed after every batch and worker cycle.
 */
import type { FastifyInstance } from 'fastify';
import { authenticate, userOf } from '../../auth/auth-plugin.ts';
import type { StoreDeps } from '../../deps.ts';
import { StoreError } from '../../http/store-error.ts';
import { invalid } from '../../http/validate.ts';
import { parseBatch } from './offline-batch.ts';
import { bindOfflineMetrics } from './offline-metrics.ts';
import { readOfflineOptions } from './offline-options.ts';
import { OfflineQueue, type QueuedSaleView } from './offline-queue.ts';

const SALE_STATUSES: readonly QueuedSaleView['status'][] = ['queued', 'applied', 'rejected'];

export async function offlineFeature(app: FastifyInstance, deps: StoreDeps): Promise<void> {
  const options = readOfflineOptions(deps.config.env);
  const logger = deps.logger.child({ module: 'offline' });
  const metrics = bindOfflineMetrics(deps.commerce);
  const queue = new OfflineQueue({
    db: deps.db,
    metrics,
    logger,
    currency: deps.config.currency,
    locations: deps.config.locations,
    maxApplyAttempts: options.maxApplyAttempts,
  });

  // The worker: retries sales left queued and keeps the gauges fresh. It starts once the store has
  // started (migrations done); until then its tables may not exist.
  let timer: NodeJS.Timeout | undefined;
  let cycle: Promise<void> | undefined;
  let stopped = false;
  const tick = (): void => {
    if (stopped) return;
    cycle = (async () => {
      try {
        await queue.applyPending(options.applyBatch);
      } catch (err) {
        logger.error({ event: 'offline.worker_failed', err }, 'offline queue worker cycle failed');
      }
      await queue.refreshGauges();
    })();
    void cycle.finally(() => {
      cycle = undefined;
      if (!stopped) {
        timer = setTimeout(tick, options.applyIntervalMs);
        timer.unref();
      }
    });
  };
  void deps.started.then((started) => {
    if (started) tick();
  });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await cycle;
    })());
  app.addHook('onClose', async () => stop());
  deps.tw.onShutdown('offline queue', stop);

  app.post('/offline/batches', { preHandler: authenticate }, async (request, reply) => {
    const parsed = parseBatch(request.body, deps.config.locations);
    if (!parsed.ok) throw invalid(parsed.error.field, parsed.error.expected, (request.body as Record<string, unknown> | undefined)?.[parsed.error.field]);
    try {
      const result = await queue.enqueue(parsed.batch, userOf(request).sub);
      reply.code(202);
      return result;
    } catch (err) {
      metrics.syncAttempt(parsed.batch.location, 'failure', { applied: 0, duplicates: 0, rejected: 0 });
      throw err;
    }
  });

  app.get('/offline/queue', { preHandler: authenticate }, async (request) => {
    const q = (request.query ?? {}) as Record<string, unknown>;
    let status: QueuedSaleView['status'] | undefined;
    if (q.status !== undefined) {
      if (!(SALE_STATUSES as readonly unknown[]).includes(q.status)) throw invalid('status', `one of ${SALE_STATUSES.join(', ')}`, q.status);
      status = q.status as QueuedSaleView['status'];
    }
    const terminal = typeof q.terminal === 'string' && q.terminal !== '' ? q.terminal.slice(0, 64) : undefined;
    let limit = 50;
    if (q.limit !== undefined) {
      const n = typeof q.limit === 'string' && /^\d+$/.test(q.limit) ? Number(q.limit) : Number.NaN;
      if (!(n >= 1 && n <= 500)) throw invalid('limit', 'an integer between 1 and 500', q.limit);
      limit = n;
    }
    return { depth: await queue.depth(), sales: await queue.list({ terminal, status, limit }) };
  });

  app.get('/offline/sales/:terminal/:client_sale_id', { preHandler: authenticate }, async (request) => {
    const { terminal, client_sale_id: clientSaleId } = request.params as { terminal: string; client_sale_id: string };
    const sale = await queue.get(terminal, clientSaleId);
    if (sale === undefined) throw new StoreError('STORE_OFFLINE_SALE_NOT_FOUND', 'no offline sale with this terminal and client_sale_id', { statusCode: 404 });
    return sale;
  });
}


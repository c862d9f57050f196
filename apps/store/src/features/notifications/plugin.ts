/**
 * Receipt notifications by SMS/WhatsApp: automatic on completion for customers with a phone number on
 * file, and on request for a number given at the till. Every message goes through the durable queue
 * `receipt_notifications` (receipt-notifier.ts), so retries with backoff, the dead-letter queue, the
 * event-failure table and their metrics and alerts come from tillwatch/delivery.
 */
import { createHmac } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { authenticate, requireRole } from '../../auth/auth-plugin.ts';
import type { StoreDeps } from '../../deps.ts';
import { bodyOf, idStr, invalid, str } from '../../http/validate.ts';
import { HttpSmsSender } from './http-sms-sender.ts';
import { bindNotificationMetrics } from './notification-metrics.ts';
import { readNotificationsOptions } from './notifications-options.ts';
import { MESSAGE_CHANNELS, type MessageChannel, type OutboundSender } from './outbound-sender.ts';
import { MESSAGE_STATUSES, ReceiptNotifier, type MessageStatus, type ReceiptJob } from './receipt-notifier.ts';

/** Receipts attempted at once by this instance. */
const WORKER_CONCURRENCY = 4;

export async function notificationsFeature(app: FastifyInstance, deps: StoreDeps): Promise<void> {
  const options = readNotificationsOptions(deps.config.env);
  const logger = deps.logger.child({ module: 'notifications' });
  // The SMS provider is optional for readiness (receipts wait in their queue); a breaker stops hammering it
  // while it is down, and every call is timed as the sms_provider dependency.
  const provider = deps.dependencies.add({ name: 'sms_provider', required: false, check: options.providerUrl, checkIntervalMs: deps.config.dependencyCheckIntervalMs, breaker: { consecutiveFailures: 10, halfOpenAfterMs: 5000 } });
  const sender: OutboundSender = new HttpSmsSender({ baseUrl: options.providerUrl, timeoutMs: options.timeoutMs, fetch: provider.fetch });
  // Sub-keys of the store's secret, so the recipient hash and seal need no secrets of their own.
  const hashKey = createHmac('sha256', deps.config.jwtSecret).update('notifications:recipient-hash').digest();
  const sealKey = createHmac('sha256', deps.config.jwtSecret).update('notifications:recipient-seal').digest();
  let notifier: ReceiptNotifier | undefined;
  const queue = deps.delivery.queue<ReceiptJob>('receipt_notifications', {
    event: 'receipt.send',
    // The event-failure table keeps which message and channel, never the sealed number or the text.
    describe: (p) => ({ message_id: p.message_id, channel: p.channel }),
    onDeadLetter: (job, info) => notifier?.deadLettered(job, info),
  });
  notifier = new ReceiptNotifier({
    db: deps.db,
    queue,
    sender,
    metrics: bindNotificationMetrics(deps.commerce),
    logger,
    hashKey,
    sealKey,
    defaultChannel: options.defaultChannel,
    waitMs: options.waitMs,
  });
  const receipts = notifier;

  const unsubscribe = options.autoSend ? deps.events.beforeCommit('sale.completing', (q, e) => receipts.onSaleCompleting(q, e)) : () => {};
  let stopped = false;
  const started = deps.started.then(async (ok) => {
    if (!ok || stopped) return;
    try {
      await queue.work((job) => receipts.deliver(job), { concurrency: WORKER_CONCURRENCY });
    } catch (err) {
      logger.error({ event: 'notifications.worker_failed', err }, 'the receipt worker failed to start');
    }
  });
  const stop = async (): Promise<void> => {
    stopped = true;
    unsubscribe();
    await started;
  };
  app.addHook('onClose', stop);

  app.post('/notifications/receipts', { preHandler: authenticate }, async (request, reply) => {
    const b = bodyOf(request.body);
    const orderId = idStr(b, 'order_id', deps.tw.redactor, { max: 64 });
    const phone = str(b, 'phone', { max: 32 });
    let channel: MessageChannel = options.defaultChannel;
    if (b.channel !== undefined) {
      if (!(MESSAGE_CHANNELS as readonly unknown[]).includes(b.channel)) throw invalid('channel', `one of ${MESSAGE_CHANNELS.join(', ')}`, b.channel);
      channel = b.channel as MessageChannel;
    }
    const { view, settled } = await receipts.sendReceipt(orderId, phone, channel);
    // 201: queued and its first attempt is known; 202: queued, still waiting; 200: the same receipt was asked for before.
    reply.code(view.duplicate ? 200 : settled ? 201 : 202);
    return view;
  });

  app.get('/notifications/messages', { preHandler: requireRole('manager', 'admin') }, async (request) => {
    const q = (request.query ?? {}) as Record<string, unknown>;
    let status: MessageStatus | undefined;
    if (q.status !== undefined) {
      if (!(MESSAGE_STATUSES as readonly unknown[]).includes(q.status)) throw invalid('status', `one of ${MESSAGE_STATUSES.join(', ')}`, q.status);
      status = q.status as MessageStatus;
    }
    const orderId = typeof q.order_id === 'string' && q.order_id !== '' ? q.order_id.slice(0, 64) : undefined;
    let limit = 50;
    if (q.limit !== undefined) {
      const n = typeof q.limit === 'string' && /^\d+$/.test(q.limit) ? Number(q.limit) : Number.NaN;
      if (!(n >= 1 && n <= 500)) throw invalid('limit', 'an integer between 1 and 500', q.limit);
      limit = n;
    }
    return { messages: await receipts.list({ status, orderId, limit }) };
  });
}

/**
 * Receipt notifications by SMS/WhatsApp: automatic on completion for customers with a phone number on
 * file, and on request for a number given at the till. Sent through one {@link OutboundSender}
 * (outbound-sender.ts), the seam where retries and the dead-letter queue will plug in.
 */
import { createHmac } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { authenticate, requireRole } from '../../auth/auth-plugin.ts';
import type { StoreDeps } from '../../deps.ts';
import { bodyOf, invalid, str } from '../../http/validate.ts';
import { HttpSmsSender } from './http-sms-sender.ts';
import type { NotificationMetrics } from './notification-metrics.ts';
import { readNotificationsOptions } from './notifications-options.ts';
import { MESSAGE_CHANNELS, type MessageChannel, type OutboundSender } from './outbound-sender.ts';
import { ReceiptNotifier, type MessageStatus } from './receipt-notifier.ts';

const STATUSES: readonly MessageStatus[] = ['sending', 'sent', 'failed'];

export async function notificationsFeature(app: FastifyInstance, deps: StoreDeps): Promise<void> {
  const options = readNotificationsOptions(deps.config.env);
  const logger = deps.logger.child({ module: 'notifications' });
  // The one place to wrap the sender (retries, a dead-letter queue).
  const sender: OutboundSender = new HttpSmsSender({ baseUrl: options.providerUrl, timeoutMs: options.timeoutMs });
  // No recorder exists yet for outbound_messages_total (catalogue status: planned); see notification-metrics.ts.
  const metrics: NotificationMetrics = { messageFinished: () => {} };
  // A sub-key of the store's secret, so the recipient hash needs no secret of its own.
  const hashKey = createHmac('sha256', deps.config.jwtSecret).update('notifications:recipient-hash').digest();
  const notifier = new ReceiptNotifier({ db: deps.db, sender, metrics, logger, hashKey, defaultChannel: options.defaultChannel });

  const unsubscribe = options.autoSend
    ? deps.events.on('order.completed', (order) => {
        void notifier.onOrderCompleted(order);
      })
    : () => {};

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      unsubscribe();
      await notifier.drain();
    })());
  app.addHook('onClose', async () => stop());
  deps.tw.onShutdown('notifications', stop);

  app.post('/notifications/receipts', { preHandler: authenticate }, async (request, reply) => {
    const b = bodyOf(request.body);
    const orderId = str(b, 'order_id', { max: 64 });
    const phone = str(b, 'phone', { max: 32 });
    let channel: MessageChannel = options.defaultChannel;
    if (b.channel !== undefined) {
      if (!(MESSAGE_CHANNELS as readonly unknown[]).includes(b.channel)) throw invalid('channel', `one of ${MESSAGE_CHANNELS.join(', ')}`, b.channel);
      channel = b.channel as MessageChannel;
    }
    const message = await notifier.sendReceipt(orderId, phone, channel);
    reply.code(message.duplicate ? 200 : 201);
    return message;
  });

  app.get('/notifications/messages', { preHandler: requireRole('manager', 'admin') }, async (request) => {
    const q = (request.query ?? {}) as Record<string, unknown>;
    let status: MessageStatus | undefined;
    if (q.status !== undefined) {
      if (!(STATUSES as readonly unknown[]).includes(q.status)) throw invalid('status', `one of ${STATUSES.join(', ')}`, q.status);
      status = q.status as MessageStatus;
    }
    const orderId = typeof q.order_id === 'string' && q.order_id !== '' ? q.order_id.slice(0, 64) : undefined;
    let limit = 50;
    if (q.limit !== undefined) {
      const n = typeof q.limit === 'string' && /^\d+$/.test(q.limit) ? Number(q.limit) : Number.NaN;
      if (!(n >= 1 && n <= 500)) throw invalid('limit', 'an integer between 1 and 500', q.limit);
      limit = n;
    }
    return { messages: await notifier.list({ status, orderId, limit }) };
  });
}

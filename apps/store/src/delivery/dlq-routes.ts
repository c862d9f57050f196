/**
 * The dead-letter admin API: what `tillwatch dlq` does, over HTTP, for the store's own queues
 * (receipt_notifications, sales_sync). Views are redacted and replay and purge are audited by
 * tillwatch/delivery's dead-letter admin; the actor is the authenticated user.
 *
 * | method | path | role | body / query | answer |
 * | --- | --- | --- | --- | --- |
 * | GET | /admin/dlq | manager, admin | `?queue&limit&after` | `{ items, next, count }` |
 * | GET | /admin/dlq/:id | manager, admin | | one dead letter with its redacted payload |
 * | POST | /admin/dlq/replay | admin | `{ ids }` or `{ all: true, queue? }` | `{ count, ids }` |
 * | POST | /admin/dlq/purge | admin | `{ ids }` or `{ all: true, queue? }`, `note?` | `{ count, ids }` |
 * | GET | /admin/event-failures | manager, admin | `?state&event&limit` | `{ failures }` |
 */
import type { FastifyInstance } from 'fastify';
import { EVENT_FAILURE_STATES, type DeadLetterSelection, type EventFailureState } from 'tillwatch/delivery';
import { requireRole, userOf } from '../auth/auth-plugin.ts';
import type { StoreDeps } from '../deps.ts';
import { StoreError } from '../http/store-error.ts';
import { bodyOf, invalid, optBool, optFreeText } from '../http/validate.ts';

const QUEUE = /^[a-z][a-z0-9_]{0,62}$/;

function limitOf(raw: unknown, def: number): number {
  if (raw === undefined) return def;
  const n = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(n >= 1 && n <= 1000)) throw invalid('limit', 'an integer between 1 and 1000', raw);
  return n;
}

function queueOf(raw: unknown): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string' || !QUEUE.test(raw)) throw invalid('queue', `a queue name matching ${QUEUE}`, raw);
  return raw;
}

/** `{ ids: [...] }` or `{ all: true, queue? }`, not both, not neither. */
function selectionOf(b: Record<string, unknown>): DeadLetterSelection {
  const all = optBool(b, 'all') === true;
  const ids = b.ids;
  if (ids !== undefined && (!Array.isArray(ids) || ids.length === 0 || ids.length > 1000 || !ids.every((i) => typeof i === 'string' && i.length > 0 && i.length <= 100))) {
    throw invalid('ids', 'an array of 1 to 1000 dead-letter ids', ids);
  }
  if (all === (ids !== undefined)) throw invalid('ids', 'either ids or all: true (not both)', ids);
  return all ? { all: true, queue: queueOf(b.queue) } : { ids: ids as string[] };
}

export async function dlqRoutes(app: FastifyInstance, deps: StoreDeps): Promise<void> {
  const admin = deps.delivery.deadLetters;
  const notFound = (err: unknown): never => {
    if ((err as { code?: string }).code === 'TW_ERR_DELIVERY_NOT_FOUND') throw new StoreError('STORE_DLQ_NOT_FOUND', (err as Error).message, { statusCode: 404 });
    throw err;
  };

  app.get('/admin/dlq', { preHandler: requireRole('manager', 'admin') }, async (request) => {
    const q = (request.query ?? {}) as Record<string, unknown>;
    const queue = queueOf(q.queue);
    const after = typeof q.after === 'string' && q.after !== '' ? q.after.slice(0, 200) : undefined;
    const page = await admin.list({ queue, limit: limitOf(q.limit, 100), after });
    return { ...page, count: await admin.count(queue) };
  });

  app.get('/admin/dlq/:id', { preHandler: requireRole('manager', 'admin') }, async (request) => {
    const { id } = request.params as { id: string };
    const d = await admin.show(id.slice(0, 100));
    if (d === undefined) throw new StoreError('STORE_DLQ_NOT_FOUND', 'no such dead letter (replayed or purged already?)', { statusCode: 404 });
    return d;
  });

  app.post('/admin/dlq/replay', { preHandler: requireRole('admin') }, async (request) => {
    const selection = selectionOf(bodyOf(request.body));
    return admin.replay(selection, { actor: userOf(request).sub }).catch(notFound);
  });

  app.post('/admin/dlq/purge', { preHandler: requireRole('admin') }, async (request) => {
    const b = bodyOf(request.body);
    const selection = selectionOf(b);
    return admin.purge(selection, { actor: userOf(request).sub, note: optFreeText(b, 'note', deps.tw.redactor, { max: 500 }) }).catch(notFound);
  });

  app.get('/admin/event-failures', { preHandler: requireRole('manager', 'admin') }, async (request) => {
    const q = (request.query ?? {}) as Record<string, unknown>;
    if (q.state !== undefined && !(EVENT_FAILURE_STATES as readonly unknown[]).includes(q.state)) throw invalid('state', `one of ${EVENT_FAILURE_STATES.join(', ')}`, q.state);
    const event = typeof q.event === 'string' && q.event !== '' ? q.event.slice(0, 100) : undefined;
    return { failures: await admin.failures({ state: q.state as EventFailureState | undefined, event, limit: limitOf(q.limit, 50) }) };
  });
}

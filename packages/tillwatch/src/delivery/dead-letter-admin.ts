/**
 * Reading and acting on dead letters, for people: `tillwatch dlq` and a service's admin API both go through
 * this, so what they show is redacted the same way and what they do is audited the same way.
 *
 * - Views are redacted: the payload and the error pass the shared redactor before they are returned, so a
 *   dead letter read on a terminal or over HTTP shows no more than a log line would.
 * - Replay moves messages back to their queue with their idempotency key (the envelope is not touched), so
 *   a message that did reach the provider before it was dead-lettered is recognised as a repeat there, and a
 *   dead letter replayed twice is moved once (the second call finds nothing).
 * - Replay and purge are audited: every call produces one audit record per queue with the actor, the action,
 *   the selection and the ids (in chunks of at most 1000 ids per record).
 */
import { TillwatchError } from '@tillwatch/spec';
import type { Redactor } from '@tillwatch/redact';
import type { BackendDeadLetters, DeadLetterSelection, StoredDeadLetter } from './delivery-backend.ts';
import type { EventFailureQuery, EventFailureRow, EventFailureStore } from './event-failures.ts';

/** A dead letter as people see it. */
export interface DeadLetterView {
  readonly id: string;
  readonly queue: string;
  readonly key: string | null;
  readonly event: string | null;
  readonly aggregateId: string | null;
  readonly reason: string;
  readonly error: { readonly reason: string | null; readonly code: string | null; readonly message: string | null } | null;
  readonly attempts: number | null;
  readonly deadLetteredAt: string | null;
  readonly enqueuedAt: string | null;
  /** Only from {@link DeadLetterAdmin.show}: the payload, redacted. */
  readonly payload?: unknown;
}

/** One audited replay or purge (one record per queue, at most 1000 ids each). */
export interface DeadLetterAuditRecord {
  readonly action: 'dlq.replay' | 'dlq.purge';
  /** Who asked: a user id from the service's auth, or `cli:<os user>`. */
  readonly actor: string;
  readonly queue: string;
  readonly selection: 'ids' | 'all';
  readonly ids: readonly string[];
  readonly keys: readonly string[];
  readonly count: number;
  readonly at: string;
  /** Why (purge): free text, redacted. */
  readonly note?: string | undefined;
}

/** Where audit records go. Must not throw; a rejected promise is reported by the caller. */
export type DeadLetterAuditSink = (record: DeadLetterAuditRecord) => void | Promise<void>;

export interface DeadLetterActionResult {
  readonly count: number;
  readonly ids: readonly string[];
}

export interface DeadLetterAdmin {
  list(q?: { readonly queue?: string | undefined; readonly limit?: number | undefined; readonly after?: string | undefined }): Promise<{ readonly items: DeadLetterView[]; readonly next: string | undefined }>;
  /** One dead letter with its (redacted) payload, or undefined. */
  show(id: string): Promise<DeadLetterView | undefined>;
  /**
   * Moves the selected dead letters back to their queues.
   * @throws TillwatchError TW_ERR_DELIVERY_NOT_FOUND when ids were given and none of them is a dead letter.
   */
  replay(selection: DeadLetterSelection, by: { readonly actor: string }): Promise<DeadLetterActionResult>;
  /** Deletes the selected dead letters. @throws as {@link replay}. */
  purge(selection: DeadLetterSelection, by: { readonly actor: string; readonly note?: string | undefined }): Promise<DeadLetterActionResult>;
  count(queue?: string): Promise<number>;
  /** Rows of the event-failure table, newest first (empty without a store). */
  failures(q: EventFailureQuery): Promise<EventFailureRow[]>;
}

export interface DeadLetterAdminOptions {
  readonly deadLetters: BackendDeadLetters;
  readonly redactor: Pick<Redactor, 'value' | 'string'>;
  readonly audit: DeadLetterAuditSink;
  readonly eventFailures?: EventFailureStore | undefined;
}

const MAX_LIST = 1000;
const AUDIT_CHUNK = 1000;

function view(d: StoredDeadLetter, redactor: Pick<Redactor, 'value' | 'string'>, withPayload: boolean): DeadLetterView {
  const scrub = (v: unknown): string | null => (typeof v === 'string' ? redactor.string(v) : null);
  const e = d.envelope;
  return {
    id: d.id,
    queue: d.queue,
    key: e ? redactor.string(e.key) : null,
    event: e ? e.event : null,
    aggregateId: e?.aggregateId !== undefined ? redactor.string(e.aggregateId) : null,
    reason: d.reason,
    error: d.failure ? { reason: scrub(d.failure.reason), code: scrub(d.failure.code), message: scrub(d.failure.message) } : null,
    attempts: d.attempts ?? null,
    deadLetteredAt: d.deadLetteredAt?.toISOString() ?? null,
    enqueuedAt: d.enqueuedAt?.toISOString() ?? null,
    ...(withPayload ? { payload: redactor.value(e ? e.payload : d.rawData) } : {}),
  };
}

/** Builds the admin over a backend's dead letters. */
export function deadLetterAdmin(options: DeadLetterAdminOptions): DeadLetterAdmin {
  const { deadLetters, redactor, audit, eventFailures } = options;

  const act = async (
    action: 'dlq.replay' | 'dlq.purge',
    selection: DeadLetterSelection,
    actor: string,
    note: string | undefined,
    run: (s: DeadLetterSelection) => Promise<StoredDeadLetter[]>,
  ): Promise<DeadLetterActionResult> => {
    const who = redactor.string(String(actor)).slice(0, 200) || 'unknown';
    const done = await run(selection);
    if ('ids' in selection && selection.ids.length > 0 && done.length === 0) {
      throw new TillwatchError('TW_ERR_DELIVERY_NOT_FOUND', `none of the ${selection.ids.length} id(s) is a dead letter (already replayed or purged?)`);
    }
    const byQueue = new Map<string, StoredDeadLetter[]>();
    for (const d of done) byQueue.set(d.queue, [...(byQueue.get(d.queue) ?? []), d]);
    const at = new Date().toISOString();
    for (const [queue, items] of byQueue) {
      for (let i = 0; i < items.length; i += AUDIT_CHUNK) {
        const chunk = items.slice(i, i + AUDIT_CHUNK);
        await audit({
          action,
          actor: who,
          queue,
          selection: 'ids' in selection ? 'ids' : 'all',
          ids: chunk.map((d) => d.id),
          keys: chunk.map((d) => (d.envelope ? redactor.string(d.envelope.key) : d.id)),
          count: items.length,
          at,
          ...(note === undefined ? {} : { note: redactor.string(note).slice(0, 500) }),
        });
      }
    }
    if (eventFailures !== undefined) {
      const keys = done.filter((d) => d.envelope !== undefined).map((d) => ({ event: (d.envelope as NonNullable<StoredDeadLetter['envelope']>).event, key: (d.envelope as NonNullable<StoredDeadLetter['envelope']>).key }));
      await eventFailures.mark(keys, action === 'dlq.replay' ? 'replayed' : 'discarded');
    }
    return { count: done.length, ids: done.map((d) => d.id) };
  };

  return {
    async list(q = {}) {
      const limit = Math.min(Math.max(1, Math.floor(q.limit ?? 100)), MAX_LIST);
      const page = await deadLetters.list({ queue: q.queue, limit, after: q.after });
      return { items: page.items.map((d) => view(d, redactor, false)), next: page.next };
    },
    async show(id) {
      const d = await deadLetters.get(id);
      return d === undefined ? undefined : view(d, redactor, true);
    },
    replay: (selection, by) => act('dlq.replay', selection, by.actor, undefined, (s) => deadLetters.replay(s)),
    purge: (selection, by) => act('dlq.purge', selection, by.actor, by.note, (s) => deadLetters.purge(s)),
    count: (queue) => deadLetters.count(queue),
    async failures(q) {
      return eventFailures === undefined ? [] : eventFailures.list({ ...q, limit: Math.min(Math.max(1, q.limit), MAX_LIST) });
    },
  };
}

/**
 * An in-memory event-failure table with the semantics of `sqlEventFailureStore` (delivery/event-failures.ts):
 * for tests, and for services that run `tillwatch/delivery` without a SQL database (BullMQ on Redis) and
 * still want `tillwatch dlq failures`-style answers from their admin API while the process lives.
 */
import type { Redactor } from '@tillwatch/redact';
import type { EventFailureRow, EventFailureStore } from '../delivery/event-failures.ts';

/** Creates the store. Rows pass `redactor` before they are kept, as in the SQL store. */
export function memoryEventFailureStore(redactor: Pick<Redactor, 'value' | 'string'>): EventFailureStore & { readonly rows: ReadonlyMap<string, EventFailureRow> } {
  const rows = new Map<string, EventFailureRow>();
  const id = (event: string, key: string): string => `${event}\u0000${key}`;
  return {
    rows,
    async ensureSchema() {},
    async record(r) {
      const now = new Date();
      const err = { reason: r.failure.reason, code: redactor.string(r.failure.code), message: redactor.string(r.failure.message) };
      const before = rows.get(id(r.event, r.key));
      rows.set(id(r.event, r.key), {
        event: r.event,
        key: r.key,
        aggregateId: r.aggregateId ?? before?.aggregateId ?? null,
        queue: r.queue ?? before?.queue ?? null,
        state: r.state,
        attempts: (before?.attempts ?? 0) + 1,
        firstError: before?.firstError ?? err,
        lastError: err,
        payload: r.payload === undefined ? (before?.payload ?? null) : redactor.value(r.payload),
        firstSeen: before?.firstSeen ?? now,
        lastSeen: now,
        resolvedAt: null,
      });
    },
    async resolve(event, key) {
      const row = rows.get(id(event, key));
      if (row !== undefined && row.state !== 'resolved') rows.set(id(event, key), { ...row, state: 'resolved', resolvedAt: new Date() });
    },
    async mark(items, state) {
      let n = 0;
      for (const i of items) {
        const row = rows.get(id(i.event, i.key));
        if (row !== undefined && row.state !== 'resolved') {
          rows.set(id(i.event, i.key), { ...row, state, lastSeen: new Date() });
          n++;
        }
      }
      return n;
    },
    async list(q) {
      return [...rows.values()]
        .filter((r) => (q.state === undefined || r.state === q.state) && (q.event === undefined || r.event === q.event))
        .filter((r) => q.before === undefined || r.lastSeen < q.before.lastSeen)
        .sort((a, b) => b.lastSeen.getTime() - a.lastSeen.getTime())
        .slice(0, q.limit);
    },
  };
}

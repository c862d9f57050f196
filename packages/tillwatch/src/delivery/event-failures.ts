/**
 * The event-failure table: one row per failing event (an event type and a key: the message's idempotency key,
 * or the id of what the event was about), with how many attempts failed, the first and the last error and
 * their codes, when it was first and last seen, and its state. It answers "which receipts are failing, since
 * when, and why?" without reading logs, and it is what `tillwatch dlq failures` lists.
 *
 * Payloads and error texts pass the shared redactor here, before anything is written, whoever calls: the
 * table is a sink like any log (principle: nothing sensitive leaves the process).
 *
 * States: `retrying` (a retry is scheduled), `failed` (an event handler threw; events are not retried),
 * `dead_lettered`, `replayed` (moved back from the dead-letter queue, not yet delivered), `resolved`
 * (delivered after failing) and `discarded` (purged from the dead-letter queue).
 */
import { TillwatchConfigError } from '@tillwatch/spec';
import type { Redactor } from '@tillwatch/redact';
import type { DeliveryFailure } from './delivery-error.ts';
import type { SqlExecutor } from './delivery-backend.ts';

export type EventFailureState = 'retrying' | 'failed' | 'dead_lettered' | 'replayed' | 'resolved' | 'discarded';
export const EVENT_FAILURE_STATES: readonly EventFailureState[] = ['retrying', 'failed', 'dead_lettered', 'replayed', 'resolved', 'discarded'];

/** One failed attempt or handler call, as recorded. */
export interface EventFailureRecord {
  readonly event: string;
  /** The idempotency key of the message, or the id of the thing the event is about. */
  readonly key: string;
  readonly aggregateId?: string | undefined;
  readonly queue?: string | undefined;
  readonly failure: DeliveryFailure;
  readonly state: 'retrying' | 'failed' | 'dead_lettered';
  /** Stored after redaction; omitted means keep what is stored. */
  readonly payload?: unknown;
}

/** A row, as listed. */
export interface EventFailureRow {
  readonly event: string;
  readonly key: string;
  readonly aggregateId: string | null;
  readonly queue: string | null;
  readonly state: EventFailureState;
  readonly attempts: number;
  readonly firstError: { readonly reason: string; readonly code: string; readonly message: string };
  readonly lastError: { readonly reason: string; readonly code: string; readonly message: string };
  readonly payload: unknown;
  readonly firstSeen: Date;
  readonly lastSeen: Date;
  readonly resolvedAt: Date | null;
}

export interface EventFailureQuery {
  readonly state?: EventFailureState | undefined;
  readonly event?: string | undefined;
  readonly limit: number;
  /** The `lastSeen` and key of the last row of the previous page (newest first). */
  readonly before?: { readonly lastSeen: Date; readonly event: string; readonly key: string } | undefined;
}

/** Where event failures are kept. {@link sqlEventFailureStore} for Postgres and PGlite; `tillwatch/testing` has an in-memory one. */
export interface EventFailureStore {
  /** Creates the table when it does not exist. Idempotent. */
  ensureSchema(): Promise<void>;
  record(r: EventFailureRecord): Promise<void>;
  /** Marks the row of a delivered message `resolved` (no-op when there is none). */
  resolve(event: string, key: string): Promise<void>;
  /** Sets the state of the rows of these keys (replayed or discarded by `tillwatch dlq`); resolves with how many changed. */
  mark(items: readonly { readonly event: string; readonly key: string }[], state: 'replayed' | 'discarded'): Promise<number>;
  list(q: EventFailureQuery): Promise<EventFailureRow[]>;
}

export interface SqlEventFailureStoreOptions {
  readonly db: SqlExecutor;
  /** The shared redactor (`tw.redactor`): payloads and messages pass it before they are written. */
  readonly redactor: Pick<Redactor, 'value' | 'string'>;
  /** Table name. Default `tillwatch_event_failures`. */
  readonly table?: string;
}

interface Row {
  event_type: string;
  failure_key: string;
  aggregate_id: string | null;
  queue: string | null;
  state: EventFailureState;
  attempts: number;
  first_reason: string;
  first_code: string;
  first_error: string;
  last_reason: string;
  last_code: string;
  last_error: string;
  payload: unknown;
  first_seen: Date | string;
  last_seen: Date | string;
  resolved_at: Date | string | null;
}

const date = (v: Date | string): Date => (v instanceof Date ? v : new Date(v));

/** The table's DDL, for services that keep their schema in their own migrations. */
export function eventFailuresTableSql(table = 'tillwatch_event_failures'): string {
  return `CREATE TABLE IF NOT EXISTS ${table} (
  event_type TEXT NOT NULL,
  failure_key TEXT NOT NULL,
  aggregate_id TEXT,
  queue TEXT,
  state TEXT NOT NULL CHECK (state IN (${EVENT_FAILURE_STATES.map((s) => `'${s}'`).join(', ')})),
  attempts INTEGER NOT NULL,
  first_reason TEXT NOT NULL,
  first_code TEXT NOT NULL,
  first_error TEXT NOT NULL,
  last_reason TEXT NOT NULL,
  last_code TEXT NOT NULL,
  last_error TEXT NOT NULL,
  payload JSONB,
  first_seen TIMESTAMPTZ NOT NULL DEFAULT now(),
  last_seen TIMESTAMPTZ NOT NULL DEFAULT now(),
  resolved_at TIMESTAMPTZ,
  PRIMARY KEY (event_type, failure_key)
);
CREATE INDEX IF NOT EXISTS ${table}_recent ON ${table} (last_seen DESC, event_type, failure_key);
CREATE INDEX IF NOT EXISTS ${table}_open ON ${table} (state, last_seen DESC) WHERE state <> 'resolved'`;
}

/**
 * The event-failure table on Postgres or PGlite.
 *
 * @example
 * const failures = sqlEventFailureStore({ db: { query: async (sql, params) => (await pool.query(sql, params)).rows }, redactor: tw.redactor });
 * await failures.ensureSchema();
 * @throws TillwatchConfigError TW_ERR_DELIVERY_INVALID_OPTIONS when `table` is not a plain SQL identifier.
 */
export function sqlEventFailureStore(options: SqlEventFailureStoreOptions): EventFailureStore {
  const table = options.table ?? 'tillwatch_event_failures';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(table)) {
    throw new TillwatchConfigError([{ option: 'eventFailures.table', expected: 'a lower-case SQL identifier of at most 63 characters', got: JSON.stringify(table.slice(0, 70)), code: 'TW_ERR_DELIVERY_INVALID_OPTIONS' }]);
  }
  const { db, redactor } = options;
  const text = (s: string, max: number): string => redactor.string(s).slice(0, max);
  return {
    async ensureSchema() {
      for (const statement of eventFailuresTableSql(table).split(';\n')) await db.query(statement);
    },
    async record(r) {
      const payload = r.payload === undefined ? null : JSON.stringify(redactor.value(r.payload));
      const f = r.failure;
      await db.query(
        `INSERT INTO ${table} (event_type, failure_key, aggregate_id, queue, state, attempts, first_reason, first_code, first_error, last_reason, last_code, last_error, payload)
         VALUES ($1, $2, $3, $4, $5, 1, $6, $7, $8, $6, $7, $8, $9::jsonb)
         ON CONFLICT (event_type, failure_key) DO UPDATE SET
           attempts = ${table}.attempts + 1, state = EXCLUDED.state, last_reason = EXCLUDED.last_reason, last_code = EXCLUDED.last_code,
           last_error = EXCLUDED.last_error, last_seen = now(), resolved_at = NULL,
           payload = COALESCE(EXCLUDED.payload, ${table}.payload), aggregate_id = COALESCE(EXCLUDED.aggregate_id, ${table}.aggregate_id)`,
        [text(r.event, 100), text(r.key, 200), r.aggregateId === undefined ? null : text(r.aggregateId, 200), r.queue ?? null, r.state, f.reason, text(f.code, 100), text(f.message, 1000), payload],
      );
    },
    async resolve(event, key) {
      await db.query(`UPDATE ${table} SET state = 'resolved', resolved_at = now() WHERE event_type = $1 AND failure_key = $2 AND state <> 'resolved'`, [event, key]);
    },
    async mark(items, state) {
      if (items.length === 0) return 0;
      const rows = await db.query<{ n: number }>(
        `WITH changed AS (
           UPDATE ${table} t SET state = $3, last_seen = now()
             FROM unnest($1::text[], $2::text[]) AS k(event_type, failure_key)
            WHERE t.event_type = k.event_type AND t.failure_key = k.failure_key AND t.state <> 'resolved'
           RETURNING 1)
         SELECT count(*)::int AS n FROM changed`,
        [items.map((i) => i.event), items.map((i) => i.key), state],
      );
      return Number(rows[0]?.n ?? 0);
    },
    async list(q) {
      const rows = await db.query<Row>(
        `SELECT * FROM ${table}
          WHERE ($1::text IS NULL OR state = $1) AND ($2::text IS NULL OR event_type = $2)
            AND ($3::timestamptz IS NULL OR (last_seen, event_type, failure_key) < ($3::timestamptz, $4::text, $5::text))
          ORDER BY last_seen DESC, event_type DESC, failure_key DESC LIMIT $6`,
        [q.state ?? null, q.event ?? null, q.before?.lastSeen ?? null, q.before?.event ?? null, q.before?.key ?? null, q.limit],
      );
      return rows.map((r) => ({
        event: r.event_type,
        key: r.failure_key,
        aggregateId: r.aggregate_id,
        queue: r.queue,
        state: r.state,
        attempts: r.attempts,
        firstError: { reason: r.first_reason, code: r.first_code, message: r.first_error },
        lastError: { reason: r.last_reason, code: r.last_code, message: r.last_error },
        payload: typeof r.payload === 'string' ? (JSON.parse(r.payload) as unknown) : r.payload,
        firstSeen: date(r.first_seen),
        lastSeen: date(r.last_seen),
        resolvedAt: r.resolved_at === null ? null : date(r.resolved_at),
      }));
    },
  };
}

/**
 * The seam between tillwatch's delivery logic and a queue library. A backend stores messages durably,
 * hands them to workers, keeps the attempt count, schedules a retry when asked, moves a message to its
 * dead-letter queue when asked, and answers for its dead letters. tillwatch decides (retry policy,
 * classification), records (metrics, event failures, logs) and stays the same over every backend:
 *
 * | backend | where | transactional enqueue | dead-letter queue |
 * | --- | --- | --- | --- |
 * | {@link pgBossBackend} (delivery/backends/pg-boss-backend.ts) | Postgres, or PGlite in process | yes, in the caller's transaction | pg-boss's own (`<queue>.dlq`), redrive for replay |
 * | {@link bullmqBackend} (delivery/backends/bullmq-backend.ts) | Redis | no (Redis and the database cannot share a transaction) | BullMQ's failed set of the queue, `job.retry()` for replay |
 */
import type { DeliveryFailure } from './delivery-error.ts';
import type { DeadLetterReason } from '@tillwatch/spec';

/** Something SQL runs on: a pool, an embedded database, or an open transaction. Rows come back as objects. */
export interface SqlExecutor {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

/**
 * A {@link SqlExecutor} over anything with node-postgres' `query(text, values)` shape answering `{ rows }`:
 * a pg `Pool` or `Client`, a PGlite instance, or a PGlite transaction.
 *
 * @example
 * const failures = sqlEventFailureStore({ db: sqlExecutor(pool), redactor: tw.redactor });
 * await pglite.transaction((tx) => receipts.enqueue(payload, { key, tx: sqlExecutor(tx) }));
 */
export function sqlExecutor(client: { query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }> }): SqlExecutor {
  return { query: async <T>(text: string, params?: unknown[]) => (await client.query(text, params)).rows as T[] };
}

/** What tillwatch stores as the job's data: the payload plus what delivery needs to know about it. */
export interface Envelope<T = unknown> {
  /** Envelope version, so a later shape can still read older jobs. */
  readonly v: 1;
  /** The idempotency key: stable for the logical message, sent to the provider, kept through retries and replays. */
  readonly key: string;
  /** Event type, e.g. `receipt.send` (a metric label and a column of the event-failure table). */
  readonly event: string;
  /** The business object the message is about (an order id), for people reading dead letters. */
  readonly aggregateId?: string | undefined;
  readonly payload: T;
}

/** One message handed to a worker. */
export interface BackendJob<T = unknown> {
  /** The backend's id of this job. */
  readonly id: string;
  readonly queue: string;
  readonly envelope: Envelope<T>;
  /** 1 for the first attempt; an attempt lost to a crash counts. */
  readonly attempt: number;
  /** When the message was enqueued (or replayed): the start of its retry budget. */
  readonly enqueuedAt: Date;
  /** True when the message failed before: a retry, or a replay from the dead-letter queue. */
  readonly failedBefore: boolean;
  /** Aborted when the backend takes the job back (its lease expired) or the worker stops. */
  readonly signal: AbortSignal;
  /** The job's data is not a tillwatch envelope: it is dead-lettered as `poison_message` without calling the handler. */
  readonly poison?: boolean;
  /** The backend's own attempt limit for this job, when it may be lower than the policy's (it was enqueued under an older setting). */
  readonly maxAttempts?: number;
}

/** How tillwatch settled one job; the backend applies it durably. */
export type Settlement =
  | { readonly kind: 'complete' }
  | { readonly kind: 'retry'; readonly delayMs: number; readonly failure: DeliveryFailure }
  | { readonly kind: 'dead_letter'; readonly reason: DeadLetterReason; readonly failure: DeliveryFailure; readonly attempts: number };

/** What a backend needs to know to create a queue. */
export interface QueueSettings {
  readonly name: string;
  /** The retry policy's attempt limit, so the backend's own count (crashed attempts) stops at the same place. */
  readonly maxAttempts: number;
  /** How long a worker may hold a job before the backend hands it to another (the crash-recovery lease). */
  readonly leaseSeconds: number;
}

export interface WorkSettings {
  /** Jobs handed to one `handle` call at most (a backend without batches hands one). */
  readonly batchSize: number;
  /** `handle` calls in flight at once in this process. */
  readonly concurrency: number;
  /** How often an idle worker looks for new jobs. */
  readonly pollIntervalMs: number;
}

/** A queue's state for the gauges. */
export interface BackendQueueStats {
  readonly depth: number;
  readonly oldestAgeSeconds: number;
  readonly deadLetters: number;
}

/** A dead letter as the backend stores it (not yet redacted for display). */
export interface StoredDeadLetter {
  readonly id: string;
  readonly queue: string;
  readonly envelope: Envelope | undefined;
  /** The raw job data when it is not a tillwatch envelope (a job another producer put on the queue). */
  readonly rawData: unknown;
  readonly reason: DeadLetterReason;
  readonly failure: Partial<DeliveryFailure> | undefined;
  readonly attempts: number | undefined;
  readonly deadLetteredAt: Date | undefined;
  readonly enqueuedAt: Date | undefined;
}

/** Which dead letters an admin call is about: some ids, or every one of a queue (or of every queue). */
export type DeadLetterSelection = { readonly ids: readonly string[] } | { readonly all: true; readonly queue?: string | undefined };

export interface DeadLetterPage {
  readonly items: readonly StoredDeadLetter[];
  /** Pass as `after` for the next page; undefined on the last page. */
  readonly next: string | undefined;
}

/** The dead-letter half of a backend. */
export interface BackendDeadLetters {
  list(q: { readonly queue?: string | undefined; readonly limit: number; readonly after?: string | undefined }): Promise<DeadLetterPage>;
  get(id: string): Promise<StoredDeadLetter | undefined>;
  /** Moves the selected dead letters back to their queues; resolves with the ids moved (replaying one twice moves it once). */
  replay(selection: DeadLetterSelection): Promise<StoredDeadLetter[]>;
  /** Deletes the selected dead letters; resolves with what was deleted. */
  purge(selection: DeadLetterSelection): Promise<StoredDeadLetter[]>;
  count(queue?: string): Promise<number>;
}

/**
 * A queue library behind tillwatch's delivery. Implemented by {@link pgBossBackend} and {@link bullmqBackend};
 * another library plugs in by implementing this interface.
 */
export interface DeliveryBackend {
  readonly kind: string;
  /** True when {@link enqueue} can join the caller's database transaction. */
  readonly transactional: boolean;
  /**
   * True when the backend fetches several jobs per `handle` call. Single-job workers then fetch a batch and
   * attempt its jobs in parallel (a fetch per job would cost a poll interval each); otherwise they run
   * `concurrency` one-job calls.
   */
  readonly batches: boolean;
  /** Prepares the backend (schema, connections). Idempotent. */
  start(): Promise<void>;
  /** Creates or updates a queue and its dead-letter queue. Idempotent. */
  ensureQueue(settings: QueueSettings): Promise<void>;
  /**
   * Stores a message. With `tx` (transactional backends only) the message commits or rolls back with the
   * caller's transaction. Rejects when it could not be stored: the caller must not consider it sent.
   */
  enqueue(queue: string, envelope: Envelope, options: { readonly tx?: SqlExecutor | undefined; readonly delayMs?: number | undefined }): Promise<string>;
  /**
   * Hands jobs to `handle` until {@link stop}; `handle` resolves with one settlement per job (same order).
   * `handle` never rejects.
   */
  work(queue: string, settings: WorkSettings, handle: (jobs: readonly BackendJob[]) => Promise<readonly Settlement[]>): Promise<void>;
  stats(queue: string): Promise<BackendQueueStats>;
  readonly deadLetters: BackendDeadLetters;
  /** SQL on the backend's own database connection (SQL backends): the CLI reads the event-failure table through it. */
  readonly sql?: SqlExecutor | undefined;
  /** Stops workers (jobs in hand are given back when their handler finishes or their lease ends) and closes what the backend opened. */
  stop(): Promise<void>;
}

/** Reads a job's data as an envelope; undefined when it is not one (another producer's job, or a corrupt row). */
export function asEnvelope(data: unknown): Envelope | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const d = data as Record<string, unknown>;
  if (d.v !== 1 || typeof d.key !== 'string' || typeof d.event !== 'string' || !('payload' in d)) return undefined;
  return d as unknown as Envelope;
}

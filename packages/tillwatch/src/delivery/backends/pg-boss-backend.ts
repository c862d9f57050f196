/**
 * The pg-boss backend (https://github.com/timgit/pg-boss, an optional peer dependency, imported lazily): the
 * durable queue on the service's own Postgres, or on PGlite in process (pg-boss 12 ships a PGlite adapter and
 * a `pglite` backend profile; tested on both here). pg-boss keeps the jobs, claims them with SKIP LOCKED,
 * counts attempts, takes a job back from a worker that died (its `expireInSeconds` lease) and keeps each
 * queue's dead letters in a dead-letter queue with their provenance, which `redrive` moves back.
 *
 * Where tillwatch steers it:
 * - **Retry delays.** pg-boss's own backoff is "equal jitter" in whole seconds; tillwatch's policy is full
 *   jitter in milliseconds. A retry is therefore settled by tillwatch in one transaction: `fail` (pg-boss moves
 *   the job to `retry` and counts the attempt) then `update` its `startAfter` to the policy's delay. The
 *   queue's own backoff settings are the policy's, rounded to seconds, and only apply when that transaction
 *   could not run (the job then retries on pg-boss's schedule, never sooner than the base delay).
 * - **Dead letters.** A permanent error or a spent budget is dead-lettered at once through `perJobResults`
 *   (`deadletter`), with the classified, redacted failure as the job's output.
 * - **Gauges.** One count per queue over pg-boss's job table (state before `completed`), because pg-boss's own
 *   queue statistics are refreshed at most once a minute.
 */
import { LABEL_VALUES, TillwatchConfigError, TillwatchError, type DeadLetterReason } from '@tillwatch/spec';
import type { DeliveryFailure } from '../delivery-error.ts';
import {
  asEnvelope,
  type BackendDeadLetters,
  type BackendJob,
  type BackendQueueStats,
  type DeadLetterPage,
  type DeadLetterSelection,
  type DeliveryBackend,
  type Envelope,
  type QueueSettings,
  type Settlement,
  type SqlExecutor,
  type StoredDeadLetter,
  type WorkSettings,
} from '../delivery-backend.ts';

/** pg-boss's database interface (its `IDatabase`), described structurally. */
interface PgBossDb {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: any[] }>;
  beginTransaction?(): Promise<{ db: PgBossDb; commit(): Promise<void>; rollback(): Promise<void> }>;
}

interface PgBossJob {
  id: string;
  name: string;
  data: unknown;
  retryCount: number;
  retryLimit?: number;
  createdOn: Date | string;
  signal: AbortSignal;
  state?: string;
  output?: unknown;
  sourceName?: string | null;
  sourceCreatedOn?: Date | string | null;
  sourceRetryCount?: number | null;
  sourceOutput?: unknown;
  sourceRootId?: string | null;
}

/** The part of pg-boss's `PgBoss` class this backend uses. */
interface PgBossLike {
  on(event: 'error' | 'warning', listener: (payload: unknown) => void): unknown;
  start(): Promise<unknown>;
  stop(options?: { graceful?: boolean; close?: boolean; timeout?: number }): Promise<void>;
  createQueue(name: string, options?: Record<string, unknown>): Promise<void>;
  updateQueue(name: string, options: Record<string, unknown>): Promise<void>;
  getQueue(name: string): Promise<{ name: string; table: string } | null>;
  getQueues(): Promise<{ name: string; table: string; deadLetter?: string | null }[]>;
  send(name: string, data: object, options?: Record<string, unknown>): Promise<string | null>;
  work(name: string, options: Record<string, unknown>, handler: (jobs: PgBossJob[]) => Promise<unknown>): Promise<string>;
  offWork(name: string, options?: { wait?: boolean }): Promise<void>;
  fail(name: string, job: { id: string; retryCount: number }, data: object, options?: { db?: PgBossDb }): Promise<{ affected: number }>;
  update(request: { name: string; options: Record<string, unknown> }): Promise<unknown>;
  findJobs(name: string, options?: Record<string, unknown>): Promise<PgBossJob[]>;
  getJobById(name: string, id: string): Promise<PgBossJob | null>;
  redrive(name: string, options: Record<string, unknown>): Promise<number>;
  deleteJob(name: string, ids: string[]): Promise<unknown>;
  getDb(): PgBossDb;
}

/** A node-postgres `Pool` (or anything with its `query` and `connect`). */
export interface PgPoolLike {
  query(text: string, values?: unknown[]): Promise<{ rows: any[] }>;
  connect(): Promise<{ query(text: string, values?: unknown[]): Promise<{ rows: any[] }>; release(destroy?: boolean): void }>;
}

/** A PGlite instance (`@electric-sql/pglite`). */
export interface PGliteLike {
  query(text: string, values?: unknown[]): Promise<{ rows: any[] }>;
  exec(text: string): Promise<unknown>;
  transaction<T>(fn: (tx: { query(text: string, values?: unknown[]): Promise<{ rows: any[] }> }) => Promise<T>): Promise<T>;
}

export interface PgBossBackendOptions {
  /** The service's node-postgres pool (pg-boss shares it), or ... */
  readonly pool?: PgPoolLike;
  /** ... the service's PGlite instance (embedded: pg-boss runs in the same process and database), or ... */
  readonly pglite?: PGliteLike;
  /** ... a connection string (pg-boss opens its own pool; the CLI uses this with DATABASE_URL). */
  readonly connectionString?: string;
  /** Schema of pg-boss's tables. Default `pgboss`. */
  readonly schema?: string;
  /**
   * Run pg-boss's maintenance in this process: create and migrate its schema, take back jobs whose lease
   * expired, delete old jobs. Default true; the CLI turns it off (it only reads and moves dead letters).
   */
  readonly maintenance?: boolean;
  /** How often expired leases are looked for (a crashed worker's jobs come back within lease + this). Default 30. */
  readonly superviseIntervalSeconds?: number;
  /** How long dead letters are kept before pg-boss deletes them. Default 365 days (pg-boss's maximum is unbounded; 14 days is its default). */
  readonly deadLetterRetentionDays?: number;
  /** Receives pg-boss's `error` and `warning` events (logged by the delivery module). */
  readonly onLibraryEvent?: (kind: 'error' | 'warning', payload: unknown) => void;
}

/** The dead-letter queue of a queue. pg-boss names allow `[\w.\-/]`; the suffix keeps them next to each other in listings. */
export const deadLetterQueueOf = (queue: string): string => `${queue}.dlq`;
const DLQ_SUFFIX = '.dlq';
const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
const QUEUE_NAME = /^[\w.\-/]+$/;

type TxRunner = <T>(fn: (db: PgBossDb) => Promise<T>) => Promise<T>;

function poolDb(pool: PgPoolLike): { db: PgBossDb; tx: TxRunner } {
  const db: PgBossDb = { executeSql: (text, values) => pool.query(text, values) };
  const tx: TxRunner = async (fn) => {
    const client = await pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await fn({ executeSql: (text, values) => client.query(text, values) });
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw err;
    } finally {
      client.release(broken);
    }
  };
  return { db, tx };
}

function pgliteTx(pglite: PGliteLike): TxRunner {
  return (fn) => pglite.transaction((t) => fn({ executeSql: (text, values) => t.query(text, values) }));
}

function builtInTx(boss: PgBossLike): TxRunner {
  return async (fn) => {
    const db = boss.getDb();
    if (db.beginTransaction === undefined) throw new TillwatchError('TW_ERR_DELIVERY_BACKEND', 'pg-boss database adapter cannot open transactions');
    const t = await db.beginTransaction();
    try {
      const r = await fn(t.db);
      await t.commit();
      return r;
    } catch (err) {
      await t.rollback();
      throw err;
    }
  };
}

/** An executor handed in by the caller (their open transaction) as pg-boss's `db` option. */
function executorDb(q: SqlExecutor): PgBossDb {
  return { executeSql: async (text, values) => ({ rows: await q.query(text, values) }) };
}

async function importPgBoss(): Promise<typeof import('pg-boss')> {
  try {
    return await import('pg-boss');
  } catch (err) {
    throw new TillwatchError('TW_ERR_DELIVERY_MISSING_PEER', 'the pg-boss delivery backend needs the pg-boss package: npm install pg-boss@^12', { cause: err });
  }
}

const toDate = (v: Date | string | null | undefined): Date | undefined => (v === null || v === undefined ? undefined : v instanceof Date ? v : new Date(v));

const REASONS: ReadonlySet<string> = new Set(LABEL_VALUES.deadLetterReason);

function storedDeadLetter(job: PgBossJob): StoredDeadLetter {
  const out = (typeof job.sourceOutput === 'object' && job.sourceOutput !== null ? job.sourceOutput : {}) as Record<string, unknown>;
  // A job pg-boss dead-lettered itself (its lease expired on the last attempt) carries pg-boss's output,
  // not tillwatch's: its attempts are spent, hence max_retries.
  const reason = typeof out.reason === 'string' && REASONS.has(out.reason) ? (out.reason as DeadLetterReason) : 'max_retries';
  const failure = typeof out.failure === 'object' && out.failure !== null ? (out.failure as Partial<DeliveryFailure>) : typeof out.message === 'string' ? { message: out.message, code: 'lease_expired' } : undefined;
  const queue = job.sourceName ?? (job.name.endsWith(DLQ_SUFFIX) ? job.name.slice(0, -DLQ_SUFFIX.length) : job.name);
  return {
    id: job.id,
    queue,
    envelope: asEnvelope(job.data),
    rawData: job.data,
    reason,
    failure,
    attempts: typeof out.attempts === 'number' ? out.attempts : typeof job.sourceRetryCount === 'number' ? job.sourceRetryCount + 1 : undefined,
    deadLetteredAt: toDate(job.createdOn),
    enqueuedAt: toDate(job.sourceCreatedOn),
  };
}

/**
 * Creates the pg-boss backend. Give it exactly one of `pool`, `pglite` or `connectionString`.
 *
 * @example
 * import { createDelivery, pgBossBackend } from 'tillwatch/delivery';
 * const delivery = createDelivery({ tillwatch: tw, backend: await pgBossBackend({ pool }) });
 * @throws TillwatchConfigError TW_ERR_DELIVERY_INVALID_OPTIONS when none or several connections are given.
 * @throws TillwatchError TW_ERR_DELIVERY_MISSING_PEER when pg-boss is not installed.
 */
export async function pgBossBackend(options: PgBossBackendOptions): Promise<DeliveryBackend> {
  const given = (['pool', 'pglite', 'connectionString'] as const).filter((k) => options[k] !== undefined);
  if (given.length !== 1) {
    throw new TillwatchConfigError([
      { option: 'pgBossBackend', expected: 'exactly one of pool, pglite or connectionString', got: given.length === 0 ? 'none' : given.join(' and '), code: 'TW_ERR_DELIVERY_INVALID_OPTIONS' },
    ]);
  }
  const schema = options.schema ?? 'pgboss';
  if (!IDENTIFIER.test(schema)) {
    throw new TillwatchConfigError([{ option: 'pgBossBackend.schema', expected: `a lower-case SQL identifier matching ${IDENTIFIER}`, got: JSON.stringify(schema.slice(0, 40)), code: 'TW_ERR_DELIVERY_INVALID_OPTIONS' }]);
  }
  const { PgBoss, fromPglite } = await importPgBoss();
  const maintenance = options.maintenance ?? true;
  const common = {
    schema,
    schedule: false,
    supervise: maintenance,
    migrate: maintenance,
    createSchema: maintenance,
    registerInstance: maintenance,
    superviseIntervalSeconds: options.superviseIntervalSeconds ?? 30,
    monitorIntervalSeconds: options.superviseIntervalSeconds ?? 30,
  };
  let boss: PgBossLike;
  let tx: TxRunner;
  let sql: PgBossDb;
  if (options.pool !== undefined) {
    const p = poolDb(options.pool);
    boss = new PgBoss({ ...common, db: p.db }) as unknown as PgBossLike;
    tx = p.tx;
    sql = p.db;
  } else if (options.pglite !== undefined) {
    const db = fromPglite(options.pglite as never) as unknown as PgBossDb;
    boss = new PgBoss({ ...common, db: db as never, backend: 'pglite' }) as unknown as PgBossLike;
    tx = pgliteTx(options.pglite);
    sql = db;
  } else {
    boss = new PgBoss({ ...common, connectionString: options.connectionString as string, max: 4 }) as unknown as PgBossLike;
    tx = builtInTx(boss);
    sql = { executeSql: (text, values) => boss.getDb().executeSql(text, values) };
  }
  boss.on('error', (e) => options.onLibraryEvent?.('error', e));
  boss.on('warning', (w) => options.onLibraryEvent?.('warning', w));
  return new PgBossBackend(boss, tx, sql, schema, (options.deadLetterRetentionDays ?? 365) * 86_400);
}

class PgBossBackend implements DeliveryBackend {
  readonly kind = 'pg-boss';
  readonly transactional = true;
  readonly batches = true;
  readonly deadLetters: BackendDeadLetters;
  readonly sql: SqlExecutor;
  readonly #boss: PgBossLike;
  readonly #tx: TxRunner;
  readonly #sql: PgBossDb;
  readonly #schema: string;
  readonly #dlqRetentionSeconds: number;
  readonly #working = new Set<string>();
  readonly #tables = new Map<string, string>();
  #started: Promise<void> | undefined;

  constructor(boss: PgBossLike, tx: TxRunner, sql: PgBossDb, schema: string, dlqRetentionSeconds: number) {
    this.#boss = boss;
    this.#tx = tx;
    this.#sql = sql;
    this.#schema = schema;
    this.#dlqRetentionSeconds = dlqRetentionSeconds;
    this.sql = { query: async (text, params) => (await this.#sql.executeSql(text, params)).rows };
    this.deadLetters = new PgBossDeadLetters(this.#boss, () => this.start(), async (dlq) => (await this.#live(dlq)).n);
  }

  start(): Promise<void> {
    return (this.#started ??= this.#boss.start().then(() => undefined));
  }

  async ensureQueue(s: QueueSettings): Promise<void> {
    await this.start();
    const dlq = deadLetterQueueOf(s.name);
    await this.#boss.createQueue(dlq, { retentionSeconds: this.#dlqRetentionSeconds });
    await this.#boss.updateQueue(dlq, { retentionSeconds: this.#dlqRetentionSeconds });
    const settings = {
      retryLimit: s.maxAttempts - 1,
      expireInSeconds: s.leaseSeconds,
      // Waiting jobs must outlive the longest retry budget (pg-boss deletes created/retry jobs after this).
      retentionSeconds: 30 * 86_400,
      deadLetter: dlq,
    };
    await this.#boss.createQueue(s.name, { ...settings, retryBackoff: true, retryDelay: 1 });
    await this.#boss.updateQueue(s.name, settings);
  }

  async enqueue(queue: string, envelope: Envelope, options: { tx?: SqlExecutor | undefined; delayMs?: number | undefined }): Promise<string> {
    await this.start();
    const id = await this.#boss.send(queue, envelope, {
      singletonKey: envelope.key,
      ...(options.delayMs ? { startAfter: new Date(Date.now() + options.delayMs) } : {}),
      ...(options.tx ? { db: executorDb(options.tx) } : {}),
    });
    if (id === null) throw new TillwatchError('TW_ERR_DELIVERY_BACKEND', `pg-boss did not store the message for queue ${queue}`);
    return id;
  }

  async work(queue: string, w: WorkSettings, handle: (jobs: readonly BackendJob[]) => Promise<readonly Settlement[]>): Promise<void> {
    await this.start();
    this.#working.add(queue);
    await this.#boss.work(
      queue,
      {
        batchSize: w.batchSize,
        localConcurrency: w.concurrency,
        pollingIntervalSeconds: Math.max(0.5, w.pollIntervalMs / 1000),
        // A full batch means more are waiting: fetch again at once instead of after the poll interval.
        burstWhenBatchFull: true,
        includeMetadata: true,
        perJobResults: true,
      },
      async (jobs) => {
        const settlements = await handle(jobs.map((j) => this.#toBackendJob(queue, j)));
        const results: { id: string; status: 'completed' | 'failed' | 'deadletter'; output?: object }[] = [];
        for (const [i, job] of jobs.entries()) {
          const s = settlements[i];
          if (s === undefined || s.kind === 'complete') results.push({ id: job.id, status: 'completed' });
          else if (s.kind === 'dead_letter') results.push({ id: job.id, status: 'deadletter', output: { reason: s.reason, attempts: s.attempts, failure: s.failure } });
          else results.push(await this.#retry(queue, job, s.delayMs, s.failure));
        }
        return results;
      },
    );
  }

  /**
   * Fails the attempt and sets its next start in one transaction. pg-boss then leaves the job alone when it
   * settles the batch: its settle is fenced to an active job at this attempt, and the job is no longer active.
   */
  async #retry(queue: string, job: PgBossJob, delayMs: number, failure: DeliveryFailure): Promise<{ id: string; status: 'failed'; output?: object }> {
    const output = { retryInMs: delayMs, failure };
    try {
      await this.#tx(async (db) => {
        await this.#boss.fail(queue, { id: job.id, retryCount: job.retryCount }, output, { db });
        await this.#boss.update({ name: queue, options: { id: job.id, startAfter: new Date(Date.now() + delayMs), db } });
      });
      return { id: job.id, status: 'failed' };
    } catch {
      // The transaction could not run (database trouble): let pg-boss fail the attempt on its own schedule.
      return { id: job.id, status: 'failed', output };
    }
  }

  #toBackendJob(queue: string, j: PgBossJob): BackendJob {
    const envelope = asEnvelope(j.data);
    return {
      id: j.id,
      queue,
      // A job that is not a tillwatch envelope is kept as it is: the delivery layer dead-letters it as a poison message.
      envelope: envelope ?? ({ v: 1, key: j.id, event: queue, payload: j.data } as Envelope),
      attempt: j.retryCount + 1,
      enqueuedAt: toDate(j.createdOn) ?? new Date(),
      failedBefore: j.retryCount > 0 || (j.sourceRootId !== null && j.sourceRootId !== undefined),
      signal: j.signal,
      ...(envelope === undefined ? { poison: true } : {}),
      ...(typeof j.retryLimit === 'number' ? { maxAttempts: j.retryLimit + 1 } : {}),
    };
  }

  async #table(queue: string): Promise<string> {
    const known = this.#tables.get(queue);
    if (known !== undefined) return known;
    const q = await this.#boss.getQueue(queue);
    if (q === null) throw new TillwatchError('TW_ERR_DELIVERY_BACKEND', `pg-boss has no queue named ${queue}`);
    if (!IDENTIFIER.test(q.table)) throw new TillwatchError('TW_ERR_DELIVERY_BACKEND', `pg-boss reported an unexpected table name for ${queue}`);
    this.#tables.set(queue, q.table);
    return q.table;
  }

  async #live(queue: string): Promise<{ n: number; oldest: number }> {
    const table = await this.#table(queue);
    // state < 'completed' is created, retry and active (pg-boss's job_state enum is ordered); the partial
    // index job_i14 over live jobs answers it without reading finished ones.
    const { rows } = await this.#sql.executeSql(
      `SELECT count(*)::int AS n, COALESCE(EXTRACT(EPOCH FROM (now() - min(created_on))), 0)::float8 AS oldest
         FROM ${this.#schema}.${table} WHERE name = $1 AND state < 'completed'`,
      [queue],
    );
    const r = rows[0] as { n: number; oldest: number } | undefined;
    return { n: Number(r?.n ?? 0), oldest: Math.max(0, Number(r?.oldest ?? 0)) };
  }

  async stats(queue: string): Promise<BackendQueueStats> {
    await this.start();
    const live = await this.#live(queue);
    const dead = await this.#live(deadLetterQueueOf(queue));
    return { depth: live.n, oldestAgeSeconds: live.oldest, deadLetters: dead.n };
  }

  async stop(): Promise<void> {
    if (this.#started === undefined) return;
    for (const q of this.#working) await this.#boss.offWork(q, { wait: true }).catch(() => undefined);
    this.#working.clear();
    await this.#boss.stop({ graceful: true, close: true, timeout: 10_000 }).catch(() => undefined);
  }
}

class PgBossDeadLetters implements BackendDeadLetters {
  readonly #boss: PgBossLike;
  readonly #ready: () => Promise<void>;
  readonly #countOf: (dlq: string) => Promise<number>;

  constructor(boss: PgBossLike, ready: () => Promise<void>, countOf: (dlq: string) => Promise<number>) {
    this.#boss = boss;
    this.#ready = ready;
    this.#countOf = countOf;
  }

  async #queues(queue?: string): Promise<string[]> {
    await this.#ready();
    if (queue !== undefined) {
      if (!QUEUE_NAME.test(queue)) return [];
      return (await this.#boss.getQueue(deadLetterQueueOf(queue))) === null ? [] : [deadLetterQueueOf(queue)];
    }
    return (await this.#boss.getQueues()).map((q) => q.name).filter((n) => n.endsWith(DLQ_SUFFIX)).sort();
  }

  async list(q: { queue?: string | undefined; limit: number; after?: string | undefined }): Promise<DeadLetterPage> {
    const items: StoredDeadLetter[] = [];
    // `after` is "<dead-letter queue> <job id>": pages walk the queues in name order, each oldest first.
    const [afterQueue, afterId] = q.after === undefined ? [undefined, undefined] : (q.after.split(' ') as [string, string]);
    for (const dlq of await this.#queues(q.queue)) {
      if (afterQueue !== undefined && dlq < afterQueue) continue;
      const from = dlq === afterQueue ? afterId : undefined;
      const jobs = await this.#boss.findJobs(dlq, { queued: true, limit: q.limit - items.length + 1, ...(from ? { after: from } : {}) });
      for (const j of jobs) {
        if (items.length === q.limit) return { items, next: `${dlq} ${items[items.length - 1]?.id ?? ''}` };
        items.push(storedDeadLetter(j));
      }
    }
    return { items, next: undefined };
  }

  async get(id: string): Promise<StoredDeadLetter | undefined> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
    for (const dlq of await this.#queues()) {
      const j = await this.#boss.getJobById(dlq, id);
      if (j !== null && (j.state === undefined || j.state === 'created' || j.state === 'retry')) return storedDeadLetter(j);
    }
    return undefined;
  }

  /** The selected dead letters, in pages of at most 1000 per queue, each page handed to `apply`. */
  async #each(selection: DeadLetterSelection, apply: (dlq: string, items: StoredDeadLetter[]) => Promise<StoredDeadLetter[]>): Promise<StoredDeadLetter[]> {
    const done: StoredDeadLetter[] = [];
    if ('ids' in selection) {
      const byQueue = new Map<string, StoredDeadLetter[]>();
      for (const id of new Set(selection.ids)) {
        const item = await this.get(id);
        if (item !== undefined) byQueue.set(item.queue, [...(byQueue.get(item.queue) ?? []), item]);
      }
      for (const [queue, items] of byQueue) done.push(...(await apply(deadLetterQueueOf(queue), items)));
      return done;
    }
    for (const dlq of await this.#queues(selection.queue)) {
      // Always the first page: what a page moved is gone from the queue. Stop when a page moves nothing
      // (a concurrent replay took them), so the loop cannot spin.
      for (;;) {
        const page = (await this.#boss.findJobs(dlq, { queued: true, limit: 1000 })).map(storedDeadLetter);
        if (page.length === 0) break;
        const moved = await apply(dlq, page);
        done.push(...moved);
        if (moved.length === 0) break;
      }
    }
    return done;
  }

  replay(selection: DeadLetterSelection): Promise<StoredDeadLetter[]> {
    return this.#each(selection, async (dlq, items) => {
      const destination = dlq.slice(0, -DLQ_SUFFIX.length);
      const moved = await this.#boss.redrive(dlq, { ids: items.map((i) => i.id), destination, limit: items.length });
      // redrive answers with a count; when it moved fewer than asked, another replay or purge took the rest.
      if (moved === items.length) return items;
      const still = await Promise.all(items.map(async (i) => (await this.#boss.getJobById(dlq, i.id)) !== null));
      return items.filter((_, k) => !still[k]);
    });
  }

  purge(selection: DeadLetterSelection): Promise<StoredDeadLetter[]> {
    return this.#each(selection, async (dlq, items) => {
      await this.#boss.deleteJob(dlq, items.map((i) => i.id));
      return items;
    });
  }

  async count(queue?: string): Promise<number> {
    let n = 0;
    for (const dlq of await this.#queues(queue)) n += await this.#countOf(dlq);
    return n;
  }
}

/**
 * The BullMQ backend (https://docs.bullmq.io, an optional peer dependency, imported lazily) for teams whose
 * queues live in Redis. BullMQ keeps the jobs, the attempt count (`attemptsMade`), the retry schedule
 * (`delayed`), takes stalled jobs back from a worker that died (its lock), and keeps failed jobs in the
 * queue's `failed` set, which is what tillwatch treats as the dead-letter queue.
 *
 * Where tillwatch steers it:
 * - **Retry delays** come from a custom `backoffStrategy` that returns the delay tillwatch's policy decided
 *   for that failure (full jitter, budget, Retry-After).
 * - **Dead letters**: a permanent error or a spent budget throws BullMQ's `UnrecoverableError`, which fails
 *   the job without further attempts; the reason and the redacted failure are written to the job's data
 *   first (`dl`), so `tillwatch dlq` can show why.
 * - **Replay** is `job.retry('failed', { resetAttemptsMade: true })` after stamping `replayedAt` in the data:
 *   the message keeps its job id (the idempotency key) and gets a fresh attempt count and retry budget.
 *
 * Limits, because Redis and the database are two systems: enqueue cannot join a database transaction
 * (TW_ERR_DELIVERY_NOT_TRANSACTIONAL), and BullMQ's open-source worker has no batches, so `workBatch`
 * hands one job at a time. The oldest-job age reads the first jobs of each waiting list, so it is exact for
 * `wait` and `active` and approximate for retries scheduled far ahead.
 */
import { createHash } from 'node:crypto';
import { LABEL_VALUES, TillwatchError, type DeadLetterReason } from '@tillwatch/spec';
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
  type StoredDeadLetter,
  type WorkSettings,
} from '../delivery-backend.ts';

export interface BullmqBackendOptions {
  /** BullMQ's connection: ioredis options (`{ host, port }`) or an ioredis URL string. BullMQ opens its own connections from it. */
  readonly connection: Record<string, unknown> | string;
  /** Key prefix of every queue. Default `bull` (BullMQ's). */
  readonly prefix?: string;
  /** Completed jobs kept for this long, seconds (then BullMQ removes them). Default 86 400. */
  readonly keepCompletedSeconds?: number;
  /** Receives BullMQ worker and queue errors (logged by the delivery module). */
  readonly onLibraryEvent?: (kind: 'error' | 'warning', payload: unknown) => void;
}

/** The envelope plus what this backend writes into a job's data. */
interface BullData extends Envelope {
  /** Set when the job was dead-lettered by tillwatch. */
  dl?: { reason: DeadLetterReason; failure: DeliveryFailure; attempts: number; at: number };
  /** Set on replay: the retry budget starts again here. */
  replayedAt?: number;
}

type BullmqModule = typeof import('bullmq');
type BullQueue = InstanceType<BullmqModule['Queue']>;
type BullWorker = InstanceType<BullmqModule['Worker']>;
type BullJob = Awaited<ReturnType<BullQueue['getJob']>> & object;

async function importBullmq(): Promise<BullmqModule> {
  try {
    return await import('bullmq');
  } catch (err) {
    throw new TillwatchError('TW_ERR_DELIVERY_MISSING_PEER', 'the BullMQ delivery backend needs the bullmq package: npm install bullmq@^6', { cause: err });
  }
}

/** A BullMQ job id for a key: the key itself when BullMQ accepts it (no `:`, not an integer), else a hash of it. */
export function jobIdOf(key: string): string {
  return /^[A-Za-z0-9_.-]{1,200}$/.test(key) && !/^\d+$/.test(key) ? key : `k${createHash('sha256').update(key).digest('hex').slice(0, 40)}`;
}

const REASONS: ReadonlySet<string> = new Set(LABEL_VALUES.deadLetterReason);
const BACKOFF = 'tillwatch';
const kDelay = Symbol.for('tillwatch.delivery.retryDelayMs');

function storedDeadLetter(queue: string, job: BullJob): StoredDeadLetter {
  const data = job.data as BullData;
  const dl = data?.dl;
  return {
    id: String(job.id),
    queue,
    envelope: asEnvelope(data),
    rawData: data,
    reason: dl !== undefined && REASONS.has(dl.reason) ? dl.reason : 'max_retries',
    failure: dl?.failure ?? (job.failedReason ? { message: job.failedReason, code: 'failed' } : undefined),
    attempts: dl?.attempts ?? job.attemptsMade,
    deadLetteredAt: job.finishedOn ? new Date(job.finishedOn) : undefined,
    enqueuedAt: new Date(data?.replayedAt ?? job.timestamp),
  };
}

/**
 * Creates the BullMQ backend.
 * @example
 * const delivery = createDelivery({ tillwatch: tw, backend: await bullmqBackend({ connection: { host: '127.0.0.1', port: 6379 } }) });
 * @throws TillwatchError TW_ERR_DELIVERY_MISSING_PEER when bullmq is not installed.
 */
export async function bullmqBackend(options: BullmqBackendOptions): Promise<DeliveryBackend> {
  const mod = await importBullmq();
  return new BullmqBackend(mod, options);
}

class BullmqBackend implements DeliveryBackend {
  readonly kind = 'bullmq';
  readonly transactional = false;
  readonly batches = false;
  readonly deadLetters: BackendDeadLetters;
  readonly #mod: BullmqModule;
  readonly #o: BullmqBackendOptions;
  readonly #connection: Record<string, unknown>;
  readonly #prefix: string;
  readonly #queues = new Map<string, BullQueue>();
  readonly #settings = new Map<string, QueueSettings>();
  readonly #workers: BullWorker[] = [];

  constructor(mod: BullmqModule, o: BullmqBackendOptions) {
    this.#mod = mod;
    this.#o = o;
    this.#connection = typeof o.connection === 'string' ? urlConnection(o.connection) : o.connection;
    this.#prefix = o.prefix ?? 'bull';
    this.deadLetters = new BullDeadLetters(this);
  }

  /** @internal */
  queueOf(name: string): BullQueue {
    let q = this.#queues.get(name);
    if (q === undefined) {
      q = new this.#mod.Queue(name, { connection: this.#connection as never, prefix: this.#prefix });
      q.on('error', (e) => this.#o.onLibraryEvent?.('error', e));
      this.#queues.set(name, q);
    }
    return q;
  }

  /** @internal Queue names with any key under the prefix (the CLI finds queues it did not declare this way). */
  async knownQueues(): Promise<string[]> {
    const names = new Set(this.#settings.keys());
    const probe = this.queueOf('tillwatch-discovery');
    // getBackend() is the Redis backend for the built-in Queue; its `client` is BullMQ's escape hatch to ioredis.
    const client = (await (probe.getBackend() as unknown as { client: Promise<unknown> }).client) as { scan(cursor: string, ...args: (string | number)[]): Promise<[string, string[]]> };
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${this.#prefix}:*:meta`, 'COUNT', 1000);
      cursor = next;
      for (const k of keys) names.add(k.slice(this.#prefix.length + 1, -':meta'.length));
    } while (cursor !== '0');
    names.delete('tillwatch-discovery');
    return [...names].sort();
  }

  async start(): Promise<void> {}

  async ensureQueue(s: QueueSettings): Promise<void> {
    this.#settings.set(s.name, s);
    await this.queueOf(s.name).waitUntilReady();
  }

  async enqueue(queue: string, envelope: Envelope, options: { delayMs?: number | undefined }): Promise<string> {
    const s = this.#settings.get(queue);
    const job = await this.queueOf(queue).add(envelope.event, envelope, {
      jobId: jobIdOf(envelope.key),
      attempts: s?.maxAttempts ?? 1,
      backoff: { type: BACKOFF },
      ...(options.delayMs ? { delay: options.delayMs } : {}),
      removeOnComplete: { age: this.#o.keepCompletedSeconds ?? 86_400 },
      removeOnFail: false,
    });
    if (job.id === undefined) throw new TillwatchError('TW_ERR_DELIVERY_BACKEND', `BullMQ did not store the message for queue ${queue}`);
    return job.id;
  }

  async work(queue: string, w: WorkSettings, handle: (jobs: readonly BackendJob[]) => Promise<readonly Settlement[]>): Promise<void> {
    const s = this.#settings.get(queue);
    const { Worker, UnrecoverableError } = this.#mod;
    const worker: BullWorker = new Worker(
      queue,
      async (job, _token, signal) => {
        const data = job.data as BullData;
        const envelope = asEnvelope(data);
        const bj: BackendJob = {
          id: String(job.id),
          queue,
          envelope: envelope ?? ({ v: 1, key: String(job.id), event: queue, payload: data } as Envelope),
          attempt: job.attemptsMade + 1,
          enqueuedAt: new Date(data?.replayedAt ?? job.timestamp),
          failedBefore: job.attemptsMade > 0 || data?.replayedAt !== undefined,
          signal: signal ?? new AbortController().signal,
          ...(envelope === undefined ? { poison: true } : {}),
        };
        const [settlement] = await handle([bj]);
        if (settlement === undefined || settlement.kind === 'complete') return;
        if (settlement.kind === 'retry') {
          const err = new Error(settlement.failure.message) as Error & { [kDelay]?: number };
          err[kDelay] = settlement.delayMs;
          throw err;
        }
        await job.updateData({ ...data, dl: { reason: settlement.reason, failure: settlement.failure, attempts: settlement.attempts, at: Date.now() } });
        throw new UnrecoverableError(`dead-lettered (${settlement.reason}): ${settlement.failure.message}`);
      },
      {
        connection: this.#connection as never,
        prefix: this.#prefix,
        concurrency: w.concurrency,
        lockDuration: (s?.leaseSeconds ?? 60) * 1000,
        // A job whose worker died is given back once; a second stall fails it (into the dead-letter set).
        maxStalledCount: Math.max(1, (s?.maxAttempts ?? 2) - 1),
        drainDelay: Math.max(1, Math.round(w.pollIntervalMs / 1000)),
        settings: {
          backoffStrategy: (_attemptsMade: number, type?: string, err?: Error) => (type === BACKOFF ? ((err as (Error & { [kDelay]?: number }) | undefined)?.[kDelay] ?? 0) : 0),
        },
      },
    );
    worker.on('error', (e) => this.#o.onLibraryEvent?.('error', e));
    this.#workers.push(worker);
    await worker.waitUntilReady();
  }

  async stats(queue: string): Promise<BackendQueueStats> {
    const q = this.queueOf(queue);
    const c = await q.getJobCounts('wait', 'active', 'delayed', 'prioritized', 'waiting-children', 'failed');
    const depth = (c.wait ?? 0) + (c.active ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0) + (c['waiting-children'] ?? 0);
    let oldest = Infinity;
    if (depth > 0) {
      for (const state of ['wait', 'active', 'delayed', 'prioritized'] as const) {
        for (const j of await q.getJobs([state], 0, 19, true)) {
          const d = j.data as BullData | undefined;
          oldest = Math.min(oldest, d?.replayedAt ?? j.timestamp);
        }
      }
    }
    return { depth, oldestAgeSeconds: oldest === Infinity ? 0 : Math.max(0, (Date.now() - oldest) / 1000), deadLetters: c.failed ?? 0 };
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.#workers.splice(0).map((w) => w.close()));
    await Promise.allSettled([...this.#queues.values()].map((q) => q.close()));
    this.#queues.clear();
  }
}

class BullDeadLetters implements BackendDeadLetters {
  readonly #b: BullmqBackend;

  constructor(b: BullmqBackend) {
    this.#b = b;
  }

  async #names(queue?: string): Promise<string[]> {
    return queue !== undefined ? [queue] : this.#b.knownQueues();
  }

  async list(q: { queue?: string | undefined; limit: number; after?: string | undefined }): Promise<DeadLetterPage> {
    // `after` is "<queue> <offset>": the failed set is a sorted set, so offsets are stable between pages
    // unless a concurrent replay or purge moves them (then a page may repeat or skip; ids stay exact).
    const [afterQueue, afterOffset] = q.after === undefined ? [undefined, 0] : [q.after.split(' ')[0], Number(q.after.split(' ')[1] ?? 0)];
    const items: StoredDeadLetter[] = [];
    for (const name of await this.#names(q.queue)) {
      if (afterQueue !== undefined && name < afterQueue) continue;
      let offset = name === afterQueue ? afterOffset : 0;
      const jobs = await this.#b.queueOf(name).getJobs(['failed'], offset, offset + (q.limit - items.length), true);
      for (const j of jobs) {
        if (items.length === q.limit) return { items, next: `${name} ${offset}` };
        items.push(storedDeadLetter(name, j));
        offset++;
      }
    }
    return { items, next: undefined };
  }

  async #find(id: string): Promise<{ queue: string; job: BullJob } | undefined> {
    for (const name of await this.#names()) {
      const job = await this.#b.queueOf(name).getJob(id);
      if (job && (await job.isFailed())) return { queue: name, job };
    }
    return undefined;
  }

  async get(id: string): Promise<StoredDeadLetter | undefined> {
    const found = await this.#find(id);
    return found && storedDeadLetter(found.queue, found.job);
  }

  async #each(selection: DeadLetterSelection, apply: (job: BullJob) => Promise<boolean>): Promise<StoredDeadLetter[]> {
    const done: StoredDeadLetter[] = [];
    if ('ids' in selection) {
      for (const id of new Set(selection.ids)) {
        const found = await this.#find(id);
        if (found && (await apply(found.job))) done.push(storedDeadLetter(found.queue, found.job));
      }
      return done;
    }
    for (const name of await this.#names(selection.queue)) {
      for (;;) {
        const page = await this.#b.queueOf(name).getJobs(['failed'], 0, 999, true);
        if (page.length === 0) break;
        let moved = 0;
        for (const job of page) {
          if (await apply(job)) {
            done.push(storedDeadLetter(name, job));
            moved++;
          }
        }
        if (moved === 0) break;
      }
    }
    return done;
  }

  replay(selection: DeadLetterSelection): Promise<StoredDeadLetter[]> {
    return this.#each(selection, async (job) => {
      try {
        const { dl: _dl, ...rest } = job.data as BullData;
        await job.updateData({ ...rest, replayedAt: Date.now() });
        await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
        return true;
      } catch {
        return false; // replayed or removed meanwhile
      }
    });
  }

  purge(selection: DeadLetterSelection): Promise<StoredDeadLetter[]> {
    return this.#each(selection, async (job) => {
      try {
        await job.remove();
        return true;
      } catch {
        return false;
      }
    });
  }

  async count(queue?: string): Promise<number> {
    let n = 0;
    for (const name of await this.#names(queue)) n += await this.#b.queueOf(name).getFailedCount();
    return n;
  }
}

/** ioredis options from a redis:// URL (BullMQ takes options, not URLs). */
function urlConnection(url: string): Record<string, unknown> {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: u.port === '' ? 6379 : Number(u.port),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.pathname.length > 1 ? { db: Number(u.pathname.slice(1)) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
  };
}

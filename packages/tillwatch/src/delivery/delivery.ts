/**
 * Durable delivery: a service's outbound messages and background jobs on a queue library (pg-boss on its
 * Postgres or PGlite, BullMQ on Redis), with tillwatch's retry policy, classification, metrics, event-failure
 * table and dead-letter admin around it, the same over every backend. docs/delivery.md explains the model.
 *
 * Each job is attempted by the handler; the outcome is classified (delivery-error.ts), the retry policy
 * decides (retry-policy.ts), and the backend applies the decision durably: completed, scheduled for a
 * retry, or moved to the queue's dead-letter queue. Recording (metrics, logs, the event-failure table)
 * never stops a delivery: a failure to record is logged and counted, and the job is settled anyway.
 *
 * Delivery is at least once: a worker that dies after the provider accepted a message but before the job
 * was settled gets the message again after its lease. The idempotency key travels with every attempt and
 * every replay so the provider can recognise the repeat (the pattern of Stripe's `Idempotency-Key`).
 */
import type { Tillwatch } from '../tillwatch.ts';
import { TillwatchConfigError, TillwatchError, type DeadLetterReason } from '@tillwatch/spec';
import { deadLetterAdmin, type DeadLetterAdmin, type DeadLetterAuditSink } from './dead-letter-admin.ts';
import type { BackendJob, DeliveryBackend, Envelope, Settlement, SqlExecutor } from './delivery-backend.ts';
import { classifyError, type DeliveryFailure } from './delivery-error.ts';
import { createDeliveryMetrics, type DeliveryMetrics, type QueueState } from './delivery-metrics.ts';
import type { EventFailureStore } from './event-failures.ts';
import { retryPolicy, type RetryPolicy, type RetryPolicyOptions } from './retry-policy.ts';

/** A job as a handler sees it. */
export interface DeliveryJob<T> {
  readonly id: string;
  readonly queue: string;
  /** The idempotency key: send it to the provider (an `Idempotency-Key` header, a dedupe id). */
  readonly key: string;
  readonly event: string;
  readonly aggregateId: string | undefined;
  readonly payload: T;
  /** 1 for the first attempt. */
  readonly attempt: number;
  readonly enqueuedAt: Date;
  /** True for a retry or a replay: the provider may already have this message (it dedupes by key). */
  readonly failedBefore: boolean;
  /** Aborted when the job's lease ends or the service stops: pass it to fetch(). */
  readonly signal: AbortSignal;
}

export interface QueueOptions<T> {
  /** Event type of the queue's messages (the `event` label of event_failures_total), e.g. `receipt.send`. */
  readonly event: string;
  /** This queue's retry policy; unset fields take the delivery's. */
  readonly retry?: RetryPolicyOptions;
  /** How long a worker may hold a job before another may take it (crash recovery). Default: the delivery's. */
  readonly leaseSeconds?: number;
  /** What of the payload the event-failure table keeps (it is redacted after). Default: the payload. */
  readonly describe?: (payload: T) => unknown;
  /**
   * Called when a message is dead-lettered, before the backend moves it (mark the business record failed).
   * Must not throw; if it does, the error is logged (TWWRN202) and the message is dead-lettered anyway.
   */
  readonly onDeadLetter?: (job: DeliveryJob<T>, info: { readonly reason: DeadLetterReason; readonly failure: DeliveryFailure }) => void | Promise<void>;
}

export interface EnqueueOptions {
  /** The idempotency key (required: a message without one cannot be recognised when it is repeated). */
  readonly key: string;
  readonly aggregateId?: string | undefined;
  /**
   * The caller's open transaction: the message commits or rolls back with it (pg-boss backend). Give the
   * same executor the business change runs on, so a crash cannot keep one without the other.
   */
  readonly tx?: SqlExecutor | undefined;
  /** Do not attempt before this many milliseconds. */
  readonly delayMs?: number | undefined;
}

export interface WorkOptions {
  /** Jobs handled at once by this process. Default 1 for `work`, 1 batch for `workBatch`. */
  readonly concurrency?: number;
  /** How often an idle worker looks for jobs. Default: the delivery's `pollIntervalMs` (pg-boss polls at most every 500 ms). */
  readonly pollIntervalMs?: number;
}

export interface DeliveryOptions {
  /** The service's tillwatch instance: its logger, redactor and metrics are used. */
  readonly tillwatch: Pick<Tillwatch, 'logger' | 'redactor' | 'metrics'>;
  readonly backend: DeliveryBackend;
  /** The event-failure table; without it failures are counted and logged only. */
  readonly eventFailures?: EventFailureStore | undefined;
  /** The default retry policy of every queue (docs/delivery.md). */
  readonly retry?: RetryPolicyOptions;
  /** Default lease of a job, seconds. Default 60. */
  readonly leaseSeconds?: number;
  /** How often an idle worker looks for jobs, unless `work()` says otherwise. Default 1000. */
  readonly pollIntervalMs?: number;
  /** How often queue depth, oldest age and dead-letter depth are read for the gauges. Default 15 000; 0 turns polling off. */
  readonly statsIntervalMs?: number;
  /** Where replay and purge are recorded. Default: an `audit.dlq` info log line with the actor and ids. */
  readonly audit?: DeadLetterAuditSink;
  /** Randomness of the jitter (tests). */
  readonly random?: () => number;
}

const QUEUE_NAME = /^[a-z][a-z0-9_]{0,62}$/;
const EVENT_NAME = /^[a-z][a-z0-9_.:-]{0,99}$/;

type Logger = Tillwatch['logger'];

/** One queue of a {@link Delivery}. */
export class DeliveryQueue<T> {
  readonly name: string;
  readonly event: string;
  readonly policy: RetryPolicy;
  readonly leaseSeconds: number;
  readonly #d: Delivery;
  readonly #o: QueueOptions<T>;

  /** @internal use {@link Delivery.queue}. */
  constructor(d: Delivery, name: string, options: QueueOptions<T>, policy: RetryPolicy, leaseSeconds: number) {
    this.#d = d;
    this.name = name;
    this.event = options.event;
    this.#o = options;
    this.policy = policy;
    this.leaseSeconds = leaseSeconds;
  }

  /** @internal */
  get options(): QueueOptions<T> {
    return this.#o;
  }

  /**
   * Stores a message durably. Resolves with the backend's job id; rejects when it was not stored (the
   * caller's transaction should then roll back).
   * @throws TillwatchError TW_ERR_DELIVERY_NOT_TRANSACTIONAL when `tx` is given to a backend that cannot join it.
   */
  enqueue(payload: T, options: EnqueueOptions): Promise<string> {
    return this.#d.enqueue(this, payload, options);
  }

  /**
   * Attempts each message with `handler`: resolve = delivered, throw = failed (classified, then retried or
   * dead-lettered). Up to `concurrency` attempts run at once.
   */
  work(handler: (job: DeliveryJob<T>) => Promise<void>, options: WorkOptions = {}): Promise<void> {
    const concurrency = options.concurrency ?? 1;
    const attemptAll = (jobs: DeliveryJob<T>[]) => inParallel(jobs, concurrency, (job) => this.#d.attempt(this, job, () => handler(job)));
    // A batching backend fetches a batch (at least 8, so a single worker drains a backlog without a poll
    // interval per message) whose jobs are attempted `concurrency` at a time; otherwise one job per call.
    return this.#d.backend.batches
      ? this.#d.work(this, Math.max(8, concurrency), { ...options, concurrency: 1 }, attemptAll)
      : this.#d.work(this, 1, { ...options, concurrency }, attemptAll);
  }

  /**
   * Attempts messages in batches of up to `batchSize` (a warehouse that takes many sales per request):
   * resolve = every message delivered, throw = every message of the batch failed with that error (each is
   * then retried or dead-lettered by its own attempt count and budget).
   */
  workBatch(handler: (jobs: readonly DeliveryJob<T>[]) => Promise<void>, options: WorkOptions & { readonly batchSize: number }): Promise<void> {
    return this.#d.work(this, options.batchSize, options, (jobs) => this.#d.attemptBatch(this, jobs, () => handler(jobs)));
  }
}

/**
 * A service's delivery queues. Create it once, declare the queues, `start()` it after the database is
 * reachable and before anything enqueues, and `stop()` it on shutdown.
 *
 * @example
 * const delivery = createDelivery({ tillwatch: tw, backend: await pgBossBackend({ pool }), eventFailures,
 *   retry: { maxAttempts: 6, baseDelayMs: 2000, maxDelayMs: 120_000, retryBudgetMs: 3_600_000 } });
 * const receipts = delivery.queue<{ orderId: string }>('receipt_notifications', { event: 'receipt.send' });
 * await delivery.start();
 * await db.tx(async (tx) => { await completeOrder(tx); await receipts.enqueue({ orderId }, { key: `receipt:${orderId}`, tx }); });
 * await receipts.work(async (job) => sendSms(job.payload, { idempotencyKey: job.key, signal: job.signal }));
 */
export class Delivery {
  readonly backend: DeliveryBackend;
  readonly metrics: DeliveryMetrics;
  readonly deadLetters: DeadLetterAdmin;
  readonly #o: DeliveryOptions;
  readonly #log: Logger;
  readonly #scrub: (s: string) => string;
  readonly #queues = new Map<string, DeliveryQueue<unknown>>();
  readonly #sources = new Map<string, () => Promise<QueueState>>();
  readonly #statsWarnedAt = new Map<string, number>();
  #started: Promise<void> | undefined;
  #ready = false;
  #timer: NodeJS.Timeout | undefined;
  #polling: Promise<void> | undefined;
  #stopped = false;

  constructor(options: DeliveryOptions) {
    this.#o = options;
    this.backend = options.backend;
    this.#log = options.tillwatch.logger.child({ module: 'delivery' });
    this.#scrub = (s) => options.tillwatch.redactor.string(s);
    this.metrics = createDeliveryMetrics(options.tillwatch.metrics);
    retryPolicy(options.retry ?? {});
    const leaseSeconds = options.leaseSeconds ?? 60;
    checkInt('leaseSeconds', leaseSeconds, 1, 86_400);
    checkInt('statsIntervalMs', options.statsIntervalMs ?? 15_000, 0, 3_600_000);
    this.deadLetters = deadLetterAdmin({
      deadLetters: options.backend.deadLetters,
      redactor: options.tillwatch.redactor,
      eventFailures: options.eventFailures,
      audit:
        options.audit ??
        ((r) => {
          this.#log.info({ event: `audit.${r.action}`, audit: r }, `${r.action === 'dlq.replay' ? 'replayed' : 'purged'} ${r.ids.length} dead letter(s) of ${r.queue}`);
        }),
    });
  }

  /**
   * Declares a queue (call before {@link start}).
   * @throws TillwatchConfigError TW_ERR_DELIVERY_INVALID_OPTIONS for a bad name, event or retry option, or a name declared twice.
   */
  queue<T>(name: string, options: QueueOptions<T>): DeliveryQueue<T> {
    const issues = [];
    if (!QUEUE_NAME.test(name)) issues.push({ option: 'queue', expected: `a name matching ${QUEUE_NAME}`, got: JSON.stringify(String(name).slice(0, 70)), code: 'TW_ERR_DELIVERY_INVALID_OPTIONS' as const });
    else if (this.#queues.has(name) || this.#sources.has(name)) issues.push({ option: `queue ${name}`, expected: 'a name declared once', got: 'a second declaration', code: 'TW_ERR_DELIVERY_INVALID_OPTIONS' as const });
    if (typeof options?.event !== 'string' || !EVENT_NAME.test(options.event)) {
      issues.push({ option: `queue ${name}.event`, expected: `an event type matching ${EVENT_NAME}`, got: JSON.stringify(String(options?.event).slice(0, 70)), code: 'TW_ERR_DELIVERY_INVALID_OPTIONS' as const });
    }
    if (issues.length > 0) throw new TillwatchConfigError(issues);
    const policy = retryPolicy({ ...this.#o.retry, ...options.retry }, `queue ${name}.retry`, { ...(this.#o.random ? { random: this.#o.random } : {}) });
    const lease = options.leaseSeconds ?? this.#o.leaseSeconds ?? 60;
    checkInt(`queue ${name}.leaseSeconds`, lease, 1, 86_400);
    const q = new DeliveryQueue<T>(this, name, options, policy, lease);
    this.#queues.set(name, q as DeliveryQueue<unknown>);
    this.metrics.declareQueue(name, options.event);
    return q;
  }

  /**
   * Reports another queue through the same gauges (an offline terminal queue, print jobs): its depth and
   * oldest age are read on every stats poll. The function must not throw (a rejection is logged, TWWRN200).
   */
  addSource(name: string, stats: () => Promise<QueueState>): void {
    if (!QUEUE_NAME.test(name) || this.#queues.has(name) || this.#sources.has(name)) {
      throw new TillwatchConfigError([{ option: 'addSource', expected: `a new name matching ${QUEUE_NAME}`, got: JSON.stringify(String(name).slice(0, 70)), code: 'TW_ERR_DELIVERY_INVALID_OPTIONS' }]);
    }
    this.#sources.set(name, stats);
  }

  /** Prepares the backend, the queues and the event-failure table, and starts the stats poll. Idempotent. */
  start(): Promise<void> {
    return (this.#started ??= (async () => {
      await this.backend.start();
      for (const q of this.#queues.values()) await this.backend.ensureQueue({ name: q.name, maxAttempts: q.policy.options.maxAttempts, leaseSeconds: q.leaseSeconds });
      await this.#o.eventFailures?.ensureSchema();
      this.#ready = true;
      const every = this.#o.statsIntervalMs ?? 15_000;
      if (every > 0 && !this.#stopped) {
        const tick = (): void => {
          this.#timer = setTimeout(() => {
            void this.refreshStats().finally(() => {
              if (!this.#stopped) tick();
            });
          }, every);
          this.#timer.unref();
        };
        void this.refreshStats();
        tick();
      }
    })());
  }

  /** Stops the workers and the stats poll, then the backend. Jobs in hand finish or come back after their lease. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#polling?.catch(() => undefined);
    await this.backend.stop();
  }

  /** Reads every queue's state into the gauges now (also runs every `statsIntervalMs`). Never rejects. */
  refreshStats(): Promise<void> {
    return (this.#polling ??= (async () => {
      try {
        for (const q of this.#queues.values()) {
          await this.#read(q.name, async () => this.backend.stats(q.name));
        }
        for (const [name, stats] of this.#sources) await this.#read(name, stats);
      } finally {
        this.#polling = undefined;
      }
    })());
  }

  async #read(name: string, stats: () => Promise<QueueState>): Promise<void> {
    try {
      this.metrics.queueState(name, await stats());
    } catch (err) {
      const last = this.#statsWarnedAt.get(name) ?? 0;
      if (Date.now() - last > 60_000) {
        this.#statsWarnedAt.set(name, Date.now());
        this.#log.warn({ code: 'TWWRN200', queue: name, err }, `could not read the state of queue ${name}; its gauges keep their last values`);
      }
    }
  }

  /**
   * Counts and records a failure that is not a queued delivery: an event handler that threw, a print job
   * that failed. Never rejects.
   */
  async recordEventFailure(e: { readonly event: string; readonly key: string; readonly aggregateId?: string | undefined; readonly error: unknown; readonly payload?: unknown }): Promise<DeliveryFailure> {
    const failure = classifyError(e.error, this.#scrub);
    this.metrics.eventFailed(e.event, failure.reason);
    await this.#record({ event: e.event, key: e.key, aggregateId: e.aggregateId, failure, state: 'failed', payload: e.payload });
    return failure;
  }

  async #record(r: Parameters<EventFailureStore['record']>[0]): Promise<void> {
    const store = this.#o.eventFailures;
    if (store === undefined) return;
    try {
      await store.record(r);
    } catch (err) {
      this.#log.warn({ code: 'TWWRN201', event: r.event, err }, 'could not write the event-failure table');
    }
  }

  /** @internal */
  async enqueue<T>(q: DeliveryQueue<T>, payload: T, o: EnqueueOptions): Promise<string> {
    if (typeof o?.key !== 'string' || o.key === '' || o.key.length > 200) {
      throw new TillwatchError('TW_ERR_DELIVERY_INVALID_OPTIONS', `enqueue on ${q.name} needs a key (the idempotency key) of 1 to 200 characters`);
    }
    if (o.tx !== undefined && !this.backend.transactional) {
      throw new TillwatchError('TW_ERR_DELIVERY_NOT_TRANSACTIONAL', `the ${this.backend.kind} backend cannot enqueue in a database transaction`);
    }
    // Inside the caller's transaction on a single-connection database (PGlite) waiting for start-up could
    // deadlock: the start-up statements would queue behind the transaction that waits for them.
    if (!this.#ready) {
      if (o.tx !== undefined) throw new TillwatchError('TW_ERR_DELIVERY_BACKEND', `delivery has not finished start(); cannot enqueue on ${q.name} in a transaction yet`);
      await this.start();
    }
    const envelope: Envelope<T> = { v: 1, key: o.key, event: q.event, ...(o.aggregateId === undefined ? {} : { aggregateId: o.aggregateId }), payload };
    return this.backend.enqueue(q.name, envelope, { tx: o.tx, delayMs: o.delayMs });
  }

  /** @internal */
  async work<T>(q: DeliveryQueue<T>, batchSize: number, o: WorkOptions, handle: (jobs: DeliveryJob<T>[]) => Promise<readonly Settlement[]>): Promise<void> {
    checkInt(`queue ${q.name} batchSize`, batchSize, 1, 1000);
    checkInt(`queue ${q.name} concurrency`, o.concurrency ?? 1, 1, 100);
    await this.start();
    await this.backend.work(q.name, { batchSize, concurrency: o.concurrency ?? 1, pollIntervalMs: o.pollIntervalMs ?? this.#o.pollIntervalMs ?? 1000 }, async (jobs) => {
      try {
        const poison = jobs.filter((j) => j.poison === true);
        const good = jobs.filter((j) => j.poison !== true);
        const settled = new Map<BackendJob, Settlement>();
        for (const j of poison) settled.set(j, await this.#poison(q, j));
        if (good.length > 0) {
          const results = await handle(good.map((j) => toJob<T>(j)));
          good.forEach((j, i) => settled.set(j, results[i] ?? { kind: 'complete' }));
        }
        return jobs.map((j) => settled.get(j) ?? ({ kind: 'complete' } as const));
      } catch (err) {
        // Only a bug in tillwatch gets here (attempt() never rejects): the backend fails the batch on its own
        // schedule rather than lose it.
        this.#log.error({ code: 'TWWRN202', queue: q.name, err }, 'delivery could not settle a batch; the queue library retries it');
        throw err;
      }
    });
  }

  async #poison<T>(q: DeliveryQueue<T>, j: BackendJob): Promise<Settlement> {
    const failure: DeliveryFailure = { reason: 'invalid_payload', retryable: false, code: 'not_a_delivery_message', message: 'the job data is not a tillwatch delivery message' };
    this.metrics.attempt(q.name, 'permanent_error');
    this.metrics.eventFailed(q.event, failure.reason);
    this.metrics.deadLettered(q.name, 'poison_message');
    await this.#record({ event: q.event, key: j.id, queue: q.name, failure, state: 'dead_lettered' });
    this.#log.error({ event: 'delivery.dead_lettered', queue: q.name, job_id: j.id, reason: 'poison_message' }, `a job of ${q.name} is not a delivery message; dead-lettered`);
    return { kind: 'dead_letter', reason: 'poison_message', failure, attempts: j.attempt };
  }

  /** @internal Runs one attempt and settles it. Never rejects. */
  async attempt<T>(q: DeliveryQueue<T>, job: DeliveryJob<T>, run: () => Promise<void>): Promise<Settlement> {
    try {
      await run();
    } catch (err) {
      return this.#failed(q, job, classifyError(err, this.#scrub));
    }
    return this.#delivered(q, job);
  }

  /** @internal Runs one batch attempt; one error settles every job of the batch by its own count. Never rejects. */
  async attemptBatch<T>(q: DeliveryQueue<T>, jobs: readonly DeliveryJob<T>[], run: () => Promise<void>): Promise<Settlement[]> {
    try {
      await run();
    } catch (err) {
      const failure = classifyError(err, this.#scrub);
      const out: Settlement[] = [];
      for (const job of jobs) out.push(await this.#failed(q, job, failure));
      return out;
    }
    const out: Settlement[] = [];
    for (const job of jobs) out.push(await this.#delivered(q, job));
    return out;
  }

  async #delivered<T>(q: DeliveryQueue<T>, job: DeliveryJob<T>): Promise<Settlement> {
    this.metrics.attempt(q.name, 'success');
    this.metrics.delivered(q.name);
    if (job.failedBefore && this.#o.eventFailures !== undefined) {
      try {
        await this.#o.eventFailures.resolve(q.event, job.key);
      } catch (err) {
        this.#log.warn({ code: 'TWWRN201', event: q.event, err }, 'could not mark an event failure resolved');
      }
    }
    return { kind: 'complete' };
  }

  async #failed<T>(q: DeliveryQueue<T>, job: DeliveryJob<T> & { readonly maxAttempts?: number }, failure: DeliveryFailure): Promise<Settlement> {
    let decision = q.policy.decide({ attempt: job.attempt, failure, enqueuedAtMs: job.enqueuedAt.getTime() });
    // A job enqueued under a lower attempt limit than today's policy stops at its own limit.
    if (decision.action === 'retry' && job.maxAttempts !== undefined && job.attempt >= job.maxAttempts) decision = { action: 'dead_letter', reason: 'max_retries' };
    this.metrics.attempt(q.name, failure.retryable ? 'retryable_error' : 'permanent_error');
    this.metrics.eventFailed(q.event, failure.reason);
    const describe = q.options.describe;
    let payload: unknown = job.payload;
    if (describe !== undefined) {
      try {
        payload = describe(job.payload);
      } catch {
        payload = undefined;
      }
    }
    await this.#record({ event: q.event, key: job.key, aggregateId: job.aggregateId, queue: q.name, failure, state: decision.action === 'retry' ? 'retrying' : 'dead_lettered', payload });
    const fields = { queue: q.name, job_id: job.id, key: job.key, aggregate_id: job.aggregateId, attempt: job.attempt, reason: failure.reason, code: failure.code, error: failure.message };
    if (decision.action === 'retry') {
      this.metrics.retryScheduled(q.name);
      this.#log.warn({ event: 'delivery.retry_scheduled', ...fields, retry_in_ms: decision.delayMs }, `${q.event} failed (${failure.reason}); retry ${job.attempt + 1} of ${q.policy.options.maxAttempts} in ${decision.delayMs} ms`);
      return { kind: 'retry', delayMs: decision.delayMs, failure };
    }
    this.metrics.deadLettered(q.name, decision.reason);
    this.#log.error({ event: 'delivery.dead_lettered', ...fields, dead_letter_reason: decision.reason }, `${q.event} dead-lettered (${decision.reason}) after ${job.attempt} attempt(s)`);
    if (q.options.onDeadLetter !== undefined) {
      try {
        await q.options.onDeadLetter(job, { reason: decision.reason, failure });
      } catch (err) {
        this.#log.warn({ code: 'TWWRN202', queue: q.name, job_id: job.id, err }, 'onDeadLetter threw; the message is dead-lettered anyway');
      }
    }
    return { kind: 'dead_letter', reason: decision.reason, failure, attempts: job.attempt };
  }
}

/** Maps `items` through `fn`, at most `limit` at once, keeping their order. */
async function inParallel<I, O>(items: readonly I[], limit: number, fn: (item: I) => Promise<O>): Promise<O[]> {
  const out = new Array<O>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as I);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
}

function toJob<T>(j: BackendJob): DeliveryJob<T> & { readonly maxAttempts?: number } {
  return {
    id: j.id,
    queue: j.queue,
    key: j.envelope.key,
    event: j.envelope.event,
    aggregateId: j.envelope.aggregateId,
    payload: j.envelope.payload as T,
    attempt: j.attempt,
    enqueuedAt: j.enqueuedAt,
    failedBefore: j.failedBefore,
    signal: j.signal,
    ...(j.maxAttempts === undefined ? {} : { maxAttempts: j.maxAttempts }),
  };
}

function checkInt(option: string, v: number, min: number, max: number): void {
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new TillwatchConfigError([{ option, expected: `an integer between ${min} and ${max}`, got: String(v), code: 'TW_ERR_DELIVERY_INVALID_OPTIONS' }]);
  }
}

/**
 * Creates a service's delivery.
 * @throws TillwatchConfigError TW_ERR_DELIVERY_INVALID_OPTIONS naming every invalid option.
 */
export function createDelivery(options: DeliveryOptions): Delivery {
  return new Delivery(options);
}

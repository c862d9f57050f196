/**
 * Print jobs: one per completed order, dispatched to a connected agent of the order's location and
 * finished by its ack, a timeout, a disconnect or the absence of any agent. Each job is a row in
 * print_jobs and one observation in the printing metrics. Printing never fails a checkout: every
 * error here ends as a failed job and a log line, never as a throw into the order flow.
 *
 * Print jobs are not retried (a receipt printed minutes later at an empty counter helps nobody), but
 * they speak delivery's vocabulary where it fits: a failed job is an event failure (`print.receipt` in
 * event_failures_total and the event-failure table, reason classified below), and the jobs waiting for
 * an acknowledgement are the `print_jobs` queue in delivery_queue_depth and its oldest age.
 */
import { newId } from '../../ids.ts';
import type { Db, Logger, OrderCompletedEvent } from '../../deps.ts';
import type { AgentHub, DispatchFailure, DispatchOutcome } from './agent-hub.ts';
import type { PrintingMetrics } from './printing-metrics.ts';
import type { AgentType, Receipt } from './protocol.ts';

export type PrintJobStatus = 'dispatched' | 'printed' | 'failed';
export type PrintFailureReason = DispatchFailure;

/** A print job as the API shows it. */
export interface PrintJob {
  readonly id: string;
  readonly order_id: string;
  readonly location: string;
  readonly job_type: 'receipt' | 'test';
  readonly status: PrintJobStatus;
  readonly failure_reason: PrintFailureReason | null;
  readonly agent_id: string | null;
  readonly agent_type: AgentType | null;
  readonly latency_ms: number | null;
  readonly created_at: string;
  readonly finished_at: string | null;
}

interface PrintJobRow {
  id: string;
  order_id: string;
  location_id: string;
  job_type: 'receipt' | 'test';
  status: PrintJobStatus;
  failure_reason: PrintFailureReason | null;
  agent_id: string | null;
  agent_type: AgentType | null;
  latency_ms: number | null;
  created_at: Date | string;
  finished_at: Date | string | null;
}

export interface ListJobsQuery {
  readonly location?: string | undefined;
  readonly status?: PrintJobStatus | undefined;
  readonly limit: number;
}

export interface PrintServiceOptions {
  /** Records a failed job as an event failure (delivery's vocabulary). Must not throw. */
  readonly recordFailure?: (f: { readonly jobId: string; readonly orderId: string; readonly location: string; readonly reason: DispatchFailure }) => void;
  readonly db: Db;
  readonly hub: AgentHub;
  readonly metrics: PrintingMetrics;
  readonly logger: Logger;
  readonly ackTimeoutMs: number;
}

export class PrintService {
  readonly #o: PrintServiceOptions;
  readonly #inFlight = new Set<Promise<unknown>>();
  #stopped = false;

  constructor(options: PrintServiceOptions) {
    this.#o = options;
  }

  /** Jobs dispatched and not yet finished (acks awaited, rows being written). */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Prints the receipt of a completed order. Never rejects; resolves with the finished job. */
  printReceipt(order: OrderCompletedEvent): Promise<PrintJob | undefined> {
    const receipt: Receipt = {
      order_id: order.orderId,
      location: order.location,
      terminal: order.terminal,
      lines: order.items.map((i) => ({ name: i.name, quantity: i.quantity, line_total: i.lineTotal })),
      total: order.total,
      currency: order.currency,
      completed_at: order.completedAt,
    };
    return this.#track(this.#run('receipt', receipt));
  }

  /** Prints a test page at `location` (the "print test" of the restaurant platform). */
  printTest(location: string): Promise<PrintJob | undefined> {
    const now = new Date().toISOString();
    const receipt: Receipt = { order_id: `test-${now}`, location, terminal: 'test', lines: [], total: 0, currency: 'XXX', completed_at: now };
    return this.#track(this.#run('test', receipt));
  }

  /** Stops taking jobs and waits for the in-flight ones to finish (the hub closing fails their acks). */
  async drain(): Promise<void> {
    this.#stopped = true;
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  async list(q: ListJobsQuery): Promise<PrintJob[]> {
    const rows = await this.#o.db.query<PrintJobRow>(
      `SELECT * FROM print_jobs
        WHERE ($1::text IS NULL OR location_id = $1) AND ($2::text IS NULL OR status = $2)
        ORDER BY created_at DESC, id DESC LIMIT $3`,
      [q.location ?? null, q.status ?? null, q.limit],
    );
    return rows.map(toJob);
  }

  async get(id: string): Promise<PrintJob | undefined> {
    const rows = await this.#o.db.query<PrintJobRow>('SELECT * FROM print_jobs WHERE id = $1', [id]);
    return rows[0] === undefined ? undefined : toJob(rows[0]);
  }

  #track<T>(p: Promise<T>): Promise<T> {
    this.#inFlight.add(p);
    void p.finally(() => this.#inFlight.delete(p));
    return p;
  }

  async #run(jobType: 'receipt' | 'test', receipt: Receipt): Promise<PrintJob | undefined> {
    const { db, hub, metrics, ackTimeoutMs } = this.#o;
    const id = newId('pj', { dashes: true });
    const log = this.#o.logger.child({ print_job_id: id, order_id: receipt.order_id, location: receipt.location });
    try {
      await db.query(
        `INSERT INTO print_jobs (id, order_id, location_id, job_type, status) VALUES ($1, $2, $3, $4, 'dispatched')`,
        [id, receipt.order_id, receipt.location, jobType],
      );
      const outcome: DispatchOutcome = this.#stopped
        ? { ok: false, reason: 'shutdown' }
        : await hub.dispatch(receipt.location, { type: 'print', job_id: id, receipt }, ackTimeoutMs);
      const reason: PrintFailureReason | null = outcome.ok ? null : outcome.reason;
      const latencyMs = outcome.latencyMs === undefined ? null : Math.round(outcome.latencyMs);
      const rows = await db.query<PrintJobRow>(
        `UPDATE print_jobs SET status = $2, failure_reason = $3, agent_id = $4, agent_type = $5, latency_ms = $6, finished_at = now()
          WHERE id = $1 RETURNING *`,
        [id, outcome.ok ? 'printed' : 'failed', reason, outcome.agentId ?? null, outcome.agentType ?? null, latencyMs],
      );
      metrics.jobFinished({
        location: receipt.location,
        jobType,
        reason: outcome.ok ? 'printed' : outcome.reason,
        agentType: outcome.agentType,
        seconds: outcome.latencyMs === undefined ? undefined : outcome.latencyMs / 1000,
      });
      if (outcome.ok) log.info({ event: 'printing.job_printed', agent_id: outcome.agentId, latency_ms: latencyMs }, 'print job printed');
      else {
        log.warn({ event: 'printing.job_failed', reason, agent_id: outcome.agentId, latency_ms: latencyMs }, `print job failed: ${reason}`);
        if (outcome.reason !== 'shutdown') {
          this.#o.recordFailure?.({ jobId: id, orderId: receipt.order_id, location: receipt.location, reason: outcome.reason });
        }
      }
      return rows[0] === undefined ? undefined : toJob(rows[0]);
    } catch (err) {
      // The database failed (slow-db, outage): the job cannot be tracked, but the order stands.
      metrics.jobFinished({ location: receipt.location, jobType, reason: 'internal_error', agentType: undefined, seconds: undefined });
      log.error({ event: 'printing.job_error', err }, 'print job could not be recorded');
      return undefined;
    }
  }
}

function iso(v: Date | string | null): string | null {
  if (v === null) return null;
  return v instanceof Date ? v.toISOString() : new Date(v).toISOString();
}

function toJob(r: PrintJobRow): PrintJob {
  return {
    id: r.id,
    order_id: r.order_id,
    location: r.location_id,
    job_type: r.job_type,
    status: r.status,
    failure_reason: r.failure_reason,
    agent_id: r.agent_id,
    agent_type: r.agent_type,
    latency_ms: r.latency_ms,
    created_at: iso(r.created_at) as string,
    finished_at: iso(r.finished_at),
  };
}

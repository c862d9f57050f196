/**
 * One audit record and its hash. Every field is text (timestamps as ISO 8601, summaries as canonical JSON), so the
 * hash computed at write time is recomputed bit for bit from what Postgres or PGlite gives back, and from an archive.
 *
 * `hash = SHA-256(JSON.stringify([seq, at, actor, role, action, target, before, after, correlation_id, prev_hash]))`
 * (hex): each record commits to its own fields, its position and the hash of the record before it, so editing,
 * deleting, inserting or reordering a record breaks the chain at that position. The first record's `prev_hash` is
 * {@link GENESIS_HASH}.
 */
import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

/** What the caller records: who did what to what, and the state before and after (summaries, redacted). */
export interface AuditEntry {
  /** The user (or service) that acted. */
  readonly actor: string;
  /** Their role when they acted. */
  readonly role: string;
  /** What they did, a stable dotted name: `order.void`, `payment.refund`, `product.price_change`. */
  readonly action: string;
  /** What they did it to: `order:<id>`, `product:<sku>`, `user:<name>`. */
  readonly target: string;
  /** A summary of the state before (small: the fields that changed). */
  readonly before?: unknown;
  /** A summary of the state after. */
  readonly after?: unknown;
  /** The request's correlation id. */
  readonly correlationId?: string;
}

/** One stored record, as read back from the table or an archive. */
export interface AuditRecord {
  readonly seq: number;
  /** ISO 8601 UTC with milliseconds. */
  readonly at: string;
  readonly actor: string;
  readonly role: string;
  readonly action: string;
  readonly target: string;
  /** Canonical JSON of the redacted before-summary (`null` when none). */
  readonly before: string;
  readonly after: string;
  readonly correlation_id: string;
  readonly prev_hash: string;
  readonly hash: string;
}

export type UnhashedRecord = Omit<AuditRecord, 'hash'>;

/** The SHA-256 (hex) of a record's fields and its predecessor's hash. */
export function hashRecord(r: UnhashedRecord): string {
  const fields = [Number(r.seq), r.at, r.actor, r.role, r.action, r.target, r.before, r.after, r.correlation_id, r.prev_hash];
  return createHash('sha256').update(JSON.stringify(fields), 'utf8').digest('hex');
}

/**
 * What a service holds: the append call for its transactions, periodic signed checkpoints to the sink, and verify.
 *
 * ```ts
 * const audit = new AuditLog({ key: signingKeyFromPem(pem), sink: fileCheckpointSink('/var/lib/pos/audit-checkpoints.jsonl'), redact: (v) => tw.redactor.value(v) });
 * await db.tx(async (tx) => {
 *   await tx.query('UPDATE orders SET status = $2 WHERE id = $1', [id, 'voided']);
 *   await audit.append(tx, { actor, role, action: 'order.void', target: `order:${id}`, before: { status }, after: { status: 'voided' }, correlationId });
 * });
 * const stop = audit.checkpointEvery(db, 60_000);
 * ```
 */
import type { AuditEntry, AuditRecord } from './audit-record.ts';
import { appendAudit, auditHead, type AuditQueryable } from './audit-table.ts';
import { auditStream } from './archive.ts';
import { signCheckpoint, type Checkpoint, type CheckpointSink } from './checkpoint.ts';
import type { SigningKey } from './signing-key.ts';
import { verifyChain, type VerifyResult } from './verify.ts';

export interface AuditLogOptions {
  readonly key: SigningKey;
  readonly sink: CheckpointSink;
  /** Applied to before/after summaries before hashing: pass the service's redactor. */
  readonly redact?: (value: unknown) => unknown;
  /** Called when a periodic checkpoint fails (it is retried at the next period). */
  readonly onError?: (err: unknown) => void;
}

export class AuditLog {
  readonly #o: AuditLogOptions;
  #lastCheckpointSeq = -1;

  constructor(o: AuditLogOptions) {
    this.#o = o;
  }

  get keyId(): string {
    return this.#o.key.keyId;
  }

  get publicKeyPem(): string {
    return this.#o.key.publicKeyPem;
  }

  /** Appends `entry` inside the caller's transaction. */
  append(tx: AuditQueryable, entry: AuditEntry): Promise<AuditRecord> {
    return appendAudit(tx, entry, this.#o.redact ? { redact: this.#o.redact } : {});
  }

  /** Signs the current head and writes it to the sink, unless nothing was appended since the last checkpoint. */
  async checkpoint(q: AuditQueryable): Promise<Checkpoint | undefined> {
    const head = await auditHead(q);
    if (head.seq === 0 || head.seq === this.#lastCheckpointSeq) return undefined;
    const c = signCheckpoint(this.#o.key, head);
    await this.#o.sink.write(c);
    this.#lastCheckpointSeq = head.seq;
    return c;
  }

  /** Checkpoints every `intervalMs` (unref'd timer); returns the stop function. */
  checkpointEvery(q: AuditQueryable, intervalMs: number): () => void {
    const timer = setInterval(() => {
      this.checkpoint(q).catch((err: unknown) => this.#o.onError?.(err));
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  /** Verifies the archives in `archiveDir` (if any) and the live table against the sink's checkpoints. */
  async verify(q: AuditQueryable, o: { archiveDir?: string } = {}): Promise<VerifyResult> {
    const checkpoints = await this.#o.sink.readAll();
    return verifyChain(auditStream({ live: q, publicKey: this.#o.key.publicKey, ...(o.archiveDir ? { archiveDir: o.archiveDir } : {}) }), { checkpoints, publicKey: this.#o.key.publicKey });
  }
}

/**
 * The store's audit trail (@tillwatch/audit): every privileged action (voids, refunds, stock changes, age-verification
 * overrides, fault injection, dead-letter replay and purge) is a record in `audit_log`, appended in the same
 * transaction as the change, summaries redacted by tillwatch's redactor before they are hashed.
 *
 * Keys and files, from the environment (docs/audit.md):
 *
 * | variable | default | what |
 * | --- | --- | --- |
 * | AUDIT_SIGNING_KEY_FILE | `<data dir>/audit-signing-key.pem`, created on first start | PEM Ed25519 private key of the checkpoints and archives |
 * | AUDIT_CHECKPOINT_FILE | `<data dir>/audit-checkpoints.jsonl` (on Postgres `audit-checkpoints-<hash of host/db>.jsonl`) | where signed checkpoints are appended (keep it outside the database's backups and host) |
 * | AUDIT_CHECKPOINT_INTERVAL_MS | 60000 | how often the head is checkpointed (and at shutdown) |
 *
 * With the in-memory database (`TILLWATCH_DATA_DIR=memory://`) and no key file, the key and the checkpoints live in
 * memory for the life of the process, like the data they sign.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AuditLog, fileCheckpointSink, generateSigningKey, memoryCheckpointSink, signingKeyFromPem, type AuditEntry, type AuditQueryable, type AuditRecord, type SigningKey } from '@tillwatch/audit';
import type { Tillwatch } from 'tillwatch';
import { envInt, MEMORY_DATA_DIR, StoreConfigError, type ConfigIssue, type StoreConfig } from '../config.ts';

export interface StoreAudit {
  readonly log: AuditLog;
  /** The public key auditors verify with (PEM). */
  readonly publicKeyPem: string;
  readonly checkpointFile: string | undefined;
  readonly checkpointIntervalMs: number;
  /** Appends a record for `user` inside the transaction `q`, with the current request's correlation id. */
  record(q: AuditQueryable, user: { readonly sub: string; readonly role: string }, e: Omit<AuditEntry, 'actor' | 'role' | 'correlationId'>): Promise<AuditRecord>;
}

/** host:port/database of a connection string (no user, no password). */
function dbIdentity(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
}

function loadKey(config: StoreConfig, file: string | undefined): SigningKey {
  if (file !== undefined && existsSync(file)) return signingKeyFromPem(readFileSync(file, 'utf8'));
  if (config.env.AUDIT_SIGNING_KEY_FILE !== undefined) {
    throw new StoreConfigError([{ variable: 'AUDIT_SIGNING_KEY_FILE', expected: 'the path of a PEM Ed25519 private key', got: 'a path with no file' }]);
  }
  const fresh = generateSigningKey();
  if (file !== undefined) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, fresh.privateKeyPem, { mode: 0o600 });
    writeFileSync(`${file.replace(/\.pem$/, '')}.pub.pem`, fresh.publicKeyPem, { mode: 0o644 });
  }
  return fresh;
}

export function createStoreAudit(tw: Tillwatch, config: StoreConfig): StoreAudit {
  const issues: ConfigIssue[] = [];
  const intervalMs = envInt(config.env, issues, 'AUDIT_CHECKPOINT_INTERVAL_MS', 60_000, 100, 86_400_000);
  if (issues.length > 0) throw new StoreConfigError(issues);
  const inMemory = config.dataDir === MEMORY_DATA_DIR;
  const keyFile = config.env.AUDIT_SIGNING_KEY_FILE ?? (inMemory ? undefined : join(config.dataDir, 'audit-signing-key.pem'));
  // Checkpoints belong to one database: on Postgres the default file is named after the server and database.
  const dbTag = config.databaseUrl === undefined ? '' : `-${createHash('sha256').update(dbIdentity(config.databaseUrl)).digest('hex').slice(0, 12)}`;
  const checkpointFile = config.env.AUDIT_CHECKPOINT_FILE ?? (inMemory ? undefined : join(config.dataDir, `audit-checkpoints${dbTag}.jsonl`));
  const key = loadKey(config, keyFile);
  const logger = tw.logger.child({ module: 'audit' });
  const log = new AuditLog({
    key,
    sink: checkpointFile === undefined ? memoryCheckpointSink() : fileCheckpointSink(checkpointFile),
    redact: (v) => tw.redactor.value(v),
    onError: (err) => logger.error({ err }, 'audit checkpoint failed; retried at the next interval'),
  });
  return {
    log,
    publicKeyPem: key.publicKeyPem,
    checkpointFile,
    checkpointIntervalMs: intervalMs,
    record: (q, user, e) => log.append(q, { ...e, actor: user.sub, role: user.role, correlationId: tw.context.get()?.correlationId ?? '' }),
  };
}

/** Checkpoints every interval and once more at shutdown; returns the function that stops it (with a last checkpoint). */
export function startAuditCheckpoints(tw: Tillwatch, audit: StoreAudit, db: AuditQueryable): () => Promise<void> {
  const stopTimer = audit.log.checkpointEvery(db, audit.checkpointIntervalMs);
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    stopTimer();
    await audit.log.checkpoint(db);
  };
  tw.onShutdown('audit checkpoint', stop);
  return stop;
}

/** The dead-letter admin's replay and purge records, as audit records (the store's DLQ routes are admin-only). */
export function dlqAuditSink(audit: StoreAudit, db: { tx<T>(fn: (q: AuditQueryable) => Promise<T>): Promise<T> }) {
  return async (r: { action: string; actor: string; queue: string; selection: string; ids: readonly string[]; count: number; note?: string | undefined }): Promise<void> => {
    await db.tx((q) =>
      audit.record(q, { sub: r.actor, role: r.actor.startsWith('cli:') ? 'operator' : 'admin' }, {
        action: r.action,
        target: `queue:${r.queue}`,
        before: { selection: r.selection, ids: r.ids.slice(0, 100) },
        after: { count: r.count, note: r.note },
      }),
    );
  };
}

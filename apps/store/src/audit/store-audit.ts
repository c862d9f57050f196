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
 * | AUDIT_ARCHIVE | `on` when NODE_ENV=production, else `off` | archive old records on a schedule (audit-archival.ts) |
 * | AUDIT_ARCHIVE_DIR | `<data dir>/../audit-archive` (required with `memory://`) | where the signed archive segments go |
 * | AUDIT_ARCHIVE_INTERVAL_MS | 21600000 (6 h) | between archival runs; the first runs right after start-up |
 * | AUDIT_ARCHIVE_AGE_SECONDS | 7776000 (90 days) | records older than this are archived and leave the hot table |
 * | AUDIT_ARCHIVE_MAX_RECORDS | 100000 | records per archive segment (a run writes as many segments as it needs) |
 *
 * With the in-memory database (`TILLWATCH_DATA_DIR=memory://`) and no key file, the key and the checkpoints live in
 * memory for the life of the process, like the data they sign.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { archiveAuditSegment, AuditLog, fileCheckpointSink, generateSigningKey, memoryCheckpointSink, signingKeyFromPem, type AuditEntry, type ArchiveResult, type AuditQueryable, type AuditRecord, type SigningKey } from '@tillwatch/audit';
import type { Tillwatch } from 'tillwatch';
import { envInt, MEMORY_DATA_DIR, StoreConfigError, type ConfigIssue, type StoreConfig } from '../config.ts';

export interface StoreAudit {
  readonly log: AuditLog;
  /** The public key auditors verify with (PEM). */
  readonly publicKeyPem: string;
  readonly checkpointFile: string | undefined;
  readonly checkpointIntervalMs: number;
  /** Scheduled archival, when on (AUDIT_ARCHIVE). */
  readonly archive: AuditArchiveConfig | undefined;
  /** Archives one segment of the records older than `before` (verified before they leave the table). */
  archiveSegment(db: AuditQueryable & { tx<T>(fn: (q: AuditQueryable) => Promise<T>): Promise<T> }, before: Date): Promise<ArchiveResult>;
  /** Appends a record for `user` inside the transaction `q`, with the current request's correlation id. */
  record(q: AuditQueryable, user: { readonly sub: string; readonly role: string }, e: Omit<AuditEntry, 'actor' | 'role' | 'correlationId'>): Promise<AuditRecord>;
}

export interface AuditArchiveConfig {
  readonly dir: string;
  readonly intervalMs: number;
  readonly ageSeconds: number;
  readonly maxRecords: number;
}

/** AUDIT_ARCHIVE and its settings (see the table above). */
function archiveConfig(config: StoreConfig, issues: ConfigIssue[]): AuditArchiveConfig | undefined {
  const raw = config.env.AUDIT_ARCHIVE?.trim().toLowerCase();
  let on: boolean;
  if (raw === undefined || raw === '') on = config.env.NODE_ENV === 'production';
  else if (raw === 'on' || raw === 'true' || raw === '1') on = true;
  else if (raw === 'off' || raw === 'false' || raw === '0') on = false;
  else {
    issues.push({ variable: 'AUDIT_ARCHIVE', expected: 'on or off', got: JSON.stringify(raw) });
    return undefined;
  }
  const intervalMs = envInt(config.env, issues, 'AUDIT_ARCHIVE_INTERVAL_MS', 6 * 3600_000, 1000, 7 * 24 * 3600_000);
  const ageSeconds = envInt(config.env, issues, 'AUDIT_ARCHIVE_AGE_SECONDS', 90 * 86_400, 0, 7 * 366 * 86_400);
  const maxRecords = envInt(config.env, issues, 'AUDIT_ARCHIVE_MAX_RECORDS', 100_000, 1, 1_000_000);
  if (!on) return undefined;
  const dirRaw = config.env.AUDIT_ARCHIVE_DIR?.trim();
  if ((dirRaw === undefined || dirRaw === '') && config.dataDir === MEMORY_DATA_DIR) {
    issues.push({ variable: 'AUDIT_ARCHIVE_DIR', expected: 'a directory for the archives (the in-memory database has no data directory to put them next to)', got: 'nothing' });
    return undefined;
  }
  const dir = dirRaw ? resolve(dirRaw) : resolve(config.dataDir, '..', 'audit-archive');
  return { dir, intervalMs, ageSeconds, maxRecords };
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
  const archive = archiveConfig(config, issues);
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
    archive,
    archiveSegment: (db, before) => {
      if (archive === undefined) return Promise.reject(new Error('audit archival is off (AUDIT_ARCHIVE)'));
      return archiveAuditSegment(db, { dir: archive.dir, key, before, maxRecords: archive.maxRecords });
    },
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

/**
 * The audit table in the service's own Postgres (or PGlite), written in the same transaction as the change it
 * describes. `auditLogDdl()` creates it:
 *
 * - `audit_log`: one row per record, every column text (see audit-record.ts), `seq` the primary key;
 * - `audit_head`: one row, the last `seq` and hash. Appends lock it (`SELECT ... FOR UPDATE`), so concurrent
 *   transactions chain one after the other; a rolled-back transaction leaves neither a record nor a gap;
 * - `audit_archives`: one row per archive file that verified (archive.ts), append-only too;
 * - triggers refusing UPDATE, DELETE and TRUNCATE on `audit_log` and `audit_archives` (SQLSTATE 42501), except the
 *   deletion of records an archive already holds (`seq <= max(last_seq)` of `audit_archives`).
 *
 * A superuser can still disable the triggers: the chain and the signed checkpoints are what make that visible.
 */
import { GENESIS_HASH, hashRecord, type AuditEntry, type AuditRecord } from './audit-record.ts';
import { canonicalJson } from './canonical-json.ts';

/** Something SQL can be sent to: a pool, a client, an open transaction (structural: no driver dependency). */
export interface AuditQueryable {
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
}

/** The DDL (idempotent). The store's migration 008 is this text. */
export function auditLogDdl(): string {
  return `CREATE TABLE IF NOT EXISTS audit_log (
  seq bigint PRIMARY KEY,
  at text NOT NULL,
  actor text NOT NULL,
  role text NOT NULL,
  action text NOT NULL,
  target text NOT NULL,
  before text NOT NULL,
  after text NOT NULL,
  correlation_id text NOT NULL,
  prev_hash text NOT NULL,
  hash text NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_log_target ON audit_log (target);
CREATE TABLE IF NOT EXISTS audit_head (
  id int PRIMARY KEY CHECK (id = 1),
  seq bigint NOT NULL,
  hash text NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '${GENESIS_HASH}') ON CONFLICT (id) DO NOTHING;
CREATE TABLE IF NOT EXISTS audit_archives (
  name text PRIMARY KEY,
  first_seq bigint NOT NULL,
  last_seq bigint NOT NULL,
  last_hash text NOT NULL,
  sha256 text NOT NULL,
  created_at text NOT NULL
);
CREATE OR REPLACE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'audit_log'
     AND OLD.seq <= (SELECT coalesce(max(last_seq), 0) FROM audit_archives) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = '42501';
END
$$;
DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log;
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
DROP TRIGGER IF EXISTS audit_archives_append_only ON audit_archives;
CREATE TRIGGER audit_archives_append_only BEFORE UPDATE OR DELETE ON audit_archives FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
`;
}

export interface AppendOptions {
  /** The redactor, applied to the before/after summaries before they are hashed and stored. */
  readonly redact?: (value: unknown) => unknown;
  readonly now?: Date;
}

const COLUMNS = 'seq::text AS seq, at, actor, role, action, target, before, after, correlation_id, prev_hash, hash';

/** A bounded printable form of an identifier field. */
function field(v: string | undefined, max: number): string {
  return String(v ?? '').slice(0, max).replace(/[\u0000-\u001f]/g, '?');
}

/**
 * Appends one record inside the caller's transaction `tx` (so it commits or rolls back with the change).
 * @returns the stored record.
 */
export async function appendAudit(tx: AuditQueryable, entry: AuditEntry, o: AppendOptions = {}): Promise<AuditRecord> {
  const [head] = await tx.query<{ seq: string; hash: string }>('SELECT seq::text AS seq, hash FROM audit_head WHERE id = 1 FOR UPDATE');
  if (head === undefined) throw new Error('audit_head has no row: run auditLogDdl() (the store: its migrations) first');
  const redact = o.redact ?? ((v: unknown) => v);
  const summary = (v: unknown) => canonicalJson(v === undefined ? null : redact(v));
  const unhashed = {
    seq: Number(head.seq) + 1,
    at: (o.now ?? new Date()).toISOString(),
    actor: field(entry.actor, 128),
    role: field(entry.role, 64),
    action: field(entry.action, 128),
    target: field(entry.target, 256),
    before: summary(entry.before),
    after: summary(entry.after),
    correlation_id: field(entry.correlationId, 128),
    prev_hash: head.hash,
  };
  const record: AuditRecord = { ...unhashed, hash: hashRecord(unhashed) };
  await tx.query(
    'INSERT INTO audit_log (seq, at, actor, role, action, target, before, after, correlation_id, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)',
    [record.seq, record.at, record.actor, record.role, record.action, record.target, record.before, record.after, record.correlation_id, record.prev_hash, record.hash],
  );
  await tx.query('UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1', [record.seq, record.hash]);
  return record;
}

/** The head of the chain as the table says: last `seq` and hash (0 and the genesis hash when empty). */
export async function auditHead(q: AuditQueryable): Promise<{ seq: number; hash: string }> {
  const [head] = await q.query<{ seq: string; hash: string }>('SELECT seq::text AS seq, hash FROM audit_head WHERE id = 1');
  return { seq: Number(head?.seq ?? 0), hash: head?.hash ?? GENESIS_HASH };
}

function toRecord(r: AuditRecord): AuditRecord {
  return { ...r, seq: Number(r.seq) };
}

/** Reads the records from `fromSeq` (inclusive) on, in `seq` order, `batch` rows per query. */
export async function* readAuditRecords(q: AuditQueryable, o: { fromSeq?: number; toSeq?: number; batch?: number } = {}): AsyncIterable<AuditRecord> {
  const batch = o.batch ?? 5000;
  let from = o.fromSeq ?? 1;
  const to = o.toSeq ?? Number.MAX_SAFE_INTEGER;
  for (;;) {
    const rows = await q.query<AuditRecord>(`SELECT ${COLUMNS} FROM audit_log WHERE seq >= $1 AND seq <= $2 ORDER BY audit_log.seq LIMIT $3`, [from, to, batch]);
    for (const r of rows) yield toRecord(r);
    if (rows.length < batch) return;
    from = Number((rows.at(-1) as AuditRecord).seq) + 1;
  }
}

/** The first `seq` in the table (after archival, the live part starts later), undefined when empty. */
export async function firstLiveSeq(q: AuditQueryable): Promise<number | undefined> {
  const [r] = await q.query<{ seq: string | null }>('SELECT min(seq)::text AS seq FROM audit_log');
  return r?.seq == null ? undefined : Number(r.seq);
}

/** Lists records newest first (an admin view), optionally for one target or action. */
export async function listAuditRecords(q: AuditQueryable, o: { limit?: number; beforeSeq?: number; target?: string; action?: string } = {}): Promise<AuditRecord[]> {
  const rows = await q.query<AuditRecord>(
    `SELECT ${COLUMNS} FROM audit_log WHERE seq < $1 AND ($2::text IS NULL OR target = $2) AND ($3::text IS NULL OR action = $3) ORDER BY audit_log.seq DESC LIMIT $4`,
    [o.beforeSeq ?? Number.MAX_SAFE_INTEGER, o.target ?? null, o.action ?? null, Math.min(Math.max(o.limit ?? 50, 1), 500)],
  );
  return rows.map(toRecord);
}

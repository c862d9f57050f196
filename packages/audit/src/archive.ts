/**
 * Archival of old audit records: a segment of the chain written to a compressed, checksummed, signed file, checked
 * by reading it back, registered in `audit_archives`, and only then removed from the hot table (the trigger allows
 * deleting records an archive holds, nothing else).
 *
 * Files, for a segment `first..last`: `audit-<first>-<last>.jsonl.gz` (gzip of JSON lines: a header line
 * `{ format, first_seq, last_seq, prev_hash, last_hash, count }`, then one record per line) and
 * `audit-<first>-<last>.sig.json` (`{ name, sha256, first_seq, last_seq, prev_hash, last_hash, key_id, signature }`,
 * Ed25519 over the canonical JSON of the other fields). `verifyChain` then runs over the archives and the live
 * table as one stream (`auditStream`), so verify works across archive + live.
 */
import { createHash, type KeyObject } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { GENESIS_HASH, type AuditRecord } from './audit-record.ts';
import { readAuditRecords, type AuditQueryable } from './audit-table.ts';
import { canonicalJson } from './canonical-json.ts';
import { signText, verifyText, type SigningKey } from './signing-key.ts';
import { verifyChain } from './verify.ts';

export const ARCHIVE_FORMAT = 'tillwatch-audit-archive/1';

export interface ArchiveManifest {
  readonly name: string;
  readonly sha256: string;
  readonly first_seq: number;
  readonly last_seq: number;
  readonly prev_hash: string;
  readonly last_hash: string;
  readonly key_id: string;
  readonly signature: string;
}

export interface ArchiveSegment {
  readonly manifest: ArchiveManifest;
  readonly records: AuditRecord[];
}

function manifestText(m: Omit<ArchiveManifest, 'signature'>): string {
  return canonicalJson({ name: m.name, sha256: m.sha256, first_seq: m.first_seq, last_seq: m.last_seq, prev_hash: m.prev_hash, last_hash: m.last_hash, key_id: m.key_id });
}

/** Reads one archive and checks its checksum and signature (not yet the chain: see {@link auditStream}). @throws Error saying what failed. */
export async function readArchive(dir: string, name: string, publicKey: KeyObject): Promise<ArchiveSegment> {
  const manifest = JSON.parse(await readFile(join(dir, `${name}.sig.json`), 'utf8')) as ArchiveManifest;
  if (manifest.name !== name) throw new Error(`archive ${name}: its manifest names ${manifest.name}`);
  if (!verifyText(publicKey, manifestText(manifest), manifest.signature)) throw new Error(`archive ${name}: the manifest is not signed by the given key (replaced or edited)`);
  const gz = await readFile(join(dir, `${name}.jsonl.gz`));
  const sha = createHash('sha256').update(gz).digest('hex');
  if (sha !== manifest.sha256) throw new Error(`archive ${name}: checksum ${sha.slice(0, 12)}... differs from the signed ${manifest.sha256.slice(0, 12)}... (the file was changed)`);
  const lines = gunzipSync(gz).toString('utf8').split('\n').filter((l) => l !== '');
  const header = JSON.parse(lines[0] ?? '{}') as { format?: string; first_seq?: number; last_seq?: number };
  if (header.format !== ARCHIVE_FORMAT || header.first_seq !== manifest.first_seq || header.last_seq !== manifest.last_seq) throw new Error(`archive ${name}: header does not match its manifest`);
  return { manifest, records: lines.slice(1).map((l) => JSON.parse(l) as AuditRecord) };
}

/** Archive names in `dir`, in `seq` order. */
export async function listArchives(dir: string): Promise<string[]> {
  let files: string[];
  try {
    files = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return files
    .map((f) => /^(audit-(\d+)-(\d+))\.sig\.json$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .sort((a, b) => Number(a[2]) - Number(b[2]))
    .map((m) => m[1] as string);
}

/**
 * The whole log as one stream: the archives of `dir` (checksum and signature checked, in order), then the live
 * table from the record after the last archive. Feed it to {@link verifyChain}.
 * @throws Error when an archive's checksum or signature is wrong (the caller reports it as the first bad position).
 */
export async function* auditStream(o: { archiveDir?: string; publicKey?: KeyObject; live?: AuditQueryable }): AsyncIterable<AuditRecord> {
  let next = 1;
  if (o.archiveDir !== undefined) {
    if (o.publicKey === undefined) throw new Error('archives need the public key to check their signatures');
    for (const name of await listArchives(o.archiveDir)) {
      const seg = await readArchive(o.archiveDir, name, o.publicKey);
      for (const r of seg.records) yield r;
      next = seg.manifest.last_seq + 1;
    }
  }
  if (o.live !== undefined) yield* readAuditRecords(o.live, { fromSeq: next });
}

export interface ArchiveResult {
  readonly archived: ArchiveManifest | undefined;
  readonly removed: number;
}

/**
 * Archives the records older than `before` (by their `at`) that are not archived yet, in one segment of at most
 * `maxRecords`: writes the file and its signed manifest, reads them back and verifies the segment against the chain
 * (it must continue from the previous archive's last hash), registers it in `audit_archives` and deletes the
 * archived records from the table, all in `db.tx`. Nothing is deleted unless the written file verified.
 */
export async function archiveAuditSegment(
  db: AuditQueryable & { tx<T>(fn: (q: AuditQueryable) => Promise<T>): Promise<T> },
  o: { dir: string; key: SigningKey; before: Date; maxRecords?: number },
): Promise<ArchiveResult> {
  return db.tx(async (q) => {
    const [last] = await q.query<{ last_seq: string | null; last_hash: string | null }>('SELECT last_seq::text AS last_seq, last_hash FROM audit_archives ORDER BY last_seq DESC LIMIT 1');
    const from = last?.last_seq == null ? 1 : Number(last.last_seq) + 1;
    const prevHash = last?.last_hash ?? GENESIS_HASH;
    const cutoff = o.before.toISOString();
    const records: AuditRecord[] = [];
    for await (const r of readAuditRecords(q, { fromSeq: from, toSeq: from + (o.maxRecords ?? 100_000) - 1 })) {
      if (r.at >= cutoff) break;
      records.push(r);
    }
    if (records.length === 0) return { archived: undefined, removed: 0 };
    const check = await verifyChain(records, { start: { seq: from, prevHash } });
    if (!check.ok) throw new Error(`not archiving: the records to archive do not verify (${check.failure?.problem} at seq ${check.failure?.seq}: ${check.failure?.detail})`);
    const first = from;
    const lastRec = records.at(-1) as AuditRecord;
    const name = `audit-${String(first).padStart(12, '0')}-${String(lastRec.seq).padStart(12, '0')}`;
    const header = { format: ARCHIVE_FORMAT, first_seq: first, last_seq: lastRec.seq, prev_hash: prevHash, last_hash: lastRec.hash, count: records.length };
    const gz = gzipSync(Buffer.from([JSON.stringify(header), ...records.map((r) => JSON.stringify(r))].join('\n') + '\n', 'utf8'));
    const body = { name, sha256: createHash('sha256').update(gz).digest('hex'), first_seq: first, last_seq: lastRec.seq, prev_hash: prevHash, last_hash: lastRec.hash, key_id: o.key.keyId };
    const manifest: ArchiveManifest = { ...body, signature: signText(o.key, manifestText(body)) };
    await mkdir(o.dir, { recursive: true });
    // Written under temporary names, then renamed: a crash leaves no half archive under the final name.
    await writeFile(join(o.dir, `${name}.jsonl.gz.tmp`), gz);
    await writeFile(join(o.dir, `${name}.sig.json.tmp`), `${JSON.stringify(manifest, null, 1)}\n`);
    await rename(join(o.dir, `${name}.jsonl.gz.tmp`), join(o.dir, `${name}.jsonl.gz`));
    await rename(join(o.dir, `${name}.sig.json.tmp`), join(o.dir, `${name}.sig.json`));
    // Read back what is on disk and verify it before anything leaves the table.
    const back = await readArchive(o.dir, name, o.key.publicKey);
    const again = await verifyChain(back.records, { start: { seq: first, prevHash } });
    if (!again.ok || again.records !== records.length) throw new Error(`not archiving: the archive ${name} read back does not verify`);
    await q.query('INSERT INTO audit_archives (name, first_seq, last_seq, last_hash, sha256, created_at) VALUES ($1, $2, $3, $4, $5, $6)', [name, first, lastRec.seq, lastRec.hash, manifest.sha256, new Date().toISOString()]);
    const deleted = await q.query<{ n: string }>('WITH d AS (DELETE FROM audit_log WHERE seq >= $1 AND seq <= $2 RETURNING 1) SELECT count(*)::text AS n FROM d', [first, lastRec.seq]);
    return { archived: manifest, removed: Number(deleted[0]?.n ?? 0) };
  });
}

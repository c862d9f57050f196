/**
 * The tamper suite, on PGlite and on the real Postgres: an untouched log verifies; UPDATE, DELETE and TRUNCATE are
 * refused by the trigger; and with the triggers disabled (what a database superuser can do), each tamper is found at
 * the right position: an edited field, a deleted record, a reordered pair, an inserted record, a truncated tail, a
 * replaced checkpoint, a rewritten and re-hashed chain. Archival: segments leave the table only once their signed
 * archive verifies, and verify works across archive + live; a changed archive is found.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { requireReal, tcpReachable } from '../../tillwatch/test/helpers/real-parts.ts';
import {
  archiveAuditSegment,
  AuditLog,
  auditStream,
  generateSigningKey,
  hashRecord,
  listArchives,
  memoryCheckpointSink,
  readAuditRecords,
  signCheckpoint,
  verifyChain,
  type AuditRecord,
  type VerifyResult,
} from '../src/index.ts';
import { openTestDb, type Backend, type TestDb } from './helpers.ts';

const RECORDS = 40;
const key = generateSigningKey();

interface Log {
  readonly db: TestDb;
  readonly audit: AuditLog;
  readonly sink: ReturnType<typeof memoryCheckpointSink>;
  verify(o?: { archiveDir?: string }): Promise<VerifyResult>;
  /** Runs `sql` with the append-only triggers off, as a superuser could. */
  tamper(sql: string, params?: unknown[]): Promise<void>;
}

/** 40 records, a signed checkpoint after every 10th. */
async function buildLog(db: TestDb): Promise<Log> {
  const sink = memoryCheckpointSink();
  const audit = new AuditLog({ key, sink, redact: (v) => JSON.parse(JSON.stringify(v).replace(/4111111111111111/g, '411111******1111')) });
  for (let i = 1; i <= RECORDS; i++) {
    await db.tx((tx) => audit.append(tx, { actor: `manager${i % 3}`, role: 'manager', action: i % 2 ? 'order.void' : 'payment.refund', target: `order:o-${i}`, before: { status: 'completed', total: i * 100 }, after: { status: i % 2 ? 'voided' : 'refunded', note: i === 7 ? 'card 4111111111111111' : undefined }, correlationId: `c-${i}` }));
    if (i % 10 === 0) await audit.checkpoint(db);
  }
  return {
    db,
    audit,
    sink,
    verify: (o) => audit.verify(db, o),
    async tamper(sql, params) {
      await db.exec('ALTER TABLE audit_log DISABLE TRIGGER USER');
      await db.query(sql, params);
      await db.exec('ALTER TABLE audit_log ENABLE TRIGGER USER');
    },
  };
}

function failsAt(r: VerifyResult, problem: string, seq: number): void {
  assert.equal(r.ok, false, 'verify fails');
  assert.deepEqual([r.failure?.problem, r.failure?.seq], [problem, seq], r.failure?.detail);
}

async function suite(t: TestContext, backend: Backend, pglite?: PGlite): Promise<void> {
  const fresh = async () => {
    const db = await openTestDb(backend, pglite);
    t.after(() => db.close());
    return buildLog(db);
  };

  await t.test('an untouched log verifies, with every checkpoint matched, and payloads were redacted before hashing', async () => {
    const log = await fresh();
    const r = await log.verify();
    assert.deepEqual([r.ok, r.records, r.checkpoints, r.lastSeq], [true, RECORDS, 4, RECORDS], r.failure?.detail);
    const seven = (await log.db.query<AuditRecord>('SELECT after FROM audit_log WHERE seq = 7'))[0];
    assert.ok(seven && !seven.after.includes('4111111111111111') && seven.after.includes('411111******1111'));
  });

  await t.test('UPDATE, DELETE and TRUNCATE are refused by the trigger', async () => {
    const log = await fresh();
    for (const sql of ["UPDATE audit_log SET actor = 'mallory' WHERE seq = 3", 'DELETE FROM audit_log WHERE seq = 3', 'TRUNCATE audit_log']) {
      await assert.rejects(log.db.query(sql), (err: { code?: string; message: string }) => err.code === '42501' && /append-only/.test(err.message), sql);
    }
    assert.equal((await log.verify()).ok, true);
  });

  await t.test('an edited field is found at its record', async () => {
    const log = await fresh();
    await log.tamper("UPDATE audit_log SET after = replace(after, 'voided', 'completed') WHERE seq = 17");
    failsAt(await log.verify(), 'hash_mismatch', 17);
  });

  await t.test('a deleted record is found at its position', async () => {
    const log = await fresh();
    await log.tamper('DELETE FROM audit_log WHERE seq = 23');
    failsAt(await log.verify(), 'missing_record', 23);
  });

  await t.test('a reordered pair is found at the first of the two', async () => {
    const log = await fresh();
    await log.tamper('UPDATE audit_log SET seq = -12 WHERE seq = 12');
    await log.tamper('UPDATE audit_log SET seq = 12 WHERE seq = 13');
    await log.tamper('UPDATE audit_log SET seq = 13 WHERE seq = -12');
    failsAt(await log.verify(), 'prev_hash_mismatch', 12);
  });

  await t.test('an inserted record is found at its position', async () => {
    const log = await fresh();
    // Make room at 25 (two steps: a unique key is checked row by row), then copy record 24 there.
    await log.tamper('UPDATE audit_log SET seq = -seq WHERE seq >= 25');
    await log.tamper('UPDATE audit_log SET seq = -seq + 1 WHERE seq < 0');
    await log.tamper("INSERT INTO audit_log SELECT 25, at, 'mallory', role, action, target, before, after, correlation_id, prev_hash, hash FROM audit_log WHERE seq = 24");
    failsAt(await log.verify(), 'prev_hash_mismatch', 25);
  });

  await t.test('a truncated tail is found by the checkpoint beyond the end', async () => {
    const log = await fresh();
    await log.tamper('DELETE FROM audit_log WHERE seq >= 35');
    failsAt(await log.verify(), 'truncated', 35);
  });

  await t.test('a replaced checkpoint is found by its signature', async () => {
    const log = await fresh();
    const forger = generateSigningKey();
    const i = log.sink.checkpoints.findIndex((c) => c.seq === 20);
    log.sink.checkpoints[i] = { ...signCheckpoint(forger, { seq: 20, hash: 'f'.repeat(64) }), key_id: key.keyId };
    failsAt(await log.verify(), 'checkpoint_signature', 20);
  });

  await t.test('a chain rewritten and re-hashed from one record on is found at the next signed checkpoint', async () => {
    const log = await fresh();
    const rows: AuditRecord[] = [];
    for await (const r of readAuditRecords(log.db)) rows.push(r);
    let prev = (rows[15] as AuditRecord).hash; // record 16
    for (const r of rows.slice(16)) {
      const edited = { ...r, actor: r.seq === 17 ? 'mallory' : r.actor, prev_hash: prev };
      const hash = hashRecord(edited);
      await log.tamper('UPDATE audit_log SET actor = $2, prev_hash = $3, hash = $4 WHERE seq = $1', [r.seq, edited.actor, prev, hash]);
      prev = hash;
    }
    failsAt(await log.verify(), 'checkpoint_mismatch', 20);
  });

  await t.test('archival: old records leave the table only with a verified signed archive; verify spans archive + live', async () => {
    const log = await fresh();
    const dir = mkdtempSync(join(tmpdir(), 'tw-audit-archive-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const [r21] = await log.db.query<AuditRecord>('SELECT at FROM audit_log WHERE seq = 21');
    // Everything written before record 21 (its timestamp may be shared with 20 at millisecond resolution).
    const res = await archiveAuditSegment(log.db, { dir, key, before: new Date(r21!.at) });
    assert.ok(res.archived && res.removed === res.archived.last_seq && res.removed >= 1);
    assert.deepEqual(await listArchives(dir), [res.archived.name]);
    const [{ n }] = (await log.db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_log')) as [{ n: number }];
    assert.equal(n, RECORDS - res.removed);
    // Deleting a record no archive holds is still refused.
    await assert.rejects(log.db.query('DELETE FROM audit_log WHERE seq = $1', [res.removed + 1]), /append-only/);
    const across = await log.verify({ archiveDir: dir });
    assert.deepEqual([across.ok, across.records, across.checkpoints], [true, RECORDS, 4]);
    // The live table alone no longer starts at 1: verify needs the archive.
    failsAt(await verifyChain(auditStream({ live: log.db }), {}), 'missing_record', 1);
    // A changed archive file is found.
    const gz = join(dir, `${res.archived.name}.jsonl.gz`);
    const bytes = readFileSync(gz);
    bytes[bytes.length - 10] = (bytes[bytes.length - 10] as number) ^ 0xff;
    writeFileSync(gz, bytes);
    failsAt(await log.verify({ archiveDir: dir }), 'unreadable', 1);
  });
}

test('audit tamper suite on PGlite', { timeout: 120_000 }, async (t) => {
  const pglite = new PGlite();
  await suite(t, 'pglite', pglite);
  t.after(() => pglite.close()); // registered last: runs after the schemas are dropped

});

test('audit tamper suite on Postgres', { timeout: 120_000 }, async (t) => {
  if (!requireReal(t, 'postgres', await tcpReachable(5432), 'a Postgres on 127.0.0.1:5432')) return;
  await suite(t, 'postgres');
});

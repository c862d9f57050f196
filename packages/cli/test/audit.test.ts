/**
 * `tillwatch audit verify` as an auditor runs it: the live table through DATABASE_URL, the archives, the signed
 * checkpoints and the public key from files; exit 0 when the log verifies, 1 with the first bad position when it
 * does not, 2 on bad usage. On the real Postgres (the live table) and from archives alone.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { archiveAuditSegment, AuditLog, fileCheckpointSink, generateSigningKey } from '@tillwatch/audit';
import { openTestDb, POSTGRES_URL } from '../../audit/test/helpers.ts';
import { requireReal, tcpReachable } from '../../tillwatch/test/helpers/real-parts.ts';
import { CLI, REPO } from './helpers.ts';

function verify(args: readonly string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, 'audit', 'verify', ...args], { cwd: REPO, encoding: 'utf8', timeout: 120_000, env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: process.env.NODE_OPTIONS ?? '', ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('tillwatch audit verify: live table, archives, checkpoints; exits non-zero at the first bad position', { timeout: 120_000 }, async (t) => {
  if (!requireReal(t, 'postgres', await tcpReachable(5432), 'a Postgres on 127.0.0.1:5432')) return;
  const dir = mkdtempSync(join(tmpdir(), 'tw-audit-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const key = generateSigningKey();
  const pub = join(dir, 'audit.pub.pem');
  writeFileSync(pub, key.publicKeyPem);
  const checkpoints = join(dir, 'checkpoints.jsonl');
  const db = await openTestDb('postgres');
  t.after(() => db.close());
  const audit = new AuditLog({ key, sink: fileCheckpointSink(checkpoints) });
  for (let i = 1; i <= 30; i++) {
    await db.tx((tx) => audit.append(tx, { actor: 'manager', role: 'manager', action: 'order.void', target: `order:o-${i}`, after: { status: 'voided' } }));
    if (i % 10 === 0) await audit.checkpoint(db);
  }
  const env = { DATABASE_URL: `${POSTGRES_URL}?options=${encodeURIComponent(`-c search_path=${db.schema}`)}` };
  const keyArgs = ['--public-key', pub, '--checkpoints', checkpoints];

  const ok = verify(keyArgs, env);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /^ok: 30 record\(s\) chain up to seq 30; 3 signed checkpoint\(s\) matched/);

  // Archive the first records, then verify across archive + live, and the archive alone.
  const archives = join(dir, 'archives');
  const [r11] = await db.query<{ at: string }>('SELECT at FROM audit_log WHERE seq = 11');
  const res = await archiveAuditSegment(db, { dir: archives, key, before: new Date(r11!.at) });
  assert.ok(res.removed > 0);
  const across = verify([...keyArgs, '--archive', archives, '--json'], env);
  assert.equal(across.status, 0, across.stdout + across.stderr);
  assert.deepEqual(JSON.parse(across.stdout), { ok: true, records: 30, checkpoints: 3, last_seq: 30, failure: null });
  const archiveOnly = verify(['--public-key', pub, '--archive', archives, '--no-live']);
  assert.equal(archiveOnly.status, 0, archiveOnly.stderr);

  // A deleted record: exit 1, the position named.
  await db.exec('ALTER TABLE audit_log DISABLE TRIGGER USER');
  await db.query('DELETE FROM audit_log WHERE seq = 17');
  await db.exec('ALTER TABLE audit_log ENABLE TRIGGER USER');
  const bad = verify([...keyArgs, '--archive', archives], env);
  assert.equal(bad.status, 1);
  assert.match(bad.stdout, /FAILED at seq 17: missing_record/);
  assert.match(bad.stderr, /TW_ERR_AUDIT_VERIFY_FAILED/);

  // Usage errors: nothing to verify; signed files without the key.
  assert.equal(verify([]).status, 2);
  assert.equal(verify(['--checkpoints', checkpoints], env).status, 2);
  assert.ok(!`${ok.stdout}${ok.stderr}${bad.stdout}${bad.stderr}`.includes('postgres://'), 'the connection string is never printed');
});

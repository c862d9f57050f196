/**
 * The audit trail's two costs, on a real Postgres and on PGlite (one fresh schema each, dropped at the end):
 *
 * 1. **verify**: a chain of `records` (default 100 000) records, written as `appendAudit` writes them (computed in
 *    this process and bulk-inserted, to keep the set-up short) with a signed checkpoint every 10 000; then the time
 *    of `verifyChain(readAuditRecords(...))` against the bare read of the same rows in the same batches (no hashing):
 *    medians of `rounds`, interleaved.
 * 2. **cost per order**: one order-shaped transaction (insert an order and 3 items, update 3 stock rows) with and
 *    without one `appendAudit` in it, alternating one bare and one audited transaction `orders` x `rounds` times,
 *    median wall time of each kind; the figure is the ratio.
 *
 *   node -C tillwatch-source bench/audit.ts [records=100000] [orders=300] [rounds=3]   (records 0: the order cost only)
 */
import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { appendAudit, auditLogDdl, generateSigningKey, GENESIS_HASH, hashRecord, readAuditRecords, signCheckpoint, verifyChain, type AuditQueryable, type AuditRecord, type Checkpoint } from '../packages/audit/src/index.ts';

const records = Number(process.argv[2] ?? 100_000);
const orders = Number(process.argv[3] ?? 300);
const rounds = Number(process.argv[4] ?? 3);
const url = process.env.TILLWATCH_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const key = generateSigningKey();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

interface Conn extends AuditQueryable {
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

async function connect(kind: 'postgres' | 'pglite'): Promise<Conn> {
  const schema = `audit_bench_${randomBytes(4).toString('hex')}`;
  let conn: Conn;
  if (kind === 'pglite') {
    const db = new PGlite();
    conn = { query: async (s, p) => (await db.query(s, p)).rows as never, exec: async (s) => void (await db.exec(s)), close: () => db.close() };
  } else {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    conn = {
      query: async (s, p) => (await c.query(s, p)).rows as never,
      exec: async (s) => void (await c.query(s)),
      close: async () => {
        await c.query(`DROP SCHEMA ${schema} CASCADE`);
        await c.end();
      },
    };
  }
  await conn.exec(`CREATE SCHEMA ${schema}; SET search_path TO ${schema}`);
  await conn.exec(auditLogDdl());
  await conn.exec(`CREATE TABLE orders (id text PRIMARY KEY, total int, status text);
CREATE TABLE order_items (order_id text, sku text, quantity int);
CREATE TABLE stock (sku text PRIMARY KEY, on_hand int);
INSERT INTO stock VALUES ('A', 1000000), ('B', 1000000), ('C', 1000000);`);
  return conn;
}

/** Writes a valid chain of n records in bulk. */
async function populate(c: Conn, n: number): Promise<void> {
  let prev = GENESIS_HASH;
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  for (let start = 1; start <= n; start += 1000) {
    const rows: AuditRecord[] = [];
    for (let seq = start; seq < Math.min(start + 1000, n + 1); seq++) {
      const u = { seq, at: new Date(t0 + seq * 1000).toISOString(), actor: `manager${seq % 7}`, role: 'manager', action: seq % 2 ? 'order.void' : 'order.refund', target: `order:o-${seq}`, before: `{"status":"completed","total":${seq % 5000}}`, after: `{"reason":"customer_request","status":"voided"}`, correlation_id: `c-${seq}`, prev_hash: prev };
      const r = { ...u, hash: hashRecord(u) };
      rows.push(r);
      prev = r.hash;
    }
    const params: unknown[] = [];
    const values = rows.map((r, i) => {
      params.push(r.seq, r.at, r.actor, r.role, r.action, r.target, r.before, r.after, r.correlation_id, r.prev_hash, r.hash);
      return `(${Array.from({ length: 11 }, (_, k) => `$${i * 11 + k + 1}`).join(', ')})`;
    });
    await c.query(`INSERT INTO audit_log (seq, at, actor, role, action, target, before, after, correlation_id, prev_hash, hash) VALUES ${values.join(', ')}`, params);
  }
  await c.query('UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1', [n, prev]);
}

async function timeMs(f: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
}

async function orderTx(c: Conn, i: number, audited: boolean): Promise<void> {
  await c.exec('BEGIN');
  const id = `o-${audited ? 'a' : 'b'}-${i}-${randomBytes(3).toString('hex')}`;
  await c.query('INSERT INTO orders (id, total, status) VALUES ($1, $2, $3)', [id, 2599, 'voided']);
  for (const sku of ['A', 'B', 'C']) {
    await c.query('INSERT INTO order_items (order_id, sku, quantity) VALUES ($1, $2, $3)', [id, sku, 1]);
    await c.query('UPDATE stock SET on_hand = on_hand + 1 WHERE sku = $1', [sku]);
  }
  if (audited) await appendAudit(c, { actor: 'manager', role: 'manager', action: 'order.void', target: `order:${id}`, before: { status: 'paid', total: 2599 }, after: { status: 'voided', reason: 'customer_request' }, correlationId: id });
  await c.exec('COMMIT');
}

for (const kind of ['postgres', 'pglite'] as const) {
  const c = await connect(kind);
  try {
    if (records > 0) {
    const setup = await timeMs(() => populate(c, records));
    // A signed checkpoint every 10 000 records, as the service would have written them.
    const checkpoints = await (async () => {
      const out: Checkpoint[] = [];
      for await (const r of readAuditRecords(c)) if (r.seq % 10_000 === 0) out.push(signCheckpoint(key, { seq: r.seq, hash: r.hash }));
      return out;
    })();
    const verifyMs: number[] = [];
    const readMs: number[] = [];
    for (let r = 0; r < rounds; r++) {
      readMs.push(await timeMs(async () => {
        let n = 0;
        for await (const _ of readAuditRecords(c)) n++;
        if (n !== records) throw new Error(`read ${n} records`);
      }));
      verifyMs.push(await timeMs(async () => {
        const v = await verifyChain(readAuditRecords(c), { checkpoints, publicKey: key.publicKey });
        if (!v.ok || v.records !== records) throw new Error(`verify failed: ${JSON.stringify(v.failure)}`);
      }));
    }
    const v = median(verifyMs);
    const rd = median(readMs);
    console.log(`${kind}: ${records} records written in ${(setup / 1000).toFixed(1)} s; verify ${(v / 1000).toFixed(2)} s (${Math.round(records / (v / 1000))} records/s), bare read ${(rd / 1000).toFixed(2)} s, verify/read ${(v / rd).toFixed(2)}; ${checkpoints.length} checkpoints`);
    }
    const bare: number[] = [];
    const audited: number[] = [];
    for (let i = 0; i < orders * rounds; i++) {
      bare.push(await timeMs(() => orderTx(c, i, false)));
      audited.push(await timeMs(() => orderTx(c, i, true)));
    }
    console.log(`${kind}: order transaction ${median(bare).toFixed(2)} ms bare, ${median(audited).toFixed(2)} ms audited, ratio ${(median(audited) / median(bare)).toFixed(2)} (${orders} transactions x ${rounds} rounds)`);
  } finally {
    await c.close();
  }
}

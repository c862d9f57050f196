// Durable receipts with tillwatch/delivery on PGlite (nothing to install; pass a pg Pool as { pool } for Postgres).
// Run: node examples/delivery/receipts.ts  (the "provider" fails the first attempt, the retry delivers; then it exits)
import { PGlite } from '@electric-sql/pglite';
import { createTillwatch } from 'tillwatch';
import { createDelivery, DeliveryError, pgBossBackend, sqlEventFailureStore, sqlExecutor } from 'tillwatch/delivery';

const tw = createTillwatch({ service: { name: 'example-delivery' }, lifecycle: { handleSignals: false } });
const db = await PGlite.create();
const delivery = createDelivery({
  tillwatch: tw,
  backend: await pgBossBackend({ pglite: db }),
  eventFailures: sqlEventFailureStore({ db: sqlExecutor(db), redactor: tw.redactor }),
  retry: { maxAttempts: 5, baseDelayMs: 200, maxDelayMs: 2000, retryBudgetMs: 60_000 },
});
const receipts = delivery.queue<{ orderId: string; text: string }>('receipts', { event: 'receipt.send' });
await delivery.start();

// The order and its receipt commit together, or neither does.
await db.exec('CREATE TABLE orders (id TEXT PRIMARY KEY, status TEXT NOT NULL)');
await db.transaction(async (tx) => {
  await tx.query(`INSERT INTO orders VALUES ('o-1', 'completed')`);
  await receipts.enqueue({ orderId: 'o-1', text: 'Thanks for your order' }, { key: 'receipt:o-1', aggregateId: 'o-1', tx: sqlExecutor(tx) });
});

let calls = 0;
const delivered = new Promise<void>((resolve) => {
  void receipts.work(async (job) => {
    // A real worker would POST to the provider with `Idempotency-Key: job.key` and `signal: job.signal`.
    if (++calls === 1) throw DeliveryError.fromHttpStatus(503); // retryable: tried again with backoff
    console.log(`delivered ${job.key} on attempt ${job.attempt}`);
    resolve();
  }, { pollIntervalMs: 500 });
});
await delivered;
await delivery.stop(); // waits for the attempt in hand to be settled
for (const f of await delivery.deadLetters.failures({ limit: 5 })) console.log(`${f.event} ${f.key}: ${f.state} after ${f.attempts} failed attempt(s)`);
await db.close();
await tw.close();

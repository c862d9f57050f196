/**
 * The sink scan: a corpus of hostile values (card numbers in many groupings, CVVs, passwords, tokens, JWTs,
 * database URLs, NUL, lone surrogates, CRLF, injection strings) is placed in headers, paths, query strings,
 * JSON bodies (values and keys) and ids of every kind of route of the real store, with the features that
 * forward data (receipts by SMS, the sales sync) and a normal day of sales around it. Then every sink is
 * scanned: stdout/stderr, the log lines, /metrics, /health, every response body and header, every table
 * of the database, the data directory (PGlite), and what reached the simulated SMS provider and warehouse.
 * The payment provider is the one party that legitimately receives a card number; only what the store
 * keeps and forwards elsewhere is scanned.
 *
 * Expected: 0 findings over >= 1000 placements, on PGlite and on the real Postgres.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startSmsProvider } from '../src/sim/sms-provider.ts';
import { startWarehouse } from '../src/sim/warehouse.ts';
import { CVV, JWT, PANS, SECRETS, hostileValues, scanText, type Finding } from './helpers/hostile-corpus.ts';
import { backends, eventually, startHarness, type Harness } from './helpers/store-harness.ts';

const LOC = 'store-001';

/** A pass-through HTTP proxy that keeps every request body and header it forwards: what the store sent out. */
async function recordingProxy(target: string): Promise<{ url: string; text: () => string; count: () => number; close: () => Promise<void> }> {
  const seen: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      seen.push(`${req.method} ${req.url}\n${JSON.stringify(req.headers)}\n${body.toString('utf8')}`);
      const out = httpRequest(new URL(req.url ?? '/', target), { method: req.method, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      out.on('error', () => {
        res.statusCode = 502;
        res.end();
      });
      out.end(body);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    text: () => seen.join('\n'),
    count: () => seen.length,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Every file under `dir`, as latin1 text (binary-safe: an ASCII secret reads the same). */
function dirText(dir: string): { files: number; bytes: number; text: string } {
  let files = 0;
  let bytes = 0;
  const parts: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else {
        files++;
        bytes += st.size;
        parts.push(readFileSync(p).toString('latin1'));
      }
    }
  };
  walk(dir);
  return { files, bytes, text: parts.join('\n') };
}

interface Placement {
  readonly where: string;
  readonly send: (v: string) => Promise<Response>;
}

for (const backend of backends().filter((b) => b !== 'postgres+redis')) {
  test(`no card number, CVV, password, token or credential reaches any sink on ${backend}`, { timeout: 240_000 }, async (t) => {
    const sms = await startSmsProvider();
    const warehouse = await startWarehouse();
    const smsSeen = await recordingProxy(sms.url);
    const warehouseSeen = await recordingProxy(warehouse.url);
    t.after(async () => {
      await smsSeen.close();
      await warehouseSeen.close();
      await sms.close();
      await warehouse.close();
    });
    const dataDir = backend === 'pglite' ? mkdtempSync(join(tmpdir(), 'tillwatch-sink-scan-')) : undefined;
    if (dataDir) t.after(() => rmSync(dataDir, { recursive: true, force: true }));
    const h: Harness | undefined = await startHarness(t, backend, {
      features: ['notifications', 'sales-sync', 'offline', 'experiments'],
      env: {
        ...(dataDir ? { TILLWATCH_DATA_DIR: dataDir } : {}),
        SMS_PROVIDER_URL: smsSeen.url,
        WAREHOUSE_URL: warehouseSeen.url,
        SALES_SYNC_INTERVAL_MS: '500',
        RECEIPT_WAIT_MS: '0',
        DELIVERY_POLL_INTERVAL_MS: '500',
        DELIVERY_BASE_DELAY_MS: '100',
        DELIVERY_MAX_DELAY_MS: '200',
      },
    });
    if (!h) return;
    const cashier = await h.token('cashier');
    const manager = await h.token('manager');
    const admin = await h.token('admin');
    const responses: string[] = [];
    const keep = async (res: Response): Promise<Response> => {
      responses.push(`${res.status} ${JSON.stringify([...res.headers])}\n${await res.clone().text()}`);
      return res;
    };
    const call = (method: string, path: string, o: { token?: string; body?: string; headers?: Record<string, string> } = {}): Promise<Response> =>
      fetch(h.url + path, {
        method,
        headers: { ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}), ...(o.token ? { authorization: `Bearer ${o.token}` } : {}), ...o.headers },
        body: o.body,
      }).then(keep);
    const json = (v: unknown): string => JSON.stringify(v);
    const enc = encodeURIComponent;

    // A normal day around the hostile traffic: a customer with a phone, card and cash sales, receipts, a refund.
    const customer = (await (await call('POST', '/customers', { token: cashier, body: json({ name: 'Robin Regular', phone: '+15555550123' }) })).json()) as { id: string };
    const sell = async (method: 'cash' | 'card', pan?: string): Promise<string> => {
      const o = (await (await call('POST', '/orders', { token: cashier, body: json({ location: LOC, terminal: 'till-1', channel: 'in_store', customer_id: customer.id, items: [{ sku: 'SNACK-PRETZEL', quantity: 2 }] }) })).json()) as { id: string };
      const pay = method === 'card' ? { method, card: { number: pan, cvv: CVV, expiry: '12/30' } } : { method };
      await call('POST', `/orders/${o.id}/pay`, { token: cashier, body: json(pay) });
      await call('POST', `/orders/${o.id}/complete`, { token: cashier });
      return o.id;
    };
    const sold: string[] = [];
    for (const pan of PANS.slice(0, 3)) sold.push(await sell('card', pan));
    const refundable = await sell('cash');
    sold.push(refundable);

    let offlineSeq = 0;
    const placements: Placement[] = [
      // headers
      ...['x-request-id', 'x-correlation-id', 'user-agent', 'referer', 'x-forwarded-for', 'cookie', 'traceparent', 'x-api-key', 'x-terminal-id'].map(
        (name): Placement => ({ where: `header ${name}`, send: (v) => call('GET', '/products', { token: cashier, headers: { [name]: v } }) }),
      ),
      { where: 'header authorization', send: (v) => call('GET', '/auth/me', { headers: { authorization: `Bearer ${v}` } }) },
      { where: 'header x-request-id on an error', send: (v) => call('POST', '/orders', { token: cashier, body: '{', headers: { 'x-request-id': v } }) },
      // paths
      { where: 'path /orders/:id', send: (v) => call('GET', `/orders/${enc(v)}`, { token: cashier }) },
      { where: 'path /customers/:id', send: (v) => call('GET', `/customers/${enc(v)}`, { token: cashier }) },
      { where: 'path /products/:sku', send: (v) => call('GET', `/products/${enc(v)}`, { token: cashier }) },
      { where: 'path unknown route', send: (v) => call('GET', `/no/such/${enc(v)}`, { token: cashier }) },
      { where: 'path /locations/:location/stock', send: (v) => call('GET', `/locations/${enc(v)}/stock`, { token: cashier }) },
      { where: 'path /offline/sales/:terminal/:id', send: (v) => call('GET', `/offline/sales/${enc(v)}/${enc(v)}`, { token: cashier }) },
      { where: 'path /orders/:id/pay', send: (v) => call('POST', `/orders/${enc(v)}/pay`, { token: cashier, body: json({ method: 'cash' }) }) },
      // query strings
      { where: 'query /customers?email', send: (v) => call('GET', `/customers?email=${enc(v)}`, { token: cashier }) },
      { where: 'query /customers?phone', send: (v) => call('GET', `/customers?phone=${enc(v)}`, { token: cashier }) },
      { where: 'query /experiments/evaluate?terminal', send: (v) => call('GET', `/experiments/evaluate?terminal=${enc(v)}`, { token: cashier }) },
      { where: 'query /experiments/evaluate?customer', send: (v) => call('GET', `/experiments/evaluate?terminal=till-1&customer=${enc(v)}`, { token: cashier }) },
      { where: 'query /notifications/messages?order_id', send: (v) => call('GET', `/notifications/messages?order_id=${enc(v)}`, { token: manager }) },
      { where: 'query /offline/queue?terminal', send: (v) => call('GET', `/offline/queue?terminal=${enc(v)}`, { token: cashier }) },
      { where: 'query /admin/event-failures?event', send: (v) => call('GET', `/admin/event-failures?event=${enc(v)}`, { token: admin }) },
      { where: 'query unknown parameter', send: (v) => call('GET', `/products?password=${enc(v)}&q=${enc(v)}`, { token: cashier }) },
      // bodies
      { where: 'body login username', send: (v) => call('POST', '/auth/login', { body: json({ username: v, password: 'wrong-password' }) }) },
      { where: 'body login password', send: (v) => call('POST', '/auth/login', { body: json({ username: 'nobody-here', password: v }) }) },
      { where: 'body order terminal', send: (v) => call('POST', '/orders', { token: cashier, body: json({ location: LOC, terminal: v, channel: 'in_store', items: [{ sku: 'SNACK-PRETZEL', quantity: 1 }] }) }) },
      { where: 'body order customer_id', send: (v) => call('POST', '/orders', { token: cashier, body: json({ location: LOC, terminal: 'till-2', channel: 'in_store', customer_id: v, items: [{ sku: 'SNACK-PRETZEL', quantity: 1 }] }) }) },
      { where: 'body order location', send: (v) => call('POST', '/orders', { token: cashier, body: json({ location: v, terminal: 'till-2', channel: 'in_store', items: [{ sku: 'SNACK-PRETZEL', quantity: 1 }] }) }) },
      { where: 'body order sku', send: (v) => call('POST', '/orders', { token: cashier, body: json({ location: LOC, terminal: 'till-2', channel: 'in_store', items: [{ sku: v, quantity: 1 }] }) }) },
      { where: 'body order unknown field and key', send: (v) => call('POST', '/orders', { token: cashier, body: json({ location: LOC, terminal: 'till-2', channel: v, note: v, [v]: v, items: [] }) }) },
      { where: 'body card number and cvv', send: (v) => call('POST', `/orders/${sold[0]}/pay`, { token: cashier, body: json({ method: 'card', card: { number: v, cvv: v, expiry: v } }) }) },
      { where: 'body refund reason', send: (v) => call('POST', `/orders/${refundable}/refund`, { token: manager, body: json({ reason: v, amount: 1 }) }) },
      { where: 'body customer name', send: (v) => call('POST', '/customers', { token: cashier, body: json({ name: v }) }) },
      { where: 'body customer email', send: (v) => call('POST', '/customers', { token: cashier, body: json({ name: 'E Mail', email: v }) }) },
      { where: 'body customer phone', send: (v) => call('POST', '/customers', { token: cashier, body: json({ name: 'P Hone', phone: v }) }) },
      { where: 'body age verification id_number', send: (v) => call('POST', `/orders/${sold[1]}/age-verification`, { token: cashier, body: json({ method: 'id_scan', date_of_birth: '1980-01-01', id_number: v }) }) },
      { where: 'body experiment conversion experiment', send: (v) => call('POST', '/experiments/conversions', { token: cashier, body: json({ experiment: v, terminal: 'till-1' }) }) },
      { where: 'body experiment conversion unit', send: (v) => call('POST', '/experiments/conversions', { token: cashier, body: json({ experiment: 'receipt_prompt', terminal: v, customer: v }) }) },
      { where: 'body receipt order_id', send: (v) => call('POST', '/notifications/receipts', { token: cashier, body: json({ order_id: v, phone: '+15555550199' }) }) },
      { where: 'body receipt phone', send: (v) => call('POST', '/notifications/receipts', { token: cashier, body: json({ order_id: sold[2], phone: v }) }) },
      {
        where: 'body offline batch ids',
        send: (v) =>
          call('POST', '/offline/batches', {
            token: cashier,
            body: json({ terminal: v, location: LOC, sales: [{ client_sale_id: v, recorded_at: new Date().toISOString(), customer_id: v, items: [{ sku: 'SNACK-PRETZEL', quantity: 1, unit_price: 199 }], payment: { method: 'cash', amount: 199 } }] }),
          }),
      },
      {
        where: 'body offline sale ids',
        send: (v) =>
          call('POST', '/offline/batches', {
            token: cashier,
            body: json({ terminal: 'till-off', location: LOC, sales: [{ client_sale_id: v, recorded_at: v, customer_id: v, items: [{ sku: v, quantity: 1, unit_price: 199 }], payment: { method: 'cash', amount: 199 } }] }),
          }),
      },
      {
        where: 'body offline sale sku and time',
        send: (v) =>
          call('POST', '/offline/batches', {
            token: cashier,
            body: json({ terminal: 'till-off', location: LOC, sales: [{ client_sale_id: `s-${++offlineSeq}`, recorded_at: v, items: [{ sku: v, quantity: 1, unit_price: 199 }], payment: { method: 'cash', amount: 199 } }, { client_sale_id: `s-${++offlineSeq}`, recorded_at: new Date().toISOString(), items: [{ sku: v, quantity: 1, unit_price: 199 }], payment: { method: 'cash', amount: 199 } }] }),
          }),
      },
      { where: 'body stock change', send: (v) => call('PUT', `/locations/${LOC}/stock/${enc(v)}`, { token: manager, body: json({ on_hand: v }) }) },
      { where: 'body dead-letter purge note', send: (v) => call('POST', '/admin/dlq/purge', { token: admin, body: json({ queue: 'no-such-queue', note: v }) }) },
      { where: 'body malformed JSON around the value', send: (v) => call('POST', '/orders', { token: cashier, body: `{"terminal": ${json(v)}, ` }) },
    ];

    const values = hostileValues();
    let placed = 0;
    let refused = 0;
    const statuses = new Map<number, number>();
    // Every value at every other site (alternating), so each value reaches about half the sites and each site
    // about half the values: over 1000 placements in a bounded time.
    for (const [site, p] of placements.entries()) {
      for (const [i, v] of values.entries()) {
        if ((site + i) % 2 !== 0) continue;
        let res: Response;
        try {
          res = await p.send(v);
        } catch {
          refused++; // fetch itself refuses the value (a CR/LF or non-Latin-1 header): it never reached the store
          continue;
        }
        placed++;
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        assert.ok(res.status < 500 || res.status === 503, `${p.where}: ${res.status} for ${JSON.stringify(v).slice(0, 60)}`);
      }
    }
    assert.ok(placed >= 1000, `${placed} placements`);

    // Let the forwarding features run: the receipts to the SMS provider and a sales-sync cycle to the warehouse.
    await eventually('receipts sent to the SMS provider', async () => (sms.stats().accepted >= 1 ? true : undefined), 60_000);
    await eventually('sales synced to the warehouse', async () => (sold.every((id) => warehouse.has(id)) ? true : undefined), 60_000);

    const findings: Finding[] = [];
    findings.push(...scanText('responses', responses.join('\n')));
    findings.push(...scanText('log lines', h.sink.text()));
    findings.push(...scanText('stdout/stderr', h.output()));
    findings.push(...scanText('/metrics', await (await fetch(`${h.url}/metrics`)).text()));
    for (const probe of ['/health', '/health/ready', '/health/live', '/health/startup']) findings.push(...scanText(probe, await (await fetch(h.url + probe)).text()));
    findings.push(...scanText('database tables', await h.dbText()));
    findings.push(...scanText('SMS provider requests', smsSeen.text()));
    findings.push(...scanText('warehouse requests', warehouseSeen.text()));
    let dataDirFiles = 0;
    let dataDirBytes = 0;
    if (dataDir) {
      await h.store.close(); // flush PGlite to its files
      const d = dirText(dataDir);
      dataDirFiles = d.files;
      dataDirBytes = d.bytes;
      findings.push(...scanText('data directory', d.text, { generic: false }));
    }
    const summary = {
      backend,
      placements: placed,
      placementSites: placements.length,
      values: values.length,
      refusedByClient: refused,
      statuses: Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])),
      logLines: h.sink.lines.length,
      smsRequests: smsSeen.count(),
      warehouseRequests: warehouseSeen.count(),
      dataDirFiles,
      dataDirBytes,
      findings: findings.length,
    };
    t.diagnostic(JSON.stringify(summary));
    const bySink = new Map<string, number>();
    for (const f of findings) bySink.set(`${f.sink}: ${f.what}`, (bySink.get(`${f.sink}: ${f.what}`) ?? 0) + 1);
    assert.deepEqual(findings, [], `sink findings ${JSON.stringify(Object.fromEntries(bySink))}: ${JSON.stringify(findings.slice(0, 10), null, 1)}`);
    // the scanner itself finds what it looks for
    assert.ok(scanText('self', `x ${PANS[0].replace(/(\d{4})/g, '$1.')} ${SECRETS.password} "cvv":"${CVV}" ${JWT}`).length >= 4);
  });
}

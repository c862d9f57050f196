/**
 * `npm run simulate -- --minutes N --rate R --scenario S [--url http://127.0.0.1:$PORT]`
 *
 * Drives realistic traffic against a running store (`npm start`): cashiers log in, look products up,
 * ring up orders across locations, terminals and channels, verify ages, take payments by card (some
 * declined), cash, mobile and gift card, complete, void and refund; terminals that were offline post
 * batches; printer agents (the agent simulator) print the receipts; customers take digital receipts
 * and the receipt-prompt experiment converts. A scenario then breaks one thing for the middle third
 * of the run and restores it:
 *
 * | scenario            | what happens in the middle third |
 * | ------------------- | -------------------------------- |
 * | normal              | nothing breaks |
 * | payment-outage      | the payment provider answers 503 to everything (its `PUT /admin/config {outage}`) |
 * | slow-db             | every database statement waits 150 ms (the store's `PUT /admin/faults {db_latency_ms}`) |
 * | printer-disconnect  | every printer agent of the first location drops; they reconnect for the last third |
 * | sync-stall          | the warehouse holds every batch open (its `PUT /admin/config {stall}`) |
 * | sms-outage          | the SMS/WhatsApp provider answers 503 to everything (its `PUT /admin/config {outage}`): receipts retry with backoff and, past the retry budget, fill the dead-letter queue |
 * | brute-force         | one client (from 127.0.0.2) tries passwords for a few unknown usernames, fast (the demo users are left alone, so the run does not lock them out) |
 * | password-spray      | one client (from 127.0.0.3) tries one common password against many user names, one guess each |
 *
 * The attack scenarios send from a loopback address of their own (127.0.0.2, 127.0.0.3 when the store is on
 * 127.0.0.1), so the store's per-source login throttle refuses the attacker and not the simulated cashiers.
 *
 * Bounded: traffic goes to loopback addresses only, stops at `--minutes` (fractional is fine) or
 * after `--max-requests`, whichever comes first, then prints a summary with the movement of the key
 * metric series and exits. Faults it injected are undone even when the run fails half-way.
 *
 * Options: --minutes (default 1), --rate (checkouts per second, default 2), --scenario (default
 * normal), --url, --payment-url, --warehouse-url, --sms-url, --max-requests (default 20000), --seed, --json
 * (print the summary as JSON), --no-agents (connect no printer agents). The four URLs default to
 * 127.0.0.1 on the ports `npm start` uses, read from the same variables: PORT (3000),
 * PAYMENT_SIM_PORT (3100), SMS_SIM_PORT (3101) and WAREHOUSE_SIM_PORT (3102); unset or 0 gives the default.
 */
import { parseArgs } from 'node:util';
import { request as httpRequest } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectPrinterAgents, type PrinterFleet, type SimAgentSpec } from '../src/sim/printer-agent.ts';
import { builtInAgentId } from '../src/sim/simulators.ts';
import { newId } from '../src/ids.ts';

/** Share of print jobs the simulated printers fail: well inside the print SLO's budget (1%). */
const PRINTER_FAILURE_RATE = 0.002;
const SCENARIOS = ['normal', 'payment-outage', 'slow-db', 'printer-disconnect', 'sync-stall', 'sms-outage', 'brute-force', 'password-spray'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface SimulateOptions {
  readonly url: string;
  readonly paymentUrl: string;
  readonly warehouseUrl: string;
  readonly smsUrl: string;
  readonly minutes: number;
  readonly rate: number;
  readonly scenario: Scenario;
  readonly maxRequests: number;
  readonly seed: number;
  readonly agents: boolean;
  readonly json: boolean;
}

/** The series whose movement the summary reports (sums over all their labels). */
const WATCHED_SERIES = [
  'orders_completed_total',
  'orders_voided_total',
  'revenue_total',
  'payments_successes_total',
  'payments_failures_total',
  'age_verifications_total',
  'print_jobs_total',
  'sync_records_total',
  'sync_errors_total',
  'offline_sync_operations_total',
  'feature_flag_evaluations_total',
  'experiment_conversions_total',
  'auth_failed_logins_total',
  'outbound_messages_total',
  'delivery_attempts_total',
  'dlq_retries_total',
  'dlq_dead_lettered_total',
  'event_failures_total',
] as const;

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** `http://127.0.0.1:<port>` with the port from `env[name]` (a positive integer), else `def`. */
function localUrl(env: Readonly<Record<string, string | undefined>>, name: string, def: number): string {
  const raw = env[name]?.trim() ?? '';
  const port = /^\d+$/.test(raw) && Number(raw) > 0 && Number(raw) <= 65535 ? Number(raw) : def;
  return `http://127.0.0.1:${port}`;
}

/**
 * Parses the command line; URL defaults follow `env` (see the header).
 * @throws Error naming the option, what was expected and what came.
 */
export function parseOptions(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = process.env): SimulateOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      minutes: { type: 'string', default: '1' },
      rate: { type: 'string', default: '2' },
      scenario: { type: 'string', default: 'normal' },
      url: { type: 'string', default: localUrl(env, 'PORT', 3000) },
      'payment-url': { type: 'string', default: localUrl(env, 'PAYMENT_SIM_PORT', 3100) },
      'warehouse-url': { type: 'string', default: localUrl(env, 'WAREHOUSE_SIM_PORT', 3102) },
      'sms-url': { type: 'string', default: localUrl(env, 'SMS_SIM_PORT', 3101) },
      'max-requests': { type: 'string', default: '20000' },
      seed: { type: 'string' },
      json: { type: 'boolean', default: false },
      'no-agents': { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const num = (name: string, raw: string, min: number, max: number): number => {
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min || n > max) throw new Error(`--${name}: expected a number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
    return n;
  };
  const loopback = (name: string, raw: string): string => {
    let u: URL;
    try {
      u = new URL(raw);
    } catch {
      throw new Error(`--${name}: expected an http:// URL, got ${JSON.stringify(raw)}`);
    }
    const host = u.hostname;
    if (u.protocol !== 'http:' || !(LOOPBACK.has(host) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host))) {
      throw new Error(`--${name}: the simulator sends traffic to this machine only (http://127.0.0.1, localhost or [::1]), got ${JSON.stringify(raw)}`);
    }
    return u.origin;
  };
  const scenario = values.scenario as string;
  if (!(SCENARIOS as readonly string[]).includes(scenario)) throw new Error(`--scenario: expected one of ${SCENARIOS.join(', ')}, got ${JSON.stringify(scenario)}`);
  return {
    url: loopback('url', values.url as string),
    paymentUrl: loopback('payment-url', values['payment-url'] as string),
    warehouseUrl: loopback('warehouse-url', values['warehouse-url'] as string),
    smsUrl: loopback('sms-url', values['sms-url'] as string),
    minutes: num('minutes', values.minutes as string, 0.01, 24 * 60),
    rate: num('rate', values.rate as string, 0.1, 200),
    scenario: scenario as Scenario,
    maxRequests: Math.floor(num('max-requests', values['max-requests'] as string, 1, 1_000_000)),
    seed: values.seed === undefined ? Date.now() % 2 ** 31 : Math.floor(num('seed', values.seed, 0, 2 ** 31)),
    agents: !values['no-agents'],
    json: values.json as boolean,
  };
}

/** mulberry32: a small seeded PRNG, so a run can be repeated with --seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Product {
  readonly sku: string;
  readonly price: number;
  readonly age_restricted: boolean;
}

export interface Summary {
  readonly scenario: Scenario;
  readonly seconds: number;
  readonly requests: number;
  readonly byStatus: Record<string, number>;
  readonly counts: Record<string, number>;
  readonly agents: { connected: number; jobsReceived: number; acked: number; failed: number; disconnects: number } | null;
  /** Movement of the watched series during the run (sum over labels). */
  readonly metrics: Record<string, number>;
  readonly errors: readonly string[];
}

class Budget {
  used = 0;
  readonly max: number;
  constructor(max: number) {
    this.max = max;
  }
  take(): boolean {
    if (this.used >= this.max) return false;
    this.used++;
    return true;
  }
}

/** Runs one simulation; resolves with its summary. Never leaves a fault it injected in place. */
/**
 * The kinds of client calling the store: till tablets on the current API, a phone app and the back office on
 * the older one, from two regions (the header the edge in front of the store sets), and an integration with
 * neither (counted under the instance's location, when it has one).
 */
const CLIENTS: readonly Readonly<Record<string, string>>[] = [
  { 'user-agent': 'Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1', 'x-api-version': 'v2', 'x-client-region': 'eu-west' },
  { 'user-agent': 'Mozilla/5.0 (Linux; Android 14; SM-T870) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36', 'x-api-version': 'v2', 'x-client-region': 'eu-north' },
  { 'user-agent': 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36', 'x-api-version': 'v1', 'x-client-region': 'eu-west' },
  { 'user-agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36', 'x-api-version': 'v1', 'x-client-region': 'eu-north' },
  {},
];

export async function simulate(o: SimulateOptions, log: (line: string) => void = () => {}): Promise<Summary> {
  const random = prng(o.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const chance = (p: number): boolean => random() < p;
  const started = Date.now();
  const deadline = started + o.minutes * 60_000;
  const budget = new Budget(o.maxRequests);
  const byStatus: Record<string, number> = {};
  const counts: Record<string, number> = {};
  const errors: string[] = [];
  const count = (k: string, n = 1): void => {
    counts[k] = (counts[k] ?? 0) + n;
  };
  const note = (e: string): void => {
    if (errors.length < 20) errors.push(e);
  };

  let callNo = 0;
  /** One HTTP call; undefined when the request budget is spent. */
  const call = async (method: string, base: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: any } | undefined> => {
    if (!budget.take()) return undefined;
    // Clients take turns (not the seeded random source, so a scenario's sequence of events does not change).
    const headers: Record<string, string> = { ...CLIENTS[callNo++ % CLIENTS.length] };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token) headers.authorization = `Bearer ${token}`;
    try {
      const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(15_000) });
      const text = await res.text();
      byStatus[res.status] = (byStatus[res.status] ?? 0) + 1;
      let parsed: unknown = text;
      try {
        parsed = text === '' ? undefined : JSON.parse(text);
      } catch {
        // keep the text
      }
      return { status: res.status, body: parsed };
    } catch (err) {
      byStatus.network_error = (byStatus.network_error ?? 0) + 1;
      note(`${method} ${path}: ${(err as Error).message}`);
      return { status: 0, body: undefined };
    }
  };
  const store = (method: string, path: string, body?: unknown, token?: string) => call(method, o.url, path, body, token);

  const metricsBefore = await scrape(o.url);
  if (metricsBefore === undefined) throw new Error(`the store at ${o.url} does not answer /metrics: start it with npm start`);

  const login = async (username: string, password: string): Promise<string> => {
    const r = await store('POST', '/auth/login', { username, password });
    if (r?.status !== 200) throw new Error(`login as ${username} failed: HTTP ${r?.status} ${JSON.stringify(r?.body)}`);
    count('logins');
    return (r.body as { token: string }).token;
  };
  const cashier = await login('cashier', 'demo-cashier-pw');
  const manager = await login('manager', 'demo-manager-pw');
  const admin = await login('admin', 'demo-admin-pw');

  const locationsRes = await store('GET', '/locations', undefined, cashier);
  const locations: string[] = ((locationsRes?.body?.locations ?? []) as { id: string }[]).map((l) => l.id);
  if (locations.length === 0) throw new Error('the store lists no locations');
  const productsRes = await store('GET', '/products', undefined, cashier);
  const products: Product[] = (productsRes?.body?.products ?? []) as Product[];
  if (products.length === 0) throw new Error('the store lists no products');
  const restricted = products.filter((p) => p.age_restricted);
  const unrestricted = products.filter((p) => !p.age_restricted);
  const terminals = locations.flatMap((loc) => [1, 2, 3].map((n) => ({ location: loc, terminal: `${loc}-till-${n}` })));

  // A few loyalty customers with phone numbers (fictional 555-01xx numbers).
  const customers: { id: string; phone: string }[] = [];
  const run = Math.floor(random() * 1e6).toString().padStart(6, '0');
  for (let i = 0; i < 6; i++) {
    const phone = `+1555${run.slice(0, 3)}${String(i).padStart(4, '0')}`;
    const r = await store('POST', '/customers', { name: `Sim Customer ${run}-${i}`, phone }, cashier);
    if (r?.status === 201) {
      customers.push({ id: (r.body as { id: string }).id, phone });
      count('customers_created');
    }
  }

  let fleet: PrinterFleet | undefined;
  // Agent ids of their own: an agent connecting with the id of one already connected replaces it, and the
  // store's built-in agents (`npm start`) must still be there when the run is over.
  const agentSpecs: SimAgentSpec[] = locations.flatMap((branch) => [
    { branch, type: 'agent' as const, agentId: `sim-agent-${branch}` },
    { branch, type: 'desktop_app' as const, agentId: `sim-desktop-${branch}` },
  ]);
  if (o.agents) {
    try {
      // 0.2% of jobs fail (paper, jams): well inside the print SLO's 1% budget, so steady traffic burns none of it.
      fleet = await connectPrinterAgents({ url: o.url, agents: agentSpecs, failureRate: PRINTER_FAILURE_RATE, ackLatencyMs: 30, ackJitterMs: 400, random });
      count('agents_connected', agentSpecs.length);
    } catch (err) {
      note(`printer agents: ${(err as Error).message}`);
    }
  }

  // --- the scenario's fault, on for the middle third -------------------------------------------
  const third = (deadline - started) / 3;
  let restore: (() => Promise<void>) | undefined;
  const inject = async (): Promise<void> => {
    switch (o.scenario) {
      case 'payment-outage': {
        await call('PUT', o.paymentUrl, '/admin/config', { outage: true });
        restore = async () => void (await call('PUT', o.paymentUrl, '/admin/config', { outage: false }));
        break;
      }
      case 'slow-db': {
        await store('PUT', '/admin/faults', { db_latency_ms: 150 }, admin);
        restore = async () => void (await store('PUT', '/admin/faults', { db_latency_ms: 0 }, admin));
        break;
      }
      case 'sync-stall': {
        await call('PUT', o.warehouseUrl, '/admin/config', { stall: true });
        restore = async () => void (await call('PUT', o.warehouseUrl, '/admin/config', { stall: false }));
        break;
      }
      case 'sms-outage': {
        await call('PUT', o.smsUrl, '/admin/config', { outage: true });
        restore = async () => void (await call('PUT', o.smsUrl, '/admin/config', { outage: false }));
        break;
      }
      case 'printer-disconnect': {
        const first = locations[0] as string;
        if (fleet) {
          // The store's own agent of that location (npm start connects one) goes too: connecting with its id
          // replaces it. The store reconnects it a minute later (BUILT_IN_AGENT_RECONNECT_MS).
          await fleet.connect([{ branch: first, type: 'agent', agentId: builtInAgentId(first) }]).catch((e: unknown) => note(`take over ${builtInAgentId(first)}: ${(e as Error).message}`));
          for (const a of fleet.agents.filter((x) => x.branch === first && x.open)) a.kill();
          count('agents_dropped', agentSpecs.filter((s) => s.branch === first).length);
        }
        restore = async () => {
          if (fleet) await fleet.connect(agentSpecs.filter((s) => s.branch === first)).catch((e: unknown) => note(`reconnect: ${(e as Error).message}`));
        };
        break;
      }
      case 'brute-force':
      case 'password-spray':
      case 'normal':
        break;
    }
    log(`scenario ${o.scenario}: fault on`);
  };
  const lift = async (): Promise<void> => {
    const r = restore;
    restore = undefined;
    if (r) {
      await r();
      log(`scenario ${o.scenario}: fault off`);
    }
  };

  // A manager restocks what ran out (at most once a minute per item), so a long run keeps selling
  // while out-of-stock failures still show up between deliveries.
  const restocked = new Map<string, number>();
  const restock = async (location: string, skus: readonly string[]): Promise<void> => {
    for (const sku of skus) {
      const key = `${location}/${sku}`;
      if (Date.now() - (restocked.get(key) ?? 0) < 60_000) continue;
      restocked.set(key, Date.now());
      const r = await store('PUT', `/locations/${location}/stock/${encodeURIComponent(sku)}`, { on_hand: 300 }, manager);
      if (r?.status === 200) count('restocks');
    }
  };

  // --- one checkout --------------------------------------------------------------------------
  const offlineHistory: Record<string, unknown>[] = [];
  /** Points each customer earned in this run and has not spent yet (a lower bound of their balance). */
  const pointsEarned = new Map<string, number>();
  let cashWithPoints = 0;
  const checkout = async (): Promise<void> => {
    const till = pick(terminals);
    const channel = pick(['in_store', 'in_store', 'in_store', 'kiosk', 'online', 'voice'] as const);
    const customer = chance(0.35) && customers.length > 0 ? pick(customers) : undefined;
    const lines = 1 + Math.floor(random() * 3);
    const items: { sku: string; quantity: number }[] = [];
    for (let i = 0; i < lines; i++) {
      const p = chance(0.45) && restricted.length > 0 ? pick(restricted) : pick(unrestricted.length > 0 ? unrestricted : products);
      if (items.some((x) => x.sku === p.sku)) continue;
      await store('GET', `/products/${encodeURIComponent(p.sku)}`, undefined, cashier);
      count('product_lookups');
      items.push({ sku: p.sku, quantity: 1 + Math.floor(random() * 2) });
    }
    const evalQuery = `terminal=${encodeURIComponent(till.terminal)}${customer ? `&customer=${customer.id}` : ''}`;
    const evaluation = await store('GET', `/experiments/evaluate?${evalQuery}`, undefined, cashier);
    const variant: string | undefined = evaluation?.body?.experiments?.receipt_prompt?.variant;

    const created = await store('POST', '/orders', { location: till.location, terminal: till.terminal, channel, items, ...(customer ? { customer_id: customer.id } : {}) }, cashier);
    if (created?.status !== 201) {
      const outOfStock = created?.status === 409 && created.body?.error?.code === 'STORE_INSUFFICIENT_STOCK';
      count(outOfStock ? 'orders_out_of_stock' : 'orders_not_created');
      if (outOfStock) await restock(till.location, items.map((i) => i.sku));
      return;
    }
    count('orders_created');
    const order = created.body as { id: string; total: number; age_restricted: boolean };

    if (order.age_restricted) {
      const underage = chance(0.03);
      const body = chance(0.1)
        ? { method: 'visual', over_25: true }
        : { method: chance(0.8) ? 'id_scan' : 'manual_dob', date_of_birth: underage ? '2010-06-01' : `19${60 + Math.floor(random() * 40)}-0${1 + Math.floor(random() * 9)}-1${Math.floor(random() * 9)}` };
      const v = await store('POST', `/orders/${order.id}/age-verification`, body, cashier);
      count('age_verifications');
      if (v?.status !== 201 || v.body?.verification?.result !== 'pass') {
        await store('POST', `/orders/${order.id}/void`, { reason: 'age_verification_failed' }, manager);
        count('orders_voided');
        return;
      }
    }
    if (chance(0.04)) {
      await store('POST', `/orders/${order.id}/void`, { reason: pick(['customer_request', 'cashier_error'] as const) }, manager);
      count('orders_voided');
      return;
    }

    const method = pick(['card', 'card', 'card', 'card', 'card', 'cash', 'cash', 'mobile', 'gift_card'] as const);
    const cardNumber = chance(0.05) ? '4000000000000002' : chance(0.02) ? '4000000000000069' : pick(['4242424242424242', '5555555555554444']);
    // Every third cash sale to a customer who earned points in this run spends one of them (turns, not the seeded
    // random source, so the scenario's sequence of events does not change).
    const redeem = method === 'cash' && customer !== undefined && (pointsEarned.get(customer.id) ?? 0) >= 1 && order.total > 1 && cashWithPoints++ % 3 === 0 ? 1 : 0;
    const payBody =
      method === 'card'
        ? { method, amount: order.total, card: { number: cardNumber, cvv: '123', expiry: '12/34' } }
        : method === 'cash'
          ? { method, amount: order.total - redeem, cash_tendered: Math.ceil(order.total / 1000) * 1000, ...(redeem > 0 ? { redeem_points: redeem } : {}) }
          : { method, amount: order.total };
    let paid = await store('POST', `/orders/${order.id}/pay`, payBody, cashier);
    count(`payments_${method}`);
    if (redeem > 0 && paid?.status === 200 && customer !== undefined) {
      pointsEarned.set(customer.id, (pointsEarned.get(customer.id) ?? 0) - redeem);
      count('points_redeemed', redeem);
    }
    if (paid?.status !== 200) {
      count(paid?.status === 402 ? 'payments_declined' : 'payments_failed');
      // The customer pays cash instead (a provider outage or a declined card), or walks away.
      if (chance(0.7)) {
        paid = await store('POST', `/orders/${order.id}/pay`, { method: 'cash', amount: order.total, cash_tendered: order.total }, cashier);
        count('payments_cash_fallback');
      }
      if (paid?.status !== 200) {
        await store('POST', `/orders/${order.id}/void`, { reason: 'payment_failed' }, manager);
        count('orders_voided');
        return;
      }
    }
    const done = await store('POST', `/orders/${order.id}/complete`, undefined, cashier);
    if (done?.status !== 200) {
      count('orders_not_completed');
      return;
    }
    count('orders_completed');
    const earned = Number((done.body as { points_earned?: unknown } | undefined)?.points_earned ?? 0);
    if (customer !== undefined && earned > 0) pointsEarned.set(customer.id, (pointsEarned.get(customer.id) ?? 0) + earned);

    // The receipt step: digital_first offers a digital receipt first, and more customers take it.
    const takesDigital = chance(variant === 'digital_first' ? 0.45 : 0.12);
    if (takesDigital) {
      const phone = customer?.phone ?? `+1555${run.slice(0, 3)}9${String(Math.floor(random() * 1000)).padStart(3, '0')}`;
      const r = await store('POST', '/notifications/receipts', { order_id: order.id, phone, channel: chance(0.3) ? 'whatsapp' : 'sms' }, cashier);
      count(r?.status === 201 || r?.status === 202 || r?.status === 200 ? 'digital_receipts' : 'digital_receipts_failed');
      await store('POST', '/experiments/conversions', { experiment: 'receipt_prompt', terminal: till.terminal, ...(customer ? { customer: customer.id } : {}) }, cashier);
      count('experiment_conversions');
    }
    if (chance(0.03)) {
      const r = await store('POST', `/orders/${order.id}/refund`, { reason: 'customer returned the item' }, manager);
      count(r?.status === 200 ? 'refunds' : 'refunds_failed');
    }
  };

  // --- an offline terminal coming back -------------------------------------------------------
  const offlineBatch = async (): Promise<void> => {
    const till = pick(terminals);
    const sales: Record<string, unknown>[] = [];
    const n = 3 + Math.floor(random() * 5);
    for (let i = 0; i < n; i++) {
      const p = pick(unrestricted.length > 0 ? unrestricted : products);
      const quantity = 1 + Math.floor(random() * 3);
      const sale: Record<string, unknown> = {
        client_sale_id: newId(till.terminal, { dashes: true }),
        recorded_at: new Date(Date.now() - Math.floor(random() * 3_600_000)).toISOString(),
        channel: 'in_store',
        items: [{ sku: p.sku, quantity, unit_price: p.price }],
        payment: { method: pick(['cash', 'card'] as const), amount: quantity * p.price },
      };
      sales.push(sale);
    }
    if (chance(0.3)) sales.push({ ...(sales[0] as object), client_sale_id: newId(till.terminal, { dashes: true }), items: [{ sku: 'DISCONTINUED-SKU', quantity: 1, unit_price: 100 }], payment: { method: 'cash', amount: 100 } });
    if (offlineHistory.length > 0 && chance(0.5)) sales.push(pick(offlineHistory)); // a replay after a lost answer
    const r = await store('POST', '/offline/batches', { terminal: till.terminal, location: till.location, sales }, cashier);
    if (r?.status === 202) {
      count('offline_batches');
      count('offline_sales_applied', (r.body as { applied: number }).applied);
      const kept = sales[0];
      if (kept && offlineHistory.length < 50) offlineHistory.push(kept);
    } else count('offline_batches_failed');
  };

  // --- attacks: from a loopback address of their own ----------------------------------------------
  const target = new URL(o.url);
  const loopback = target.hostname === '127.0.0.1' || target.hostname === 'localhost';
  /** One login attempt from `localAddress` (when the store is on loopback); the status, or 0 on a network error. */
  const attackLogin = (localAddress: string, username: string, password: string): Promise<number> =>
    new Promise((resolveStatus) => {
      if (!budget.take()) {
        resolveStatus(0);
        return;
      }
      const body = JSON.stringify({ username, password });
      const req = httpRequest(
        { host: target.hostname, port: target.port, path: '/auth/login', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, timeout: 15_000, ...(loopback ? { localAddress } : {}) },
        (res) => {
          res.resume();
          res.on('end', () => resolveStatus(res.statusCode ?? 0));
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => resolveStatus(0));
      req.end(body);
    });
  // brute force: one client, many wrong passwords for a few user names
  const bruteForce = async (until: number): Promise<void> => {
    const names = ['root', 'administrator', 'owner', 'pos', 'support'];
    while (Date.now() < until && budget.used < budget.max) {
      const status = await attackLogin('127.0.0.2', pick(names), `guess-${Math.floor(random() * 1e9)}`);
      count(status === 429 ? 'failed_logins_throttled' : 'failed_logins');
      await sleep(50);
    }
  };
  // password spray: one common password, each user name tried once (per-user lockouts never trip)
  const passwordSpray = async (until: number): Promise<void> => {
    let i = 0;
    while (Date.now() < until && budget.used < budget.max) {
      const status = await attackLogin('127.0.0.3', `staff${String(i++ % 500).padStart(3, '0')}`, 'Summer2026!');
      count(status === 429 ? 'spray_logins_throttled' : 'spray_logins');
      await sleep(100);
    }
  };

  // --- the schedule --------------------------------------------------------------------------
  const inFlight = new Set<Promise<void>>();
  const MAX_IN_FLIGHT = 32;
  const intervalMs = 1000 / o.rate;
  let faultOn = false;
  let faultDone = false;
  let bruteForceRun: Promise<void> | undefined;
  let n = 0;
  try {
    while (Date.now() < deadline && budget.used < budget.max) {
      const elapsed = Date.now() - started;
      if (!faultOn && elapsed >= third) {
        faultOn = true;
        await inject();
        if (o.scenario === 'brute-force') bruteForceRun = bruteForce(Math.min(deadline, started + 2 * third));
        if (o.scenario === 'password-spray') bruteForceRun = passwordSpray(Math.min(deadline, started + 2 * third));
      }
      if (faultOn && !faultDone && elapsed >= 2 * third) {
        faultDone = true;
        await lift();
      }
      if (inFlight.size < MAX_IN_FLIGHT) {
        const task = (++n % 15 === 0 ? offlineBatch() : checkout()).catch((err: unknown) => note((err as Error).message));
        inFlight.add(task);
        void task.finally(() => inFlight.delete(task));
      } else count('skipped_busy');
      await sleep(Math.max(1, intervalMs * (0.5 + random())));
    }
  } finally {
    // Let the checkouts in flight finish (bounded), then undo whatever is still injected.
    await Promise.race([Promise.allSettled([...inFlight]), sleep(20_000)]);
    await bruteForceRun;
    await lift().catch((err: unknown) => note(`restoring the fault: ${(err as Error).message}`));
  }

  const metricsAfter = await scrape(o.url);
  const agents = fleet ? fleet.stats() : null;
  if (fleet) await fleet.close();
  const movement: Record<string, number> = {};
  for (const name of WATCHED_SERIES) movement[name] = round((metricsAfter?.get(name) ?? 0) - (metricsBefore.get(name) ?? 0));
  return {
    scenario: o.scenario,
    seconds: round((Date.now() - started) / 1000),
    requests: budget.used,
    byStatus,
    counts,
    agents: agents === null ? null : { connected: agents.connected, jobsReceived: agents.jobsReceived, acked: agents.acked, failed: agents.failed, disconnects: agents.disconnects },
    metrics: movement,
    errors,
  };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

/** Sums every series of each metric name in the store's /metrics; undefined when unreachable. */
async function scrape(url: string): Promise<Map<string, number> | undefined> {
  try {
    const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) return undefined;
    const sums = new Map<string, number>();
    for (const line of (await res.text()).split('\n')) {
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{[^}]*\})?\s+(\S+)/.exec(line);
      if (!m || line.startsWith('#')) continue;
      const v = Number(m[2]);
      if (Number.isFinite(v)) sums.set(m[1] as string, (sums.get(m[1] as string) ?? 0) + v);
    }
    return sums;
  } catch {
    return undefined;
  }
}

function printSummary(s: Summary): void {
  const out: string[] = [
    '',
    `simulation finished: scenario ${s.scenario}, ${s.seconds} s, ${s.requests} requests`,
    `  HTTP status     ${Object.entries(s.byStatus).map(([k, v]) => `${k}: ${v}`).join(', ')}`,
    '  what happened',
    ...Object.entries(s.counts)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `    ${k.padEnd(26)} ${v}`),
  ];
  if (s.agents) out.push(`  printer agents  ${s.agents.connected} connected at the end, ${s.agents.jobsReceived} jobs received, ${s.agents.acked} printed, ${s.agents.failed} failed, ${s.agents.disconnects} disconnects`);
  out.push('  /metrics movement (sum over labels)', ...Object.entries(s.metrics).map(([k, v]) => `    ${k.padEnd(34)} ${v >= 0 ? '+' : ''}${v}`));
  if (s.errors.length > 0) out.push('  errors (first 20)', ...s.errors.map((e) => `    ${e}`));
  process.stdout.write(`${out.join('\n')}\n`);
}

async function main(): Promise<void> {
  let options: SimulateOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\nusage: npm run simulate -- --minutes N --rate R --scenario ${SCENARIOS.join('|')} [--url http://127.0.0.1:$PORT]\n`);
    process.exit(2);
  }
  const log = (line: string): void => {
    if (!options.json) process.stderr.write(`${new Date().toISOString()} ${line}\n`);
  };
  log(`simulating ${options.scenario} against ${options.url} for ${options.minutes} min at ${options.rate} checkouts/s (seed ${options.seed})`);
  const summary = await simulate(options, log);
  if (options.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else printSummary(summary);
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('/simulate.ts')) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`simulation failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}

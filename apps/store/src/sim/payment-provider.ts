/**
 * A simulated card/wallet payment provider with its own HTTP server, started by `npm start` and by
 * the tests. Faults are injectable at start and at runtime (the simulator's payment-outage scenario
 * flips them through `PUT /admin/config`):
 *
 * - `decline_rate` (0..1): share of otherwise-good authorisations declined with `do_not_honor`;
 * - `latency_ms`: added to every /v1 call;
 * - `capture_latency_ms`: added to captures only, after which the capture happens whether or not the
 *   caller is still waiting (a capture slower than the caller's timeout, as a real processor does it);
 * - `outage`: every /v1 call answers 503 (`{ "error": "provider_unavailable" }`).
 *
 * Idempotency, as Stripe and Adyen do it: a POST carrying an `Idempotency-Key` header is processed once
 * per key and path; a repeat answers the first answer again (no second authorisation, capture, void or
 * refund). An authorisation remembers the key it was created under, and `GET /v1/authorizations?idempotency_key=`
 * finds it again, so a caller that lost an answer can ask what happened.
 *
 * Test cards (any future expiry, any 3-4 digit CVV unless noted; the number must pass Luhn):
 * | number              | outcome |
 * | ------------------- | ------- |
 * | 4242 4242 4242 4242 | approved (visa) |
 * | 5555 5555 5555 4444 | approved (mastercard) |
 * | 4000 0000 0000 0002 | declined `insufficient_funds` |
 * | 4000 0000 0000 0069 | declined `expired_card` |
 * | 4000 0000 0000 0119 | declined `processing_error` |
 * | CVV 000             | declined `incorrect_cvc` |
 *
 * API (JSON):
 * - `POST /v1/authorizations` `{ amount, currency, method, order_ref, card?: { number, cvv, expiry } }`
 *   -> 201 `{ id, status: 'authorized' | 'declined', decline_reason?, card?: { brand, last4 } }`
 * - `POST /v1/authorizations/:id/capture` -> 200 `{ id, status: 'captured' }`; 409 when it was voided
 * - `POST /v1/authorizations/:id/void` -> 200 `{ id, status: 'voided' }` (releases the hold); 409 when captured
 * - `GET /v1/authorizations?idempotency_key=K` -> 200 `{ id, status: 'authorized' | 'captured' | 'voided' | 'declined', amount, order_ref, card? }`, 404 when no call carried K
 * - `POST /v1/payments/:id/refunds` `{ amount }` -> 201 `{ id, status: 'succeeded' }`
 * - `GET /admin/config`, `PUT /admin/config` `{ decline_rate?, latency_ms?, capture_latency_ms?, outage? }`
 * - `GET /health`
 *
 * Like a real processor, it keeps card numbers to itself: it answers only a brand and the last four
 * digits, and it logs nothing.
 */
import { newId } from '../ids.ts';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { isRecord, readJson, send } from './sim-http.ts';

export interface PaymentProviderConfig {
  /** 0..1 */
  declineRate: number;
  latencyMs: number;
  captureLatencyMs: number;
  outage: boolean;
}

export interface PaymentProviderOptions extends Partial<PaymentProviderConfig> {
  /** Default 0 (any free port). */
  port?: number;
  host?: string;
}

export interface PaymentProviderStats {
  authorizations: number;
  declines: number;
  captures: number;
  refunds: number;
  voids: number;
  unavailable: number;
  /** Requests answered from the idempotency store instead of being processed again. */
  replays: number;
}

/** One capture the provider made: what a reconciliation compares the store's payments with. */
export interface ProviderCapture {
  readonly authorizationId: string;
  readonly idempotencyKey: string | undefined;
  readonly orderRef: string | undefined;
  readonly amount: number;
}

export type AuthorizationStatus = 'authorized' | 'captured' | 'voided' | 'declined';

export interface PaymentProviderSim {
  readonly url: string;
  readonly port: number;
  config(): PaymentProviderConfig;
  /** Changes the faults at runtime; unspecified fields keep their values. @throws on an invalid value. */
  configure(change: Partial<PaymentProviderConfig>): PaymentProviderConfig;
  stats(): PaymentProviderStats;
  /** Every capture made, in order (at most one per authorisation). */
  captures(): ProviderCapture[];
  /** The authorisation created under `idempotencyKey`, as the lookup endpoint answers it. */
  lookup(idempotencyKey: string): { id: string; status: AuthorizationStatus; amount: number } | undefined;
  close(): Promise<void>;
}

interface Authorization {
  id: string;
  amount: number;
  refunded: number;
  status: AuthorizationStatus;
  key: string | undefined;
  orderRef: string | undefined;
  card: { brand: string; last4: string } | undefined;
  /** Set while a capture is being processed: a void waits for it, as a provider serialises one payment's operations. */
  busy: Promise<void> | undefined;
}

const DECLINING_CARDS: Record<string, string> = {
  '4000000000000002': 'insufficient_funds',
  '4000000000000069': 'expired_card',
  '4000000000000119': 'processing_error',
};

const MAX_BODY_BYTES = 16 * 1024;

function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

function brandOf(digits: string): string {
  if (digits.startsWith('4')) return 'visa';
  if (/^5[1-5]/.test(digits) || /^2[2-7]/.test(digits)) return 'mastercard';
  if (/^3[47]/.test(digits)) return 'amex';
  if (/^6(011|5)/.test(digits)) return 'discover';
  return 'unknown';
}

function expiryValid(expiry: unknown, now = new Date()): boolean {
  if (typeof expiry !== 'string') return false;
  const m = /^(\d{2})\/(\d{2}|\d{4})$/.exec(expiry.trim());
  if (!m) return false;
  const month = Number(m[1]);
  const year = (m[2] as string).length === 2 ? 2000 + Number(m[2]) : Number(m[2]);
  if (month < 1 || month > 12) return false;
  return year > now.getUTCFullYear() || (year === now.getUTCFullYear() && month >= now.getUTCMonth() + 1);
}

function validateConfig(change: Record<string, unknown>): Partial<PaymentProviderConfig> {
  const out: Partial<PaymentProviderConfig> = {};
  const dr = change.declineRate ?? change.decline_rate;
  const lat = change.latencyMs ?? change.latency_ms;
  const captureLat = change.captureLatencyMs ?? change.capture_latency_ms;
  const outage = change.outage;
  if (dr !== undefined) {
    if (typeof dr !== 'number' || !(dr >= 0 && dr <= 1)) throw new Error(`decline_rate must be a number between 0 and 1, got ${JSON.stringify(dr)}`);
    out.declineRate = dr;
  }
  if (lat !== undefined) {
    if (typeof lat !== 'number' || !Number.isInteger(lat) || lat < 0 || lat > 120_000) throw new Error(`latency_ms must be an integer between 0 and 120000, got ${JSON.stringify(lat)}`);
    out.latencyMs = lat;
  }
  if (captureLat !== undefined) {
    if (typeof captureLat !== 'number' || !Number.isInteger(captureLat) || captureLat < 0 || captureLat > 120_000) {
      throw new Error(`capture_latency_ms must be an integer between 0 and 120000, got ${JSON.stringify(captureLat)}`);
    }
    out.captureLatencyMs = captureLat;
  }
  if (outage !== undefined) {
    if (typeof outage !== 'boolean') throw new Error(`outage must be true or false, got ${JSON.stringify(outage)}`);
    out.outage = outage;
  }
  return out;
}

/** The JSON object body; {} for an empty body, undefined when too large, not JSON or not an object. */
async function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const v = await readJson(req, MAX_BODY_BYTES, {});
  return isRecord(v) ? v : undefined;
}

/** Starts the simulated provider. */
export async function startPaymentProvider(opts: PaymentProviderOptions = {}): Promise<PaymentProviderSim> {
  let config: PaymentProviderConfig = {
    declineRate: 0,
    latencyMs: 0,
    captureLatencyMs: 0,
    outage: false,
    ...validateConfig({ declineRate: opts.declineRate, latencyMs: opts.latencyMs, captureLatencyMs: opts.captureLatencyMs, outage: opts.outage }),
  };
  const stats: PaymentProviderStats = { authorizations: 0, declines: 0, captures: 0, refunds: 0, voids: 0, unavailable: 0, replays: 0 };
  const auths = new Map<string, Authorization>();
  const byKey = new Map<string, Authorization>();
  const captures: ProviderCapture[] = [];
  /** `key path` -> the answer given (or being given: concurrent repeats wait for the first). */
  const answered = new Map<string, Promise<[number, unknown]>>();

  const authorize = (body: Record<string, unknown>, key: string | undefined): [number, unknown] => {
    const amount = body.amount;
    const method = body.method;
    if (typeof amount !== 'number' || !Number.isInteger(amount) || amount <= 0) return [400, { error: 'invalid_amount' }];
    if (method !== 'card' && method !== 'gift_card' && method !== 'mobile') return [400, { error: 'invalid_method' }];
    stats.authorizations++;
    const id = newId('auth', { dashes: true }); // like a real provider's ids, never a Luhn-valid digit run
    const orderRef = typeof body.order_ref === 'string' ? body.order_ref : undefined;
    const decline = (reason: string, card?: { brand: string; last4: string }): [number, unknown] => {
      stats.declines++;
      if (key !== undefined) byKey.set(key, { id, amount, refunded: 0, status: 'declined', key, orderRef, card, busy: undefined });
      return [201, { id, status: 'declined', decline_reason: reason, ...(card ? { card } : {}) }];
    };
    let card: { brand: string; last4: string } | undefined;
    if (method === 'card') {
      const c = body.card as Record<string, unknown> | undefined;
      const digits = typeof c?.number === 'string' ? c.number.replace(/[\s-]/g, '') : '';
      if (!/^\d{12,19}$/.test(digits) || !luhnValid(digits)) return decline('invalid_number');
      card = { brand: brandOf(digits), last4: digits.slice(-4) };
      if (typeof c?.cvv !== 'string' || !/^\d{3,4}$/.test(c.cvv)) return decline('incorrect_cvc', card);
      if (c.cvv === '000') return decline('incorrect_cvc', card);
      if (!expiryValid(c?.expiry)) return decline('expired_card', card);
      const fixed = DECLINING_CARDS[digits];
      if (fixed) return decline(fixed, card);
    }
    if (config.declineRate > 0 && Math.random() < config.declineRate) return decline('do_not_honor', card);
    const auth: Authorization = { id, amount, refunded: 0, status: 'authorized', key, orderRef, card, busy: undefined };
    auths.set(id, auth);
    if (key !== undefined) byKey.set(key, auth);
    return [201, { id, status: 'authorized', ...(card ? { card } : {}) }];
  };

  const view = (a: Authorization) => ({ id: a.id, status: a.status, amount: a.amount, order_ref: a.orderRef, ...(a.card ? { card: a.card } : {}) });

  const capture = async (id: string, key: string | undefined): Promise<[number, unknown]> => {
    const a = auths.get(id);
    if (!a) return [404, { error: 'no_such_authorization' }];
    while (a.busy) await a.busy;
    if (a.status === 'voided') return [409, { error: 'authorization_voided' }];
    if (a.status !== 'captured') {
      let done = (): void => {};
      a.busy = new Promise((resolve) => (done = resolve));
      try {
        if (config.captureLatencyMs > 0) await sleep(config.captureLatencyMs);
        a.status = 'captured';
        stats.captures++;
        captures.push({ authorizationId: a.id, idempotencyKey: key ?? a.key, orderRef: a.orderRef, amount: a.amount });
      } finally {
        a.busy = undefined;
        done();
      }
    }
    return [200, { id: a.id, status: 'captured', amount: a.amount }];
  };

  const voidAuthorization = async (id: string): Promise<[number, unknown]> => {
    const a = auths.get(id);
    if (!a) return [404, { error: 'no_such_authorization' }];
    while (a.busy) await a.busy;
    if (a.status === 'captured') return [409, { error: 'already_captured' }];
    if (a.status !== 'voided') {
      a.status = 'voided';
      stats.voids++;
    }
    return [200, { id: a.id, status: 'voided' }];
  };

  const refund = (id: string, body: Record<string, unknown>): [number, unknown] => {
    const a = auths.get(id);
    if (!a || a.status !== 'captured') return [404, { error: 'no_such_payment' }];
    const amount = body.amount;
    if (typeof amount !== 'number' || !Number.isInteger(amount) || amount <= 0 || a.refunded + amount > a.amount) {
      return [400, { error: 'invalid_amount' }];
    }
    a.refunded += amount;
    stats.refunds++;
    return [201, { id: newId('re', { dashes: true }), status: 'succeeded', amount }];
  };

  const route = async (path: string, body: Record<string, unknown>, key: string | undefined): Promise<[number, unknown]> => {
    if (path === '/v1/authorizations') return authorize(body, key);
    let m = /^\/v1\/authorizations\/([^/]+)\/capture$/.exec(path);
    if (m) return capture(m[1] as string, key);
    m = /^\/v1\/authorizations\/([^/]+)\/void$/.exec(path);
    if (m) return voidAuthorization(m[1] as string);
    m = /^\/v1\/payments\/([^/]+)\/refunds$/.exec(path);
    if (m) return refund(m[1] as string, body);
    return [404, { error: 'not_found' }];
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path === '/health') return send(res, 200, { status: 'ok' });
    if (path === '/admin/config') {
      if (req.method === 'GET') return send(res, 200, toWire(config));
      if (req.method === 'PUT' || req.method === 'POST') {
        const body = await readJsonObject(req);
        if (!body) return send(res, 400, { error: 'invalid_json' });
        try {
          config = { ...config, ...validateConfig(body) };
        } catch (err) {
          return send(res, 400, { error: 'invalid_config', message: (err as Error).message });
        }
        return send(res, 200, toWire(config));
      }
      return send(res, 405, { error: 'method_not_allowed' });
    }
    if (!path.startsWith('/v1/')) return send(res, 404, { error: 'not_found' });
    // The body is read before the latency: a caller that gives up waiting does not stop the processing.
    const body = req.method === 'POST' ? await readJsonObject(req) : {};
    if (config.latencyMs > 0) await sleep(config.latencyMs);
    if (config.outage) {
      stats.unavailable++;
      return send(res, 503, { error: 'provider_unavailable' });
    }
    if (req.method === 'GET' && path === '/v1/authorizations') {
      const key = new URL(req.url ?? '/', 'http://sim').searchParams.get('idempotency_key');
      if (!key) return send(res, 400, { error: 'idempotency_key_required' });
      const a = byKey.get(key);
      return a ? send(res, 200, view(a)) : send(res, 404, { error: 'no_such_authorization' });
    }
    if (req.method !== 'POST') return send(res, 405, { error: 'method_not_allowed' });
    if (!body) return send(res, 400, { error: 'invalid_json' });
    const header = req.headers['idempotency-key'];
    const key = typeof header === 'string' && header !== '' ? header.slice(0, 255) : undefined;
    if (key === undefined) {
      const [status, out] = await route(path, body, undefined);
      return send(res, status, out);
    }
    const slot = `${key} ${path}`;
    const first = answered.get(slot);
    if (first) {
      stats.replays++;
      const [status, out] = await first;
      return send(res, status, out);
    }
    const answer = route(path, body, key);
    answered.set(slot, answer);
    const [status, out] = await answer;
    return send(res, status, out);
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, { error: 'internal' });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${addr.port}`,
    port: addr.port,
    config: () => ({ ...config }),
    configure(change) {
      config = { ...config, ...validateConfig(change as Record<string, unknown>) };
      return { ...config };
    },
    stats: () => ({ ...stats }),
    captures: () => [...captures],
    lookup(key) {
      const a = byKey.get(key);
      return a ? { id: a.id, status: a.status, amount: a.amount } : undefined;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function toWire(c: PaymentProviderConfig): Record<string, unknown> {
  return { decline_rate: c.declineRate, latency_ms: c.latencyMs, capture_latency_ms: c.captureLatencyMs, outage: c.outage };
}

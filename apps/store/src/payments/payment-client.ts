/**
 * The HTTP client of the payment provider (PAYMENT_PROVIDER_URL). Card details pass through it to
 * the provider and nowhere else: they are not kept, returned or logged; the store keeps only the
 * provider's reference, the card brand and the last four digits.
 *
 * Every call resolves to a result value (never throws for a decline, an outage or a timeout), so the
 * order service can record the outcome and the metric reason in one place.
 *
 * Every call that changes money carries an `Idempotency-Key` (derived from the order and the attempt,
 * see payment-attempts.ts): repeating it never authorises, captures, voids or refunds twice. A failure
 * says whether the provider may still have acted (`uncertain`): a timeout, a connection lost after the
 * request went out or a 5xx other than the provider's "unavailable" leave the outcome unknown, and only
 * {@link PaymentClient.lookup} (by key) settles it.
 */
import type { PaymentMethod } from '../orders/order-types.ts';

/** Normalised failure reasons: the payments catalogue's closed set. */
export type PaymentFailure =
  | 'declined'
  | 'insufficient_funds'
  | 'card_expired'
  | 'invalid_card'
  | 'authentication_failed'
  | 'fraud_suspected'
  | 'invalid_request'
  | 'timeout'
  | 'provider_unavailable'
  | 'network_error'
  | 'internal_error';

export interface CardDetails {
  readonly number: string;
  readonly cvv: string;
  readonly expiry: string;
}

export interface ProviderFailure {
  readonly ok: false;
  readonly reason: PaymentFailure;
  readonly declined: boolean;
  /** True when the provider may have processed the call although no answer says so. */
  readonly uncertain: boolean;
  readonly providerReason?: string;
}

export type ProviderResult<T> = ({ ok: true } & T) | ProviderFailure;

/** What the provider holds under an idempotency key. */
export type ProviderLookup =
  | { readonly found: false }
  | { readonly found: true; readonly id: string; readonly status: 'authorized' | 'captured' | 'voided' | 'declined'; readonly amount: number; readonly card: { brand: string; last4: string } | undefined };

export interface Authorization {
  readonly authorizationId: string;
  readonly card: { readonly brand: string; readonly last4: string } | undefined;
}

export interface PaymentClientOptions {
  readonly baseUrl: string;
  readonly timeoutMs: number;
  /** The payment_provider dependency's timed fetch (tillwatch/dependencies). Default: global fetch. */
  readonly fetch?: typeof fetch;
}

/** Provider decline codes to the catalogue's reasons. */
const DECLINE_REASONS: Record<string, PaymentFailure> = {
  insufficient_funds: 'insufficient_funds',
  expired_card: 'card_expired',
  invalid_number: 'invalid_card',
  incorrect_cvc: 'authentication_failed',
  processing_error: 'internal_error',
  do_not_honor: 'declined',
  fraudulent: 'fraud_suspected',
};

function cardOf(raw: unknown): { brand: string; last4: string } | undefined {
  const c = raw as { brand?: unknown; last4?: unknown } | undefined;
  return c && typeof c.brand === 'string' && typeof c.last4 === 'string' && /^\d{4}$/.test(c.last4) ? { brand: c.brand.slice(0, 20), last4: c.last4 } : undefined;
}

/**
 * A call that got no answer. Refused connections (nothing was sent) are certain failures; a timeout or
 * a connection lost mid-way may have reached the provider.
 */
function transportFailure(err: unknown): ProviderFailure {
  const name = (err as { name?: string }).name;
  if (name === 'TimeoutError' || name === 'AbortError') return { ok: false, declined: false, uncertain: true, reason: 'timeout' };
  const code = (err as { cause?: { code?: unknown } }).cause?.code;
  return { ok: false, declined: false, uncertain: code !== 'ECONNREFUSED' && code !== 'ENOTFOUND' && code !== 'EAI_AGAIN', reason: 'network_error' };
}

/**
 * An error status. 503 is the provider saying it is unavailable and processed nothing; 4xx refusals
 * change nothing; any other 5xx may have happened after the provider acted.
 */
function statusFailure(status: number): ProviderFailure {
  if (status === 503) return { ok: false, declined: false, uncertain: false, reason: 'provider_unavailable' };
  if (status === 502 || status === 504) return { ok: false, declined: false, uncertain: true, reason: 'provider_unavailable' };
  if (status >= 500) return { ok: false, declined: false, uncertain: true, reason: 'internal_error' };
  return { ok: false, declined: false, uncertain: false, reason: 'invalid_request' };
}

export class PaymentClient {
  readonly #base: string;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;

  constructor(opts: PaymentClientOptions) {
    this.#base = opts.baseUrl.replace(/\/+$/, '');
    this.#timeoutMs = opts.timeoutMs;
    this.#fetch = opts.fetch ?? fetch;
  }

  /** Authorises `amount` (minor units). */
  async authorize(req: { amount: number; currency: string; method: Exclude<PaymentMethod, 'cash'>; orderRef: string; idempotencyKey: string; card?: CardDetails | undefined }): Promise<ProviderResult<Authorization>> {
    const r = await this.#post('/v1/authorizations', req.idempotencyKey, {
      amount: req.amount,
      currency: req.currency,
      method: req.method,
      order_ref: req.orderRef,
      ...(req.card ? { card: { number: req.card.number, cvv: req.card.cvv, expiry: req.card.expiry } } : {}),
    });
    if (!r.ok) return r;
    const body = r.body as { id?: unknown; status?: unknown; decline_reason?: unknown; card?: { brand?: unknown; last4?: unknown } };
    const card = cardOf(body.card);
    if (body.status === 'declined') {
      const providerReason = typeof body.decline_reason === 'string' ? body.decline_reason.slice(0, 40) : 'declined';
      return { ok: false, declined: true, uncertain: false, reason: DECLINE_REASONS[providerReason] ?? 'declined', providerReason };
    }
    if (body.status !== 'authorized' || typeof body.id !== 'string') return { ok: false, declined: false, uncertain: true, reason: 'internal_error' };
    return { ok: true, authorizationId: body.id, card };
  }

  async capture(authorizationId: string, idempotencyKey: string): Promise<ProviderResult<{ providerRef: string }>> {
    const r = await this.#post(`/v1/authorizations/${encodeURIComponent(authorizationId)}/capture`, idempotencyKey, {});
    if (!r.ok) return r;
    const body = r.body as { status?: unknown };
    if (body.status !== 'captured') return { ok: false, declined: false, uncertain: true, reason: 'internal_error' };
    return { ok: true, providerRef: authorizationId };
  }

  /** Releases an authorisation that was not captured (the card hold goes away). */
  async void(authorizationId: string, idempotencyKey: string): Promise<ProviderResult<{ voided: true }>> {
    const r = await this.#post(`/v1/authorizations/${encodeURIComponent(authorizationId)}/void`, idempotencyKey, {});
    if (!r.ok) return r;
    return (r.body as { status?: unknown }).status === 'voided' ? { ok: true, voided: true } : { ok: false, declined: false, uncertain: true, reason: 'internal_error' };
  }

  async refund(providerRef: string, amount: number, idempotencyKey: string): Promise<ProviderResult<{ refundRef: string }>> {
    const r = await this.#post(`/v1/payments/${encodeURIComponent(providerRef)}/refunds`, idempotencyKey, { amount });
    if (!r.ok) return r;
    const body = r.body as { id?: unknown; status?: unknown };
    if (body.status !== 'succeeded' || typeof body.id !== 'string') return { ok: false, declined: false, uncertain: true, reason: 'internal_error' };
    return { ok: true, refundRef: body.id };
  }

  /** What the provider holds under `idempotencyKey`: the authorisation made with it and its state, or nothing. */
  async lookup(idempotencyKey: string): Promise<ProviderResult<{ result: ProviderLookup }>> {
    let res: Response;
    try {
      res = await this.#fetch(`${this.#base}/v1/authorizations?idempotency_key=${encodeURIComponent(idempotencyKey)}`, { signal: AbortSignal.timeout(this.#timeoutMs) });
    } catch (err) {
      return transportFailure(err);
    }
    const body = (await res.json().catch(() => undefined)) as { id?: unknown; status?: unknown; amount?: unknown; card?: unknown } | undefined;
    if (res.status === 404) return { ok: true, result: { found: false } };
    if (res.status !== 200 || !body) return statusFailure(res.status);
    const status = body.status;
    if (typeof body.id !== 'string' || (status !== 'authorized' && status !== 'captured' && status !== 'voided' && status !== 'declined')) {
      return { ok: false, declined: false, uncertain: true, reason: 'internal_error' };
    }
    return { ok: true, result: { found: true, id: body.id, status, amount: typeof body.amount === 'number' ? body.amount : 0, card: cardOf(body.card) } };
  }

  async #post(path: string, idempotencyKey: string, payload: unknown): Promise<{ ok: true; body: unknown } | ProviderFailure> {
    let res: Response;
    try {
      res = await this.#fetch(this.#base + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (err) {
      return transportFailure(err);
    }
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      // The answer was lost after the status line: the call may have gone through.
      if (res.status < 400) return { ok: false, declined: false, uncertain: true, reason: 'network_error' };
      body = undefined;
    }
    if (res.status >= 400) return statusFailure(res.status);
    return { ok: true, body };
  }
}

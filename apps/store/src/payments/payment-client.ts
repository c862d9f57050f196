/**
 * The HTTP client of the payment provider (PAYMENT_PROVIDER_URL). Card details pass through it to
 * the provider and nowhere else: they are not kept, returned or logged; the store keeps only the
 * provider's reference, the card brand and the last four digits.
 *
 * Every call resolves to a result value (never throws for a decline, an outage or a timeout), so the
 * order service can record the outcome and the metric reason in one place.
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

export type ProviderResult<T> = ({ ok: true } & T) | { ok: false; reason: PaymentFailure; declined: boolean; providerReason?: string };

export interface Authorization {
  readonly authorizationId: string;
  readonly card: { readonly brand: string; readonly last4: string } | undefined;
}

export interface PaymentClientOptions {
  readonly baseUrl: string;
  readonly timeoutMs: number;
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

export class PaymentClient {
  readonly #base: string;
  readonly #timeoutMs: number;

  constructor(opts: PaymentClientOptions) {
    this.#base = opts.baseUrl.replace(/\/+$/, '');
    this.#timeoutMs = opts.timeoutMs;
  }

  /** Authorises `amount` (minor units). */
  async authorize(req: { amount: number; currency: string; method: Exclude<PaymentMethod, 'cash'>; orderRef: string; card?: CardDetails | undefined }): Promise<ProviderResult<Authorization>> {
    const r = await this.#post('/v1/authorizations', {
      amount: req.amount,
      currency: req.currency,
      method: req.method,
      order_ref: req.orderRef,
      ...(req.card ? { card: { number: req.card.number, cvv: req.card.cvv, expiry: req.card.expiry } } : {}),
    });
    if (!r.ok) return r;
    const body = r.body as { id?: unknown; status?: unknown; decline_reason?: unknown; card?: { brand?: unknown; last4?: unknown } };
    const card =
      body.card && typeof body.card.brand === 'string' && typeof body.card.last4 === 'string' && /^\d{4}$/.test(body.card.last4)
        ? { brand: body.card.brand.slice(0, 20), last4: body.card.last4 }
        : undefined;
    if (body.status === 'declined') {
      const providerReason = typeof body.decline_reason === 'string' ? body.decline_reason.slice(0, 40) : 'declined';
      return { ok: false, declined: true, reason: DECLINE_REASONS[providerReason] ?? 'declined', providerReason };
    }
    if (body.status !== 'authorized' || typeof body.id !== 'string') return { ok: false, declined: false, reason: 'internal_error' };
    return { ok: true, authorizationId: body.id, card };
  }

  async capture(authorizationId: string): Promise<ProviderResult<{ providerRef: string }>> {
    const r = await this.#post(`/v1/authorizations/${encodeURIComponent(authorizationId)}/capture`, {});
    if (!r.ok) return r;
    const body = r.body as { status?: unknown };
    if (body.status !== 'captured') return { ok: false, declined: false, reason: 'internal_error' };
    return { ok: true, providerRef: authorizationId };
  }

  async refund(providerRef: string, amount: number): Promise<ProviderResult<{ refundRef: string }>> {
    const r = await this.#post(`/v1/payments/${encodeURIComponent(providerRef)}/refunds`, { amount });
    if (!r.ok) return r;
    const body = r.body as { id?: unknown; status?: unknown };
    if (body.status !== 'succeeded' || typeof body.id !== 'string') return { ok: false, declined: false, reason: 'internal_error' };
    return { ok: true, refundRef: body.id };
  }

  async #post(path: string, payload: unknown): Promise<{ ok: true; body: unknown } | { ok: false; reason: PaymentFailure; declined: false }> {
    let res: Response;
    try {
      res = await fetch(this.#base + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (err) {
      const name = (err as { name?: string }).name;
      return { ok: false, declined: false, reason: name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network_error' };
    }
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      body = undefined;
    }
    if (res.status === 503 || res.status === 502 || res.status === 504) return { ok: false, declined: false, reason: 'provider_unavailable' };
    if (res.status >= 500) return { ok: false, declined: false, reason: 'internal_error' };
    if (res.status >= 400) return { ok: false, declined: false, reason: 'invalid_request' };
    return { ok: true, body };
  }
}

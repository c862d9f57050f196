/**
 * An {@link OutboundSender} over the SMS/WhatsApp provider's HTTP API (`POST /v1/messages`, see
 * src/sim/sms-provider.ts for the wire format). One attempt per call, bounded by a timeout: retries
 * belong to a decorator (outbound-sender.ts), not here.
 */
import type { MessageChannel, OutboundMessage, OutboundSender, SendFailureReason, SendResult } from './outbound-sender.ts';

export interface HttpSmsSenderOptions {
  /** Provider base URL, e.g. `http://127.0.0.1:3101`. */
  readonly baseUrl: string;
  readonly timeoutMs: number;
  /** Injectable for tests. Default: global fetch. */
  readonly fetch?: typeof fetch;
}

export class HttpSmsSender implements OutboundSender {
  readonly #url: string;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;

  constructor(options: HttpSmsSenderOptions) {
    this.#url = new URL('/v1/messages', options.baseUrl).href;
    this.#timeoutMs = options.timeoutMs;
    this.#fetch = options.fetch ?? fetch;
  }

  async send(message: OutboundMessage): Promise<SendResult> {
    const started = performance.now();
    const elapsed = (): number => Math.round(performance.now() - started);
    let res: Response;
    try {
      res = await this.#fetch(this.#url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': message.idempotencyKey },
        body: JSON.stringify({ to: message.to, channel: message.channel satisfies MessageChannel, body: message.body, idempotency_key: message.idempotencyKey }),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (err) {
      const timedOut = (err as Error | null)?.name === 'TimeoutError';
      return { ok: false, reason: timedOut ? 'timeout' : 'network', retryable: true, durationMs: elapsed() };
    }
    let body: Record<string, unknown> = {};
    try {
      const parsed = (await res.json()) as unknown;
      if (typeof parsed === 'object' && parsed !== null) body = parsed as Record<string, unknown>;
    } catch {
      // a non-JSON answer: classified by status alone
    }
    if (res.ok && typeof body.id === 'string') return { ok: true, providerRef: body.id, durationMs: elapsed() };
    const reason = classify(res.status, body.error);
    return { ok: false, reason, retryable: RETRYABLE.has(reason), durationMs: elapsed(), status: res.status };
  }
}

const RETRYABLE: ReadonlySet<SendFailureReason> = new Set(['rate_limited', 'provider_error', 'provider_unavailable', 'timeout', 'network']);

function classify(status: number, error: unknown): SendFailureReason {
  if (status === 400 && error === 'invalid_recipient') return 'invalid_recipient';
  if (status === 429) return 'rate_limited';
  if (status === 503) return 'provider_unavailable';
  if (status >= 500) return 'provider_error';
  return 'rejected';
}

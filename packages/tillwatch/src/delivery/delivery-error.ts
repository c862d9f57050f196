/**
 * Failed deliveries as data: why it failed (a bounded reason, a metric label), whether trying again can
 * help, and what the provider said about when. Handlers throw a {@link DeliveryError} (or anything else:
 * {@link classifyError} maps the usual suspects), and the retry policy reads the result.
 *
 * Retryable: timeout, network, rate_limited, unavailable, server_error, internal. Permanent: rejected,
 * invalid_request, unauthorized, conflict, invalid_payload. A provider's 4xx is permanent (the same request
 * will be refused again) except 408 Request Timeout, 425 Too Early and 429 Too Many Requests, which RFC 9110
 * section 15.5 and RFC 6585 section 4 describe as worth repeating later.
 */
import type { DeliveryFailureReason } from '@tillwatch/spec';

/** A classified failure, as the retry policy, the metrics and the event-failure table see it. */
export interface DeliveryFailure {
  readonly reason: DeliveryFailureReason;
  readonly retryable: boolean;
  /** A short, redacted message (stored and logged). */
  readonly message: string;
  /** A code for people: an HTTP status (`http_503`), an errno (`ECONNRESET`) or the application's own. */
  readonly code: string;
  /** The provider's Retry-After, when it gave one: the next attempt waits at least this long. */
  readonly retryAfterMs?: number | undefined;
}

const RETRYABLE_REASONS: ReadonlySet<DeliveryFailureReason> = new Set(['timeout', 'network', 'rate_limited', 'unavailable', 'server_error', 'internal']);

/** True when a failure of this reason may succeed if tried again later. */
export function isRetryableReason(reason: DeliveryFailureReason): boolean {
  return RETRYABLE_REASONS.has(reason);
}

const kBrand = Symbol.for('tillwatch.delivery.error');

/**
 * What a delivery handler throws to say how it failed. `retryable` defaults from the reason.
 *
 * @example
 * if (res.status === 400) throw new DeliveryError('invalid_request', 'the provider refused the recipient', { code: 'http_400' });
 * throw DeliveryError.fromHttpStatus(res.status, { retryAfter: res.headers.get('retry-after') });
 */
export class DeliveryError extends Error {
  readonly reason: DeliveryFailureReason;
  readonly retryable: boolean;
  readonly code: string;
  readonly retryAfterMs: number | undefined;
  readonly [kBrand] = true;

  constructor(
    reason: DeliveryFailureReason,
    message: string,
    options: { readonly retryable?: boolean; readonly code?: string; readonly retryAfterMs?: number; readonly cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DeliveryError';
    this.reason = reason;
    this.retryable = options.retryable ?? isRetryableReason(reason);
    this.code = options.code ?? reason;
    this.retryAfterMs = options.retryAfterMs;
  }

  /**
   * The error a provider's non-2xx HTTP answer stands for.
   * @param retryAfter the Retry-After header: seconds or an HTTP date (RFC 9110 section 10.2.3).
   */
  static fromHttpStatus(status: number, options: { readonly retryAfter?: string | null; readonly message?: string; readonly nowMs?: number } = {}): DeliveryError {
    const reason = reasonOfHttpStatus(status);
    const retryAfterMs = parseRetryAfter(options.retryAfter, options.nowMs ?? Date.now());
    return new DeliveryError(reason, options.message ?? `the provider answered HTTP ${status}`, {
      code: `http_${status}`,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
}

/** True for a {@link DeliveryError} from any copy of tillwatch. */
export function isDeliveryError(e: unknown): e is DeliveryError {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[kBrand] === true;
}

/** The failure reason an HTTP status stands for (only meaningful for non-2xx). */
export function reasonOfHttpStatus(status: number): DeliveryFailureReason {
  if (status === 408) return 'timeout';
  if (status === 425 || status === 429) return 'rate_limited';
  if (status === 401 || status === 403) return 'unauthorized';
  if (status === 409) return 'conflict';
  if (status === 400 || status === 422) return 'invalid_request';
  if (status === 503) return 'unavailable';
  if (status === 504) return 'timeout';
  if (status >= 500) return 'server_error';
  return 'rejected';
}

/** Retry-After in milliseconds (seconds or an HTTP date), or undefined when absent or unreadable. Capped at a day. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Math.min(Number(v) * 1000, 86_400_000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.min(Math.max(0, at - nowMs), 86_400_000);
}

/** errno codes of connections that failed or broke: the next attempt may get through. */
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function codeOf(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Classifies anything a handler threw. A {@link DeliveryError} says itself; fetch's `TimeoutError` and
 * errno timeouts are `timeout`; connection errors (also when wrapped as fetch's `cause`) are `network`;
 * a `SyntaxError` (an unreadable payload) is `invalid_payload`, permanent; anything else is `internal`,
 * retryable, because an unexpected error (a database hiccup, a bug fixed by the next deploy) should not
 * lose the message.
 *
 * @param scrub applied to the message before it is kept (the shared redactor's `string`).
 */
export function classifyError(e: unknown, scrub: (s: string) => string = (s) => s): DeliveryFailure {
  const message = scrub(messageOf(e)).slice(0, 500);
  if (isDeliveryError(e)) {
    return { reason: e.reason, retryable: e.retryable, message, code: e.code, ...(e.retryAfterMs === undefined ? {} : { retryAfterMs: e.retryAfterMs }) };
  }
  const name = (e as { name?: unknown } | null)?.name;
  const cause = (e as { cause?: unknown } | null)?.cause;
  const code = codeOf(e) ?? codeOf(cause);
  if (name === 'TimeoutError' || (code !== undefined && TIMEOUT_CODES.has(code))) return { reason: 'timeout', retryable: true, message, code: code ?? 'timeout' };
  if (code !== undefined && NETWORK_CODES.has(code)) return { reason: 'network', retryable: true, message, code };
  if (name === 'TypeError' && message === 'fetch failed') return { reason: 'network', retryable: true, message, code: 'fetch_failed' };
  if (name === 'SyntaxError') return { reason: 'invalid_payload', retryable: false, message, code: 'syntax_error' };
  return { reason: 'internal', retryable: true, message, code: code ?? (typeof name === 'string' && name !== '' ? name : 'error') };
}

function messageOf(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'string') return e;
  try {
    return JSON.stringify(e) ?? String(e);
  } catch {
    return 'an unserialisable value was thrown';
  }
}

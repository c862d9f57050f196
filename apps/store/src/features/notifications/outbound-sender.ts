/**
 * The seam between the store and any outbound messaging provider. Everything that sends a message
 * (today: receipt notifications) holds an {@link OutboundSender}; nothing else knows about HTTP,
 * providers or failures beyond the {@link SendResult}.
 *
 * Retries with backoff and a durable dead-letter queue plug in here as decorators of this one
 * interface, without touching the callers:
 *
 * ```ts
 * const sender: OutboundSender = withDeadLetter(withRetries(new HttpSmsSender(...), backoff), dlq);
 * ```
 *
 * Hence the contract: `send` never throws (a failure is a result), says whether a failure is worth
 * retrying, and carries an idempotency key so a retried send cannot text a customer twice.
 */

export const MESSAGE_CHANNELS = ['sms', 'whatsapp'] as const;
export type MessageChannel = (typeof MESSAGE_CHANNELS)[number];

export interface OutboundMessage {
  /** Stable per logical message; providers dedupe on it, so a retry is safe. */
  readonly idempotencyKey: string;
  readonly channel: MessageChannel;
  /** E.164 phone number. Personal data: never logged, never stored in clear. */
  readonly to: string;
  readonly body: string;
}

/** Why a send failed (bounded: these are stored and become label values). */
export type SendFailureReason =
  | 'invalid_recipient'
  | 'rejected'
  | 'rate_limited'
  | 'provider_error'
  | 'provider_unavailable'
  | 'timeout'
  | 'network';

export type SendResult =
  | { readonly ok: true; readonly providerRef: string; readonly durationMs: number }
  | {
      readonly ok: false;
      readonly reason: SendFailureReason;
      /** True when the same message may succeed later (throttling, outage, timeout, network). */
      readonly retryable: boolean;
      readonly durationMs: number;
      /** HTTP status of the provider's answer, when there was one. */
      readonly status?: number;
    };

export interface OutboundSender {
  /** Sends one message. Never rejects. */
  send(message: OutboundMessage): Promise<SendResult>;
}

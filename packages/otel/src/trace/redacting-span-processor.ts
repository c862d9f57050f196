/**
 * A span processor that passes every attribute, event attribute and status message of a span through
 * the shared redactor before any exporter sees it. Instrumentations record URLs with their query
 * strings (`url.full`, `http.target`), SQL text (`db.statement`) and, when configured, headers; a
 * card number typed into a search box or a token in a query parameter would otherwise leave the
 * process in a span.
 *
 * It must be the first processor on the provider: processors run in order, and the Sentry processor
 * serialises spans as soon as they end.
 */
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { type Redactor, REDACTED } from '@tillwatch/redact';

type AttributeValue = string | number | boolean | (string | number | boolean | null | undefined)[] | null | undefined;
type Attributes = Record<string, AttributeValue>;

/**
 * The key rule of the redactor applied to a dotted attribute name: `http.request.header.authorization`
 * and `app.card_number` are sensitive because their last segment is.
 */
function sensitiveAttribute(redactor: Redactor, key: string): boolean {
  if (redactor.isSensitiveKey(key)) return true;
  const dot = key.lastIndexOf('.');
  return dot !== -1 && redactor.isSensitiveKey(key.slice(dot + 1));
}

/**
 * Attribute names are a small set the instrumentations repeat on every span, so each name's verdict is kept
 * (up to this many names; past it, names are judged each time, as before).
 */
const MAX_REMEMBERED_KEYS = 2000;

function scrubValue(redactor: Redactor, v: AttributeValue): AttributeValue {
  if (typeof v === 'string') return redactor.string(v);
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'string' ? redactor.string(x) : x));
  return v;
}

/**
 * Scrubs an attribute map in place. In place because a ReadableSpan's attributes are the span's own
 * object, which is what every later processor and exporter reads.
 */
function scrubAttributes(redactor: Redactor, attributes: Attributes, sensitive: (key: string) => boolean): void {
  for (const key of Object.keys(attributes)) {
    const v = attributes[key];
    if (v === undefined || v === null || typeof v === 'number' || typeof v === 'boolean') continue;
    attributes[key] = sensitive(key) ? REDACTED : scrubValue(redactor, v);
  }
}

export class RedactingSpanProcessor implements SpanProcessor {
  readonly #redactor: Redactor;
  readonly #onError: (err: unknown) => void;

  /**
   * @param redactor the shared redactor.
   * @param onError told when scrubbing failed; the span is then left out of nothing (the redactor
   *   never throws, so this is a guard against a malformed span object only).
   */
  readonly #verdicts = new Map<string, boolean>();
  readonly #sensitive = (key: string): boolean => {
    const known = this.#verdicts.get(key);
    if (known !== undefined) return known;
    const verdict = sensitiveAttribute(this.#redactor, key);
    if (this.#verdicts.size < MAX_REMEMBERED_KEYS) this.#verdicts.set(key, verdict);
    return verdict;
  };

  constructor(redactor: Redactor, onError: (err: unknown) => void = () => {}) {
    this.#redactor = redactor;
    this.#onError = onError;
  }

  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    try {
      const r = this.#redactor;
      scrubAttributes(r, span.attributes as Attributes, this.#sensitive);
      for (const event of span.events) {
        if (event.attributes) scrubAttributes(r, event.attributes as Attributes, this.#sensitive);
      }
      const status = span.status as { message?: string };
      if (typeof status.message === 'string') status.message = r.string(status.message);
    } catch (err) {
      this.#onError(err);
    }
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

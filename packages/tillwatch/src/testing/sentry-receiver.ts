/**
 * A local Sentry ingest endpoint for tests: a real HTTP server on port 0 that accepts what the real
 * `@sentry/node` transport sends (POST /api/<project>/envelope/) and decodes the envelope format
 * (https://develop.sentry.dev/sdk/data-model/envelopes/): a JSON header line, then items, each a
 * JSON item header line and a payload of `length` bytes or up to the next newline.
 *
 * It answers CORS (preflights too), so a browser SDK on another local origin can post to it.
 *
 * It stands in for Sentry, which cannot run here. `mode: 'fail'` answers 503 and `mode: 'blackhole'`
 * accepts and never answers.
 */
import http from 'node:http';
import { UNTRACED_SERVER } from '@tillwatch/spec';
import { gunzipSync } from 'node:zlib';
import { LocalReceiver, type ReceiverMode } from './local-receiver.ts';

export interface EnvelopeItem {
  readonly header: Record<string, unknown> & { type?: string };
  /** The payload parsed as JSON when it is JSON, else the raw text. */
  readonly payload: unknown;
}

export interface Envelope {
  readonly header: Record<string, unknown>;
  readonly items: EnvelopeItem[];
  /** The whole envelope as received (decompressed), for "this string appears nowhere" assertions. */
  readonly raw: string;
}

/** A Sentry event (error or transaction) as received. */
export type SentryEvent = Record<string, unknown> & {
  event_id?: string;
  type?: string;
  tags?: Record<string, string>;
  exception?: { values?: { type?: string; value?: string }[] };
  contexts?: { trace?: { trace_id?: string; span_id?: string } };
  user?: Record<string, unknown>;
  request?: Record<string, unknown>;
  breadcrumbs?: Record<string, unknown>[] | { values?: Record<string, unknown>[] };
};

/** Parses one envelope. @throws on a malformed envelope. */
export function parseEnvelope(buf: Buffer): Envelope {
  const raw = buf.toString('utf8');
  let pos = buf.indexOf(0x0a);
  const headerEnd = pos === -1 ? buf.length : pos;
  const header = JSON.parse(buf.subarray(0, headerEnd).toString('utf8')) as Record<string, unknown>;
  const items: EnvelopeItem[] = [];
  pos = headerEnd + 1;
  while (pos < buf.length) {
    let lineEnd = buf.indexOf(0x0a, pos);
    if (lineEnd === -1) lineEnd = buf.length;
    const line = buf.subarray(pos, lineEnd).toString('utf8');
    pos = lineEnd + 1;
    if (line.trim() === '') continue;
    const itemHeader = JSON.parse(line) as EnvelopeItem['header'];
    let payloadBuf: Buffer;
    if (typeof itemHeader.length === 'number') {
      payloadBuf = buf.subarray(pos, pos + itemHeader.length);
      pos += itemHeader.length + 1;
    } else {
      let end = buf.indexOf(0x0a, pos);
      if (end === -1) end = buf.length;
      payloadBuf = buf.subarray(pos, end);
      pos = end + 1;
    }
    const text = payloadBuf.toString('utf8');
    let payload: unknown = text;
    try {
      payload = JSON.parse(text);
    } catch {
      // attachments and other non-JSON payloads stay text
    }
    items.push({ header: itemHeader, payload });
  }
  return { header, items, raw };
}

export class SentryReceiver extends LocalReceiver {
  readonly envelopes: Envelope[] = [];

  /** A DSN pointing here (project 1), for `sentry.dsn` / SENTRY_DSN. */
  get dsn(): string {
    return `http://publickey@127.0.0.1:${this.port}/1`;
  }

  /** Error events (items of type `event`). */
  get events(): SentryEvent[] {
    return this.#items('event');
  }

  /** Transaction events. */
  get transactions(): SentryEvent[] {
    return this.#items('transaction');
  }

  #items(type: string): SentryEvent[] {
    return this.envelopes.flatMap((e) => e.items.filter((i) => i.header.type === type).map((i) => i.payload as SentryEvent));
  }

  /** Everything received, one string. */
  text(): string {
    return this.envelopes.map((e) => e.raw).join('\n');
  }

  /** @internal */
  receive(envelope: Envelope): void {
    this.envelopes.push(envelope);
    this.notify();
  }

  /** Resolves once `predicate(this)` holds; rejects after `timeoutMs`. */
  waitFor(predicate: (r: SentryReceiver) => boolean, timeoutMs = 10_000): Promise<void> {
    return this.waitUntil(
      () => predicate(this),
      timeoutMs,
      () => `Sentry receiver: condition not met; got ${this.events.length} events, ${this.requests} requests`,
    );
  }
}

/**
 * Starts a Sentry envelope receiver on 127.0.0.1, port 0.
 * @example
 * ```ts
 * const sentry = await sentryReceiver();
 * const tw = createTillwatch({ sentry: { dsn: sentry.dsn } });
 * await sentry.waitFor((r) => r.events.length === 1);
 * ```
 */
export async function sentryReceiver(options: { mode?: ReceiverMode } = {}): Promise<SentryReceiver> {
  let receiver: SentryReceiver | undefined;
  const server = http.createServer((req, res) => {
    const r = receiver as SentryReceiver;
    // Browser SDKs (@sentry/browser) post from the page's origin: answer CORS as Sentry's ingest does,
    // preflights included (https://fetch.spec.whatwg.org/#http-cors-protocol). Preflights are not uploads.
    res.setHeader('access-control-allow-origin', '*');
    res.setHeader('access-control-expose-headers', 'x-sentry-rate-limits, retry-after');
    if (req.method === 'OPTIONS') {
      res.statusCode = 204;
      res.setHeader('access-control-allow-methods', 'POST');
      res.setHeader('access-control-allow-headers', req.headers['access-control-request-headers'] ?? 'content-type');
      res.setHeader('access-control-max-age', '600');
      res.end();
      return;
    }
    r.requests++;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (r.answerByMode(res)) return;
      if (req.method !== 'POST' || !/^\/api\/[^/]+\/envelope\/?(\?|$)/.test(req.url ?? '')) {
        res.statusCode = 404;
        res.end();
        return;
      }
      try {
        let buf = Buffer.concat(chunks);
        if (req.headers['content-encoding'] === 'gzip') buf = gunzipSync(buf);
        const envelope = parseEnvelope(buf);
        res.statusCode = 200;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ id: envelope.header.event_id ?? null }));
        r.receive(envelope);
      } catch {
        res.statusCode = 400;
        res.end();
      }
    });
  });
  receiver = new SentryReceiver(server, options.mode ?? 'ok');
  // Its own requests are never traced, or an in-process receiver would receive a span per export.
  (server as unknown as Record<symbol, unknown>)[UNTRACED_SERVER] = true;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return receiver;
}

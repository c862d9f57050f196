/**
 * A local OTLP/HTTP trace receiver for tests: a real HTTP server on port 0 that accepts what the real
 * `@opentelemetry/exporter-trace-otlp-http` sends (POST /v1/traces, `application/json`, optionally
 * gzip) and decodes the OTLP JSON encoding (ExportTraceServiceRequest, opentelemetry-proto
 * `trace/v1/trace.proto`; ids are hex strings in OTLP/JSON) into flat spans.
 *
 * It stands in for a collector, which cannot run here. It can also misbehave on purpose:
 * `mode: 'fail'` answers 503 and `mode: 'blackhole'` accepts the request and never answers, the two
 * ways a collector outage looks from the service.
 */
import http from 'node:http';
import { UNTRACED_SERVER } from '@tillwatch/spec';
import { gunzipSync } from 'node:zlib';
import { LocalReceiver, type ReceiverMode } from './local-receiver.ts';

/** One span as received, with its resource's attributes. */
export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  /** Empty for a root span. */
  readonly parentSpanId: string;
  readonly name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  readonly kind: number;
  readonly attributes: Record<string, unknown>;
  readonly resource: Record<string, unknown>;
  readonly scope: string;
  readonly startTimeUnixNano: string;
  readonly endTimeUnixNano: string;
  readonly status: { code?: number; message?: string };
  readonly events: { name: string; attributes: Record<string, unknown> }[];
}

export type { ReceiverMode } from './local-receiver.ts';

export interface OtlpReceiverOptions {
  readonly mode?: ReceiverMode;
}

interface AnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number;
  arrayValue?: { values?: AnyValue[] };
  kvlistValue?: { values?: KeyValue[] };
  bytesValue?: string;
}
interface KeyValue {
  key: string;
  value?: AnyValue;
}

function decodeValue(v: AnyValue | undefined): unknown {
  if (v === undefined) return undefined;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.arrayValue !== undefined) return (v.arrayValue.values ?? []).map(decodeValue);
  if (v.kvlistValue !== undefined) return decodeAttributes(v.kvlistValue.values);
  if (v.bytesValue !== undefined) return v.bytesValue;
  return undefined;
}

function decodeAttributes(kvs: KeyValue[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of kvs ?? []) out[kv.key] = decodeValue(kv.value);
  return out;
}

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string | number;
  endTimeUnixNano: string | number;
  attributes?: KeyValue[];
  status?: { code?: number; message?: string };
  events?: { name: string; attributes?: KeyValue[] }[];
}
interface ExportTraceServiceRequest {
  resourceSpans?: { resource?: { attributes?: KeyValue[] }; scopeSpans?: { scope?: { name?: string }; spans?: OtlpSpan[] }[] }[];
}

/** Decodes one OTLP/JSON export request into flat spans. @throws SyntaxError on a body that is not OTLP JSON. */
export function decodeOtlpJson(body: string): ReceivedSpan[] {
  const req = JSON.parse(body) as ExportTraceServiceRequest;
  const spans: ReceivedSpan[] = [];
  for (const rs of req.resourceSpans ?? []) {
    const resource = decodeAttributes(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        spans.push({
          traceId: s.traceId,
          spanId: s.spanId,
          parentSpanId: s.parentSpanId ?? '',
          name: s.name,
          kind: s.kind,
          attributes: decodeAttributes(s.attributes),
          resource,
          scope: ss.scope?.name ?? '',
          startTimeUnixNano: String(s.startTimeUnixNano),
          endTimeUnixNano: String(s.endTimeUnixNano),
          status: s.status ?? {},
          events: (s.events ?? []).map((e) => ({ name: e.name, attributes: decodeAttributes(e.attributes) })),
        });
      }
    }
  }
  return spans;
}

export class OtlpReceiver extends LocalReceiver {
  /** Every span received, in arrival order. */
  readonly spans: ReceivedSpan[] = [];
  /** Raw request bodies (decompressed), for "this string appears nowhere" assertions. */
  readonly bodies: string[] = [];

  /** The base URL to use as `trace.endpoint` / OTEL_EXPORTER_OTLP_ENDPOINT. */
  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** @internal called by the server for each decoded request. */
  receive(body: string, spans: ReceivedSpan[]): void {
    this.bodies.push(body);
    this.spans.push(...spans);
    this.notify();
  }

  /**
   * Resolves with the spans once `predicate(spans)` holds; rejects after `timeoutMs` with what arrived.
   * A bounded wait, not a sleep: it returns as soon as the spans are there.
   */
  async waitFor(predicate: (spans: readonly ReceivedSpan[]) => boolean, timeoutMs = 10_000): Promise<ReceivedSpan[]> {
    await this.waitUntil(
      () => predicate(this.spans),
      timeoutMs,
      () => `OTLP receiver: condition not met; got ${this.spans.length} spans: ${this.spans.map((s) => s.name).join(', ')}`,
    );
    return [...this.spans];
  }

  /** Spans of one trace. */
  trace(traceId: string): ReceivedSpan[] {
    return this.spans.filter((s) => s.traceId === traceId);
  }

}

/**
 * Starts an OTLP/HTTP receiver on 127.0.0.1, port 0.
 * @example
 * ```ts
 * const otlp = await otlpReceiver();
 * const tw = createTillwatch({ trace: { endpoint: otlp.endpoint } });
 * // ... make a request ...
 * const spans = await otlp.waitFor((s) => s.some((x) => x.kind === 2));
 * await otlp.close();
 * ```
 */
export async function otlpReceiver(options: OtlpReceiverOptions = {}): Promise<OtlpReceiver> {
  let receiver: OtlpReceiver | undefined;
  const server = http.createServer((req, res) => {
    const r = receiver as OtlpReceiver;
    r.requests++;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (r.answerByMode(res)) return;
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.statusCode = 404;
        res.end();
        return;
      }
      const type = String(req.headers['content-type'] ?? '');
      if (!type.startsWith('application/json')) {
        // Only the JSON encoding is decoded; the protobuf one is answered as the spec says for an unsupported type.
        res.statusCode = 415;
        res.end();
        return;
      }
      try {
        let buf = Buffer.concat(chunks);
        if (req.headers['content-encoding'] === 'gzip') buf = gunzipSync(buf);
        const body = buf.toString('utf8');
        r.receive(body, decodeOtlpJson(body));
        res.statusCode = 200;
        res.setHeader('content-type', 'application/json');
        res.end('{}');
      } catch {
        res.statusCode = 400;
        res.end();
      }
    });
  });
  receiver = new OtlpReceiver(server, options.mode ?? 'ok');
  // Its own requests are never traced, or an in-process receiver would receive a span per export.
  (server as unknown as Record<symbol, unknown>)[UNTRACED_SERVER] = true;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return receiver;
}

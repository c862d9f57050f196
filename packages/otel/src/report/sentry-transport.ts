/**
 * The transport that uploads Sentry envelopes: Sentry's own `createTransport` (rate limits, the
 * bounded buffer, client reports) over a node:http(s) request that has a time limit.
 *
 * Why not Sentry's default node transport: its request has no timeout, so an ingest endpoint that
 * accepts connections and never answers (a black hole: a dead proxy, a firewall dropping packets)
 * holds every envelope until the buffer is full and a flush at shutdown always waits its whole budget.
 * Here an upload that takes longer than `sendTimeoutMs` is aborted and counted, and envelopes that
 * arrive while the buffer is full are counted as dropped instead of disappearing.
 *
 * The request runs with tracing suppressed, so reporting an error does not create spans (which could
 * report errors...).
 */
import http from 'node:http';
import https from 'node:https';
import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import type * as SentryNode from '@sentry/node';

// Sentry's transport types, read off @sentry/node's own createTransport (the optional peer this package declares).
type CreateTransport = typeof SentryNode.createTransport;
type BaseTransportOptions = Parameters<typeof SentryNode.makeNodeTransport>[0];
type Transport = ReturnType<CreateTransport>;
type MakeRequest = Parameters<CreateTransport>[1];
type TransportRequest = Parameters<MakeRequest>[0];
type TransportMakeRequestResponse = Awaited<ReturnType<MakeRequest>>;

/** Envelopes in flight at once, Sentry's default buffer size; past it new envelopes are dropped (counted). */
const SENTRY_BUFFER_SIZE = 64;

export type EnvelopeDropReason = 'queue_full' | 'send_failed';

export interface TimedTransportOptions {
  readonly sendTimeoutMs: number;
  /** Told about each envelope that will not arrive; must not throw (it is guarded anyway). */
  readonly onDrop: (reason: EnvelopeDropReason, error?: unknown) => void;
}

/**
 * Builds the `transport` option of `Sentry.init`.
 * @param createTransport `Sentry.createTransport`, passed in because @sentry/node is an optional peer
 *   dependency loaded at run time.
 */
export function timedTransport(createTransport: CreateTransport, o: TimedTransportOptions): (options: BaseTransportOptions) => Transport {
  const drop = (reason: EnvelopeDropReason, error?: unknown): void => {
    try {
      o.onDrop(reason, error);
    } catch {
      // counting must not fail an upload
    }
  };
  return (options) => {
    const url = new URL(options.url);
    const client = url.protocol === 'https:' ? https : http;
    const agent = new client.Agent({ keepAlive: true, maxSockets: 8 });
    let inFlight = 0;
    const makeRequest = (request: TransportRequest): Promise<TransportMakeRequestResponse> => {
      inFlight++;
      return new Promise<TransportMakeRequestResponse>((resolve, reject) => {
        let settled = false;
        /** Returns true the first time: an upload ends once, however many events its streams emit. */
        const done = (): boolean => {
          if (settled) return false;
          settled = true;
          inFlight--;
          return true;
        };
        context.with(suppressTracing(context.active()), () => {
          const req = client.request(
            url,
            {
              method: 'POST',
              agent,
              headers: { ...options.headers, 'content-type': 'application/x-sentry-envelope' },
              timeout: o.sendTimeoutMs,
            },
            (res) => {
              res.resume();
              res.once('end', () => {
                if (!done()) return;
                const status = res.statusCode ?? 0;
                if (status >= 400 && status !== 429) drop('send_failed', new Error(`Sentry answered ${status}`));
                const header = (name: string): string | null => {
                  const v = res.headers[name];
                  return typeof v === 'string' ? v : null;
                };
                resolve({ statusCode: status, headers: { 'retry-after': header('retry-after'), 'x-sentry-rate-limits': header('x-sentry-rate-limits') } });
              });
              res.once('error', (err) => {
                if (!done()) return;
                drop('send_failed', err);
                reject(err);
              });
            },
          );
          // 'timeout' is socket inactivity; a black hole is exactly that. Overall time is bounded too.
          const overall = setTimeout(() => req.destroy(new Error(`Sentry upload did not finish within ${o.sendTimeoutMs} ms`)), o.sendTimeoutMs);
          overall.unref();
          req.once('timeout', () => req.destroy(new Error(`Sentry upload did not finish within ${o.sendTimeoutMs} ms`)));
          req.once('close', () => clearTimeout(overall));
          req.once('error', (err) => {
            if (!done()) return;
            drop('send_failed', err);
            reject(err);
          });
          req.end(request.body);
        });
      });
    };
    const transport = createTransport({ ...options, bufferSize: SENTRY_BUFFER_SIZE }, makeRequest);
    return {
      ...transport,
      send(envelope) {
        // Sentry's buffer rejects this envelope silently when it is full; count it.
        if (inFlight >= SENTRY_BUFFER_SIZE) drop('queue_full');
        return transport.send(envelope);
      },
      flush: (timeout) => transport.flush(timeout),
    };
  };
}

/**
 * The `/metrics` request handler, for the management server or an application route.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createManagementAuth, type ManagementAuth } from './management-auth.ts';
import type { PreparedExposition } from './exposition-renderer.ts';
import type { Metrics } from './metrics.ts';

export interface MetricsHandlerOptions {
  /** When set, requests must carry `Authorization: Bearer <token>` (`metrics.token`, METRICS_TOKEN). */
  readonly token?: string;
  /** The management endpoints' authentication (token and/or JWT, management-auth.ts); wins over `token`. */
  readonly auth?: ManagementAuth;
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string, head: boolean): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'Cache-Control': 'no-store', 'Content-Length': String(Buffer.byteLength(body)), ...headers });
  res.end(head ? undefined : body);
}

/**
 * Streams an exposition: a body that fits in one chunk goes out with a Content-Length, a larger one chunked as it is
 * rendered, waiting for the socket to drain (so a slow scraper holds one chunk in memory, not the whole body).
 */
async function stream(res: ServerResponse, contentType: string, exposition: PreparedExposition, head: boolean): Promise<void> {
  if (res.headersSent || res.destroyed) return;
  const headers = { 'Cache-Control': 'no-store', 'Content-Type': contentType, Vary: 'Accept' };
  if (head) {
    res.writeHead(200, headers);
    res.end();
    return;
  }
  let first: string | undefined;
  let streaming = false;
  const drained = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const done = (): void => {
        res.off('drain', done);
        res.off('close', done);
        if (res.destroyed) reject(new Error('scrape connection closed'));
        else resolve();
      };
      res.on('drain', done);
      res.on('close', done);
    });
  await exposition.writeTo((chunk) => {
    if (res.destroyed) throw new Error('scrape connection closed');
    if (!streaming) {
      if (first === undefined) {
        first = chunk;
        return;
      }
      res.writeHead(200, headers);
      streaming = true;
      res.write(first);
    }
    return res.write(chunk) ? undefined : drained();
  });
  if (streaming) res.end();
  else {
    const body = first ?? '';
    res.writeHead(200, { ...headers, 'Content-Length': String(Buffer.byteLength(body)) });
    res.end(body);
  }
}

/**
 * Creates a node:http handler serving the exposition of `metrics`.
 *
 * - GET and HEAD only; anything else gets 405 with `Allow: GET, HEAD`.
 * - With a token, a missing or wrong `Authorization: Bearer` header gets 401 with `WWW-Authenticate: Bearer`
 *   and no details (TW_ERR_MANAGEMENT_UNAUTHORIZED); the comparison is constant-time. With `auth`, a valid
 *   management JWT is accepted too, and each refusal is reported (management-auth.ts).
 * - Content negotiation on Accept: OpenMetrics 1.0 for `application/openmetrics-text`, else Prometheus text 0.0.4.
 * - A failing collect callback gets 500 with a generic body; the error is logged (redacted) by `Metrics.exposition`.
 *
 * The handler never throws and never rejects.
 * @throws TillwatchConfigError (at creation) when `token` is an empty string.
 * @example
 * ```ts
 * http.createServer(createMetricsHandler(metrics, { token: options.metrics.token })).listen(9464);
 * ```
 */
export function createMetricsHandler(metrics: Metrics, opts: MetricsHandlerOptions = {}): (req: IncomingMessage, res: ServerResponse) => void {
  const auth = opts.auth ?? createManagementAuth({ token: opts.token });
  const text = { 'Content-Type': 'text/plain; charset=utf-8' };
  return (req, res) => {
    try {
      const head = req.method === 'HEAD';
      if (req.method !== 'GET' && !head) {
        send(res, 405, { ...text, Allow: 'GET, HEAD' }, 'Method Not Allowed\n', false);
        return;
      }
      const allowed = auth === undefined ? true : auth.guard(req, res);
      if (allowed === true) serve(req, res, head);
      else if (allowed !== false) allowed.then((ok) => ok && serve(req, res, head), () => res.destroy());
    } catch {
      // Only a broken response object gets here; dropping the connection is all that is left to do.
      res.destroy();
    }
  };
  function serve(req: IncomingMessage, res: ServerResponse, head: boolean): void {
    metrics.exposition(req.headers.accept).then(
      (exposition) => stream(res, exposition.contentType, exposition, head),
      () => send(res, 500, text, 'Internal Server Error\n', head),
    ).catch(() => res.destroy());
  }
}

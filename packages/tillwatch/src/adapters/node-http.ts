/**
 * `tillwatch/node-http`: instruments a plain node:http request listener.
 *
 * node:http has no router, so the route template comes from the caller (`options.route`); a request
 * it does not name is counted under `__unmatched__`, never under its raw path (one series per order
 * id would blow up the metrics).
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { RequestScope } from '../http/http-instrumentation.ts';
import { UNMATCHED_ROUTE } from '@tillwatch/spec';
import type { Tillwatch } from '../tillwatch.ts';
import { setRoute, writeErrorResponse } from './shared.ts';

export interface TillwatchNodeHttpOptions {
  /**
   * Names the route template of a request (`/orders/:id`), or returns undefined when the app does not
   * handle it. Called once per request, before the handler. Must not throw; if it does, the request
   * is counted as `__unmatched__`.
   */
  route?: (req: IncomingMessage) => string | undefined;
}

export type AsyncRequestListener = (req: IncomingMessage, res: ServerResponse) => unknown;

/**
 * Wraps a request listener: serves /metrics and the health probes first (when they live on this
 * port), then runs the handler inside the request context, so every log line carries the correlation
 * id. A synchronous throw or a rejected promise is logged once as `request failed` and answered
 * with a 500 `{ error: 'internal_error', correlation_id }` if nothing was sent yet.
 * @param tw the tillwatch instance.
 * @param handler the app's listener; may be async.
 * @param options `route` names the route template of a request.
 * @example
 * ```ts
 * import http from 'node:http';
 * import { createTillwatch } from 'tillwatch';
 * import { tillwatchNodeHttp } from 'tillwatch/node-http';
 * const tw = createTillwatch({ service: { name: 'pos-api' } });
 * const server = http.createServer(tillwatchNodeHttp(tw, (req, res) => res.end('ok'), {
 *   route: (req) => (req.url === '/' ? '/' : undefined),
 * }));
 * ```
 */
export function tillwatchNodeHttp(tw: Tillwatch, handler: AsyncRequestListener, options: TillwatchNodeHttpOptions = {}): RequestListener {
  const routeOf = options.route;
  const fail = (scope: RequestScope, res: ServerResponse, error: unknown): void => {
    tw.http.recordError(scope, error);
    writeErrorResponse(res, scope, 500);
  };
  // One function for every request, called with its arguments inside the context (no closure per request).
  const call = (req: IncomingMessage, res: ServerResponse, scope: RequestScope): void => {
    let result: unknown;
    try {
      result = handler(req, res);
    } catch (error) {
      fail(scope, res, error);
      return;
    }
    if (typeof (result as PromiseLike<unknown> | undefined)?.then === 'function') {
      (result as PromiseLike<unknown>).then(undefined, (error: unknown) => fail(scope, res, error));
    }
  };
  return (req, res) => {
    if (tw.managementOnMainPort && tw.handleManagement(req, res)) return;
    const scope = tw.http.begin(req, res);
    let route: string | undefined;
    try {
      route = routeOf?.(req);
    } catch {
      route = undefined;
    }
    setRoute(scope, route ?? UNMATCHED_ROUTE);
    tw.http.run(scope, call, req, res, scope);
  };
}

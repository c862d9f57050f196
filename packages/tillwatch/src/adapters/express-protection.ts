/**
 * Rate limiting and CORS on Express from the maintained middleware, `express-rate-limit` and `cors`, instrumented
 * rather than rewritten: the application builds the middleware with its own options and hands it here; tillwatch
 * only watches what it decided.
 *
 * ```ts
 * import rateLimit from 'express-rate-limit';
 * import cors from 'cors';
 * import { tillwatchExpress, instrumentCors, instrumentRateLimit } from 'tillwatch/express';
 * const security = createSecurityEvents(tw);
 * app.use(tillwatchExpress(tw, { security }));
 * app.use(instrumentCors(security, cors({ origin: ['https://shop.example'] })));
 * app.use(instrumentRateLimit(security, rateLimit({ windowMs: 60_000, limit: 100 })));
 * ```
 *
 * - A request the limiter refused (its `req.rateLimit` shows more hits than the limit) is a `rate_limited`
 *   event with the limit, recorded as the refusal is sent, before the adapter's own 429 hook (which then stays
 *   silent), so it counts once in `rate_limited_requests_total` and, per client, in `rate_limited_clients`.
 * - A request with an `Origin` header that leaves `cors` without `Access-Control-Allow-Origin` (so the browser will
 *   not let the page read the answer) is a `cors_violation` event with the origin (`cors_violations_total`). A
 *   page calling its own API from the same origin sends an Origin too: list the service's own origin in `cors`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type { SecurityEvents } from '../security/security-events.ts';

interface RateLimitInfo {
  readonly limit: number;
  readonly used: number;
}

function pathOf(req: IncomingMessage & { originalUrl?: string }): string {
  const url = req.originalUrl ?? req.url ?? '/';
  const q = url.indexOf('?');
  return (q === -1 ? url : url.slice(0, q)).slice(0, 200);
}

/**
 * Wraps an `express-rate-limit` middleware so each refused request is a `rate_limited` security event.
 * @param options.requestPropertyName the limiter's `requestPropertyName`, when changed from `rateLimit`.
 */
export function instrumentRateLimit(security: SecurityEvents, limiter: RequestHandler, options: { readonly requestPropertyName?: string } = {}): RequestHandler {
  const property = options.requestPropertyName ?? 'rateLimit';
  return (req, res, next) => {
    // Prepended, so it runs before the adapter's 'finish' listener and the event carries the limit.
    res.prependOnceListener('finish', function onFinish(this: ServerResponse) {
      const info = (req as unknown as Record<string, RateLimitInfo | undefined>)[property];
      if (info !== undefined && info.used > info.limit && !security.recordedFor(req)) {
        security.rateLimited({ request: req, route: pathOf(req), limit: info.limit });
      }
    });
    return limiter(req, res, next);
  };
}

/** Wraps a `cors` middleware so a cross-origin request it did not allow is a `cors_violation` security event. */
export function instrumentCors(security: SecurityEvents, corsMiddleware: RequestHandler): RequestHandler {
  return (req, res, next) => {
    const origin = req.headers.origin;
    if (typeof origin !== 'string') {
      corsMiddleware(req, res, next);
      return;
    }
    let checked = false;
    const check = (): void => {
      if (checked) return;
      checked = true;
      res.off('finish', check);
      if (res.getHeader('access-control-allow-origin') === undefined) security.corsViolation({ request: req, origin, route: pathOf(req) });
    };
    // A preflight is answered by cors itself (next is never called): the check runs when it is sent.
    res.once('finish', check);
    corsMiddleware(req, res, (err?: unknown) => {
      check();
      next(err);
    });
  };
}

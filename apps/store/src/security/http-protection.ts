/**
 * Rate limiting and CORS from the maintained Fastify plugins, instrumented rather than rewritten:
 *
 * - `@fastify/rate-limit`: RATE_LIMIT_PER_MINUTE requests per client address and minute on every store route (the
 *   management paths /metrics and /health are registered before it and never limited); over the limit a client
 *   gets 429 STORE_RATE_LIMITED with Retry-After, and each refusal is a `rate_limited` security event (so it counts
 *   in `rate_limited_requests_total` and, per distinct client, in `rate_limited_clients`);
 * - `@fastify/cors`: requests without an Origin (cashier terminals, curl) and same-origin requests pass; cross-origin
 *   requests from CORS_ORIGINS get the CORS headers; any other origin gets none (the browser refuses to read the
 *   answer) and is a `cors_violation` security event (`cors_violations_total`, the origin in the log line).
 */
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { StoreDeps } from '../deps.ts';
import { StoreError } from '../http/store-error.ts';

/** True when `origin` is the store's own (the page the store serves calls its API from the same origin). */
function sameOrigin(origin: string, request: FastifyRequest): boolean {
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

export async function registerHttpProtection(app: FastifyInstance, deps: StoreDeps): Promise<void> {
  const { security, securityConfig } = deps;
  const allowed = new Set(securityConfig.corsOrigins);

  await app.register(cors, {
    delegator: (request, callback) => {
      const origin = request.headers.origin;
      if (origin === undefined || allowed.has(origin) || sameOrigin(origin, request)) {
        callback(null, { origin: origin === undefined ? false : origin, credentials: false });
        return;
      }
      security.corsViolation({ request: request.raw, source: request.ip, origin, route: request.routeOptions.url });
      callback(null, { origin: false });
    },
  });

  if (securityConfig.rateLimitPerMinute > 0) {
    await app.register(rateLimit, {
      global: true,
      max: securityConfig.rateLimitPerMinute,
      timeWindow: 60_000,
      onExceeded: (request) => security.rateLimited({ request: request.raw, source: request.ip, route: request.routeOptions.url, limit: securityConfig.rateLimitPerMinute }),
      errorResponseBuilder: () => new StoreError('STORE_RATE_LIMITED'),
    });
  }
}

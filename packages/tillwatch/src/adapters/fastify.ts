/**
 * `tillwatch/fastify`: a Fastify 5 plugin.
 *
 * ```ts
 * const app = Fastify();                      // logger off: tillwatch writes the request logs
 * await app.register(tillwatchFastify, { tw }); // first, before the routes
 * ```
 *
 * Fastify's own logger should stay off (the default). If you want Fastify's internal lines too, give
 * it tillwatch's logger and turn its per-request lines off, or every request and every 5xx is logged
 * twice (once by Fastify's `incomingRequest`/`requestCompleted`/default error handler, once by
 * tillwatch's access log and `request failed` line):
 * `Fastify({ loggerInstance: tw.logger, disableRequestLogging: true })`.
 *
 * Lifecycle: `onRequest` begins the request with the route template (`request.routeOptions.url`,
 * prefixes included; undefined for a 404, counted as `__unmatched__`) and calls `done` inside the
 * request context, so later hooks and the handler run in it. Body parsing resumes on stream events
 * that carry the socket's async context, so `preValidation` re-enters the context before the handler
 * (the approach of @fastify/request-context, which restores its store with an AsyncResource there).
 * `onError` records a thrown or rejected error once. `onReady` hands the server to `tw.attach`. With `security`,
 * `onResponse` turns a 401, 403 or 429 into a security event the route did not record itself.
 */
import type { Server } from 'node:http';
import type { FastifyInstance, FastifyPluginCallback } from 'fastify';
import { UNMATCHED_ROUTE } from '@tillwatch/spec';
import type { Tillwatch } from '../tillwatch.ts';
import type { SecurityEvents } from '../security/security-events.ts';
import { clientErrorStatus, emitStatusSecurityEvent, setRoute } from './shared.ts';

export interface TillwatchFastifyOptions {
  tw: Tillwatch;
  /**
   * From `createSecurityEvents(tw)` (`tillwatch/security`): a 401, 403 or 429 answer becomes a security event
   * (token failure, privilege escalation, rate limited) unless the route recorded one itself.
   */
  security?: SecurityEvents;
}

/** The management paths served on the main port: the metrics endpoint (when enabled) and the health probes. */
function managementPaths(tw: Tillwatch): string[] {
  const { metrics, healthSummary, probes } = tw.managementPaths;
  return [...(tw.options.metrics.enabled ? [metrics] : []), healthSummary, probes.live, probes.ready, probes.startup];
}

function plugin(fastify: FastifyInstance, opts: TillwatchFastifyOptions, done: (err?: Error) => void): void {
  const tw = opts.tw;
  const management = new Set<string>();

  if (tw.managementOnMainPort) {
    // Real routes rather than an onRequest short-circuit, so they show in printRoutes() and a user
    // route on the same path fails loudly at start-up instead of being silently shadowed.
    for (const path of managementPaths(tw)) {
      management.add(path);
      fastify.get(path, (request, reply) => {
        reply.hijack();
        if (!tw.handleManagement(request.raw, reply.raw)) {
          reply.raw.statusCode = 404;
          reply.raw.end();
        }
      });
    }
  }

  fastify.addHook('onRequest', (request, reply, next) => {
    const url = request.routeOptions.url;
    if (url !== undefined && management.has(url)) {
      next();
      return;
    }
    // The correlation-id headers go on the raw response (not reply.header): a route that hijacks the reply and
    // writes it itself (streams, server-sent events) still echoes them.
    const scope = tw.http.begin(request.raw, reply.raw);
    setRoute(scope, url ?? UNMATCHED_ROUTE);
    tw.http.run(scope, next);
  });

  // A request without a body reaches preValidation in the same synchronous chain, still inside the context
  // (run() then just calls next); one with a body resumes from the socket's stream events and re-enters it.
  fastify.addHook('preValidation', (request, _reply, next) => {
    const scope = tw.http.scopeOf(request.raw);
    if (scope) tw.http.run(scope, next);
    else next();
  });

  fastify.addHook('onError', (request, _reply, error, next) => {
    // A 4xx (validation, bad JSON) is the client's mistake, answered by Fastify; not a failure to log.
    if (clientErrorStatus(error) === undefined) tw.http.recordError(tw.http.scopeOf(request.raw), error);
    next();
  });

  const security = opts.security;
  if (security !== undefined) {
    fastify.addHook('onResponse', (request, reply, next) => {
      emitStatusSecurityEvent(security, request.raw, reply.statusCode, request.routeOptions.url ?? UNMATCHED_ROUTE);
      next();
    });
  }

  fastify.addHook('onReady', async () => {
    await tw.attach(fastify.server as Server);
  });

  done();
}

/**
 * Registers tillwatch on a Fastify 5 app. Not encapsulated (like a `fastify-plugin` plugin): its
 * hooks apply to every route, including routes in prefixed child plugins. Register it before your
 * routes. When /metrics and the health probes live on the main port they are added as GET routes.
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { createTillwatch } from 'tillwatch';
 * import { tillwatchFastify } from 'tillwatch/fastify';
 * const tw = createTillwatch({ service: { name: 'pos-api' } });
 * const app = Fastify();
 * await app.register(tillwatchFastify, { tw });
 * app.get('/orders/:id', async (request) => ({ id: (request.params as { id: string }).id }));
 * ```
 */
export const tillwatchFastify: FastifyPluginCallback<TillwatchFastifyOptions> = Object.assign(plugin, {
  // What fastify-plugin sets: skip encapsulation, name the plugin, declare the supported major.
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: 'tillwatch',
  [Symbol.for('plugin-meta')]: { name: 'tillwatch', fastify: '5.x' },
});

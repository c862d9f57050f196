/**
 * `tillwatch/express`: Express 5 middleware.
 *
 * Mount {@link tillwatchExpress} first and {@link tillwatchExpressErrors} last:
 * ```ts
 * app.use(tillwatchExpress(tw));
 * app.use('/stores/:storeId', storeRouter);
 * app.use(tillwatchExpressErrors(tw));
 * ```
 *
 * Route templates. Metrics need `/stores/:storeId/orders/:id`, never the concrete path (one series
 * per order id). Express 5 keeps no mount template: inside a mounted router `req.baseUrl` is the
 * concrete `/stores/12/orders` and `req.route.path` only the innermost `/:id`. OpenTelemetry's Express
 * instrumentation has the same problem and solves it by patching `Router.use`/`Router.route` so each
 * layer pushes its mount path on a per-request stack (`req.__ot_middlewares`) while the layer runs
 * and pops it when the layer calls `next` (open-telemetry/opentelemetry-js-contrib,
 * packages/instrumentation-express/src/instrumentation.ts and utils.ts `storeLayerPath`). We do the
 * same, narrowed to what a route template needs:
 *  - `Router.prototype.use` (the `router` package, which every Express 5 copy shares) is wrapped so
 *    that a mounted router (a function with a `stack`) or sub-app pushes its mount template on a
 *    per-request stack while the request is inside it, and pops it when it calls `next`;
 *  - `Route.prototype.dispatch` records `stack.join('') + route.path` on the request's scope when a
 *    route actually dispatches (path and method matched). The last route to dispatch wins.
 * NestJS registers full paths (global prefix + controller prefix + method path) as Express routes, so
 * the dispatch patch alone covers it.
 *
 * The patches are process-wide, installed once (guarded by a `Symbol.for` flag, so two copies of
 * tillwatch do not stack them) when this module is imported, and inert for requests tillwatch did not
 * begin. Routers mounted before this module was imported keep no mount template: import
 * `tillwatch/express` before the modules that build your routers.
 */
import type { IncomingMessage } from 'node:http';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import type { RequestScope } from '../http/http-instrumentation.ts';
import type { Tillwatch } from '../tillwatch.ts';
import type { SecurityEvents } from '../security/security-events.ts';
import { clientErrorStatus, emitStatusSecurityEvent, setRoute, writeErrorResponse } from './shared.ts';

export interface TillwatchExpressOptions {
  /**
   * From `createSecurityEvents(tw)` (`tillwatch/security`): a 401, 403 or 429 answer becomes a security event
   * (token failure, privilege escalation, rate limited) unless the route recorded one itself.
   */
  readonly security?: SecurityEvents;
}

/** The request's scope, for the dispatch patch (shared across tillwatch copies, like the patch flag). */
const kScope = Symbol.for('tillwatch.express.scope');
/** Mount templates of the routers the request is currently inside, outermost first. */
const kMounts = Symbol.for('tillwatch.express.mounts');
const kPatched = Symbol.for('tillwatch.express.patched');

type Mountable = IncomingMessage & { [kScope]?: RequestScope; [kMounts]?: string[] };
type Next = (err?: unknown) => void;
type Handle = ((...args: never[]) => unknown) & { stack?: unknown };

interface LayerLike {
  handle: Handle;
  handleRequest(req: Mountable, res: unknown, next: Next): unknown;
}
interface RouterLike {
  stack: LayerLike[];
  use(...args: unknown[]): unknown;
}
interface RouteLike {
  path: unknown;
  dispatch(req: Mountable, res: unknown, done: Next): unknown;
}

/** One path argument as text: a string as written, a RegExp as its literal, an array as `[a,b]`. */
function pathText(path: unknown): string {
  if (typeof path === 'string') return path;
  if (path instanceof RegExp) return String(path);
  if (Array.isArray(path)) {
    const parts = path.flat(Infinity).map(pathText);
    return parts.length === 1 ? (parts[0] as string) : `[${parts.join(',')}]`;
  }
  return String(path);
}

/** A mount path as a prefix: `/` adds nothing, a trailing slash is dropped (`/orders/` = `/orders`). */
function mountTemplate(path: unknown): string {
  const text = pathText(path);
  if (text === '/' || text === '') return '';
  return text.endsWith('/') && typeof path === 'string' ? text.slice(0, -1) : text;
}

/** Prefix + route path; a route at `/` inside a mounted router is the mount path itself. */
function joinRoute(mounts: readonly string[] | undefined, routePath: unknown): string {
  const prefix = mounts ? mounts.join('') : '';
  const path = pathText(routePath);
  if (prefix === '') return path === '' ? '/' : path;
  return path === '/' || path === '' ? prefix : prefix + path;
}

/** A router (has a layer `stack`) or an Express sub-app (wrapped by `app.use` as `mounted_app`). */
function isMountedRouter(fn: Handle): boolean {
  return Array.isArray(fn.stack) || fn.name === 'mounted_app';
}

/**
 * Installs the two routing patches once per process. Idempotent; called on import and by
 * {@link tillwatchExpress}.
 */
function patchExpressRouting(): void {
  const routerProto = express.Router.prototype as RouterLike & { [kPatched]?: true };
  const Route = (express as unknown as { Route?: { prototype: RouteLike & { [kPatched]?: true } } }).Route;
  if (!routerProto[kPatched]) {
    routerProto[kPatched] = true;
    const use = routerProto.use;
    routerProto.use = function tillwatchUse(this: RouterLike, ...args: unknown[]) {
      // Same argument rule as Router#use: a leading non-function (or array of them) is the path.
      let first: unknown = args[0];
      while (Array.isArray(first) && first.length !== 0) first = first[0];
      const template = typeof first === 'function' ? '' : mountTemplate(args[0]);
      const before = this.stack.length;
      const result = use.apply(this, args);
      if (template !== '') {
        for (let i = before; i < this.stack.length; i++) {
          const layer = this.stack[i];
          if (layer && isMountedRouter(layer.handle)) trackMount(layer, template);
        }
      }
      return result;
    };
  }
  if (Route && !Route.prototype[kPatched]) {
    Route.prototype[kPatched] = true;
    const dispatch = Route.prototype.dispatch;
    Route.prototype.dispatch = function tillwatchDispatch(this: RouteLike, req: Mountable, res: unknown, done: Next) {
      const scope = req[kScope];
      if (scope) setRoute(scope, joinRoute(req[kMounts], this.path));
      return dispatch.call(this, req, res, done);
    };
  }
}

/**
 * Pushes the mount template while the request is inside this layer's router; pops it when the router
 * hands the request back. The layer's own `handle` is left untouched, so `router.listRoutes()`,
 * `fn.length` (error-middleware arity) and other instrumentations still see the user's function.
 */
function trackMount(layer: LayerLike, template: string): void {
  layer.handleRequest = function tillwatchMountedRequest(this: LayerLike, req: Mountable, res: unknown, next: Next) {
    const mounts = (req[kMounts] ??= []);
    const depth = mounts.length;
    mounts.push(template);
    const proto = Object.getPrototypeOf(this) as LayerLike;
    return proto.handleRequest.call(this, req, res, (err?: unknown) => {
      mounts.length = depth;
      next(err);
    });
  };
}

patchExpressRouting();

/**
 * The first middleware of an Express 5 app: serves /metrics and the health probes when they live on
 * this port, begins the request (correlation id, X-Request-ID/X-Correlation-ID, RED metrics, access
 * log) and runs the rest of the chain inside the request context, so every log line written by a
 * handler, even after an `await`, carries the correlation id.
 * @param tw the tillwatch instance.
 * @example
 * ```ts
 * import express from 'express';
 * import { createTillwatch } from 'tillwatch';
 * import { tillwatchExpressErrors, tillwatchExpress } from 'tillwatch/express';
 * const tw = createTillwatch({ service: { name: 'pos-api' } });
 * const app = express();
 * app.use(tillwatchExpress(tw));
 * app.get('/orders/:id', (req, res) => { res.json({ id: req.params.id }); });
 * app.use(tillwatchExpressErrors(tw));
 * ```
 */
export function tillwatchExpress(tw: Tillwatch, options: TillwatchExpressOptions = {}): RequestHandler {
  patchExpressRouting();
  const security = options.security;
  return function tillwatchMiddleware(req, res, next) {
    if (tw.managementOnMainPort && tw.handleManagement(req, res)) return;
    const scope = tw.http.begin(req, res);
    (req as Mountable)[kScope] = scope;
    if (security !== undefined) res.once('finish', () => emitStatusSecurityEvent(security, req, res.statusCode, scope.route));
    tw.http.run(scope, next as () => void);
  };
}

/**
 * The last middleware of an Express 5 app: records a handler's error once (one `request failed`
 * line, the error-report hook) and answers it, so Express's final handler never prints the stack a
 * second time. An error carrying a 4xx `status`/`statusCode` (body-parser, http-errors) is a client
 * error: answered with that status and not logged as a failure. Anything else is a 500
 * `{ error: 'internal_error', correlation_id }`; the error's message never reaches the client.
 * @param tw the tillwatch instance.
 */
export function tillwatchExpressErrors(tw: Tillwatch): ErrorRequestHandler {
  // Four parameters: Express recognises error middleware by its arity.
  return function tillwatchErrorHandler(err: unknown, req, res, _next) {
    const scope = tw.http.scopeOf(req);
    const status = clientErrorStatus(err);
    if (status === undefined) tw.http.recordError(scope, err);
    writeErrorResponse(res, scope, status ?? 500, err);
  };
}
export { instrumentCors, instrumentRateLimit } from './express-protection.ts';

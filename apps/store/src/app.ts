/**
 * Builds the store's Fastify app: tillwatch first (correlation ids, RED metrics, access log, /metrics,
 * /health), then the error model, authentication, the core routes and the peripheral features.
 *
 * Nothing here listens or touches the database: start-up order lives in store.ts.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { tillwatchFastify } from 'tillwatch/fastify';
import { registerAuth } from './auth/auth-plugin.ts';
import { authRoutes } from './auth/auth-routes.ts';
import { catalogRoutes } from './catalog/catalog-routes.ts';
import { customerRoutes } from './customers/customer-routes.ts';
import { dlqRoutes } from './delivery/dlq-routes.ts';
import { auditRoutes } from './audit/audit-routes.ts';
import { consoleRoutes, type InProcessMonitoring } from './http/console.ts';
import type { StoreDeps } from './deps.ts';
import { registerFeatures, type FeatureName, type FeatureSelection } from './features/index.ts';
import { adminRoutes } from './http/admin-routes.ts';
import { privilegedChangeRoutes } from './http/privileged-changes.ts';
import { installErrorHandling } from './http/error-handling.ts';
import { refuseInvalidText } from './http/text-check.ts';
import { startupGate } from './http/startup-gate.ts';
import { orderRoutes } from './orders/order-routes.ts';
import { posStatic } from './http/pos-static.ts';
import { OrderService } from './orders/order-service.ts';
import { PaymentClient } from './payments/payment-client.ts';
import { PaymentReconciler } from './payments/payment-reconciler.ts';
import { ProductRepository } from './catalog/product-repository.ts';
import type { Startup } from './startup.ts';
import type { StoreTelemetry } from './telemetry.ts';
import { LoginThrottle } from './auth/login-throttle.ts';
import { registerHttpProtection } from './security/http-protection.ts';

export interface BuildAppOptions {
  /** Which peripheral features to register: all (default), none, or a list. */
  features?: FeatureSelection;
  /** Business routes answer 503 STORE_UNAVAILABLE until this says done (store.ts settles it). */
  startup: Pick<Startup, 'done'>;
  telemetry: StoreTelemetry;
  /** When set, the live console is served at /console. */
  monitoring?: InProcessMonitoring | undefined;
}

export interface StoreApp {
  readonly app: FastifyInstance;
  readonly features: readonly FeatureName[];
  readonly orders: OrderService;
  readonly products: ProductRepository;
  /** Settles payments with an unknown outcome; store.ts starts it once the schema is in place. */
  readonly reconciler: PaymentReconciler;
}

/** Builds the app (routes and features), without listening. */
export async function buildStoreApp(deps: StoreDeps, opts: BuildAppOptions): Promise<StoreApp> {
  const app = Fastify({
    logger: false, // tillwatch writes the request and error lines
    bodyLimit: deps.config.bodyLimitBytes,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // A bad URL or an over-long path parameter is answered by Fastify before routing, with the raw path in
    // the message: send it through the store's error handler instead (code, redacted message, counted).
    frameworkErrors: (error, _request, reply) => {
      answerFrameworkError(error, reply);
    },
  });
  // With `security`, a 401, 403 or 429 that no route recorded becomes a security event.
  await app.register(tillwatchFastify, { tw: deps.tw, security: deps.security });
  await registerHttpProtection(app, deps);
  // An empty body declared as JSON (a POST /orders/:id/complete from a client that always sends the
  // header) is "no body", not malformed JSON; anything else goes through Fastify's own parser, which
  // refuses __proto__ and constructor keys.
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (typeof body === 'string' && body.trim() === '') {
      done(null, undefined);
      return;
    }
    json(request, body as string, done);
  });
  const { telemetry } = opts;
  const answerFrameworkError = installErrorHandling(app, deps);
  refuseInvalidText(app);
  startupGate(app, opts.startup, deps);
  registerAuth(app, deps);

  const products = new ProductRepository(deps, telemetry);
  const payments = new PaymentClient({ baseUrl: deps.config.paymentProviderUrl, timeoutMs: deps.config.paymentTimeoutMs, fetch: deps.dependencies.get('payment_provider').fetch });
  // A pending attempt outlives its request only when the request is gone: authorise + capture, each bounded
  // by the payment timeout, plus a margin for the database writes around them.
  const reconciler = new PaymentReconciler(deps.db, payments, deps.logger, telemetry, {
    intervalMs: deps.config.paymentReconcileIntervalMs,
    staleAfterMs: 2 * deps.config.paymentTimeoutMs + 5000,
  });
  const orders = new OrderService(deps, products, payments, telemetry, reconciler);

  app.get('/', async () => ({
    service: 'tillwatch reference store',
    docs: 'docs/api.md',
    health: '/health/ready',
    metrics: '/metrics',
  }));
  // Every external dependency's last check: 503 when a required one (the payment provider) is down,
  // "degraded" when only optional ones are (docs/health.md).
  app.get(`${deps.tw.options.health.basePath}/external`, async (_request, reply) => {
    const r = deps.dependencies.report();
    return reply.code(r.httpStatus).header('cache-control', 'no-store').send(r.body);
  });
  const sec = deps.securityConfig;
  const throttle = new LoginThrottle({ perUser: sec.loginPerUser, perSource: sec.loginPerSource, global: sec.loginGlobal });
  await app.register(async (child) => authRoutes(child, deps, throttle));
  await app.register(async (child) => catalogRoutes(child, deps, products));
  await app.register(async (child) => customerRoutes(child, deps));
  await app.register(async (child) => orderRoutes(child, deps, orders));
  await app.register(async (child) => adminRoutes(child, deps));
  await app.register(async (child) => privilegedChangeRoutes(child, deps));
  await app.register(async (child) => dlqRoutes(child, deps));
  await app.register(async (child) => auditRoutes(child, deps));
  await app.register(async (child) => posStatic(child, deps));
  const { monitoring } = opts;
  if (monitoring) await app.register(async (child) => consoleRoutes(child, deps, monitoring));

  const features = await registerFeatures(app, deps, opts.features);
  return { app, features, orders, products, reconciler };
}

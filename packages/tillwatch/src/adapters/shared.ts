/**
 * The few things every adapter does the same way: record the matched route template, tell a client
 * error from a server failure, and answer a failed request without leaking the error.
 * Adapter-internal: not exported from the package.
 */
import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { UNMATCHED_ROUTE } from '@tillwatch/spec';
import type { RequestScope } from '../http/http-instrumentation.ts';
import type { SecurityEvents } from '../security/security-events.ts';

/** Sets the route template on the scope (metrics, access log), on the log context and on a sampled request's server span. */
export function setRoute(scope: RequestScope, route: string): void {
  scope.route = route;
  scope.ctx.route = route;
  if (scope.span !== undefined && route !== UNMATCHED_ROUTE) scope.span.setRoute(route);
}

/**
 * The 4xx status an error carries (`status` or `statusCode`, the http-errors/body-parser convention),
 * or undefined when it is not a client error. Anything else thrown by a handler is a 500.
 */
export function clientErrorStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { status?: unknown; statusCode?: unknown };
  const status = typeof e.status === 'number' ? e.status : e.statusCode;
  return typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 499 ? status : undefined;
}

/** `Bad Request` -> `bad_request`: a stable machine-readable error name for a status. */
function errorName(status: number): string {
  return (STATUS_CODES[status] ?? 'error').toLowerCase().replace(/[^a-z0-9]+/g, '_');
}

/**
 * Writes the JSON error body tillwatch adapters answer with when the framework has none:
 * `{ error: 'internal_error', correlation_id }` for a 500; for a 4xx the status name, plus the error's
 * message when the error marks it safe to show (`expose: true`, as http-errors does).
 * When headers are already out there is nothing honest left to send: an unfinished response is
 * destroyed so the client sees a truncated reply rather than a silently "complete" one.
 */
export function writeErrorResponse(res: ServerResponse, scope: RequestScope | undefined, status: number, error?: unknown): void {
  if (res.headersSent) {
    if (!res.writableEnded) res.destroy();
    return;
  }
  const body: Record<string, unknown> = { error: status >= 500 ? 'internal_error' : errorName(status) };
  if (status < 500 && typeof error === 'object' && error !== null) {
    const e = error as { expose?: unknown; message?: unknown };
    if (e.expose === true && typeof e.message === 'string') body.message = e.message;
  }
  if (scope) body.correlation_id = scope.ctx.correlationId;
  const payload = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(payload));
  res.end(payload);
}

/**
 * The security event a response status implies, when the route recorded none for the request: 401 a refused token
 * (`missing` without an Authorization header), 403 a privilege-escalation attempt, 429 a rate-limited client.
 */
export function emitStatusSecurityEvent(security: SecurityEvents | undefined, req: IncomingMessage, status: number, route: string | undefined): void {
  if (security === undefined || (status !== 401 && status !== 403 && status !== 429) || security.recordedFor(req)) return;
  if (status === 401) security.tokenFailure({ request: req, route, reason: req.headers.authorization === undefined ? 'missing' : 'invalid' });
  else if (status === 403) security.privilegeEscalation({ request: req, route });
  else security.rateLimited({ request: req, route });
}

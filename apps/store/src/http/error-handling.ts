/**
 * One error model for every route, features included:
 * `{ "error": { "code": "STORE_...", "message": "...", "correlation_id": "..." } }`.
 *
 * Fastify's own client errors (bad JSON, oversize body, wrong content type, schema validation) are
 * mapped to store codes here. Every 4xx is counted in `store_request_rejections_total{code}`. A 5xx
 * answers STORE_INTERNAL without the error's message (it may name tables or hosts); tillwatch's
 * Fastify plugin logs the error itself once, with the correlation id.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { StoreDeps } from '../deps.ts';
import { storeMetrics } from '../store-metrics.ts';
import { isDatabaseUnavailable } from '../db/db.ts';
import { STORE_ERROR_CODES } from './store-error-codes.ts';
import { isStoreError, StoreError } from './store-error.ts';

/** Body of every error answer. */
export interface ErrorBody {
  error: { code: string; message: string; correlation_id: string | undefined; details?: Record<string, unknown> };
}

/** Maps anything a handler or Fastify threw to a StoreError. */
function toStoreError(err: unknown): StoreError {
  if (isStoreError(err)) return err;
  if (isDatabaseUnavailable(err)) return new StoreError('STORE_DATABASE_UNAVAILABLE', undefined, { cause: err });
  const e = (err ?? {}) as { code?: unknown; statusCode?: unknown; validation?: unknown; message?: unknown; name?: unknown };
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new StoreError('STORE_BODY_TOO_LARGE');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new StoreError('STORE_UNSUPPORTED_MEDIA_TYPE');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new StoreError('STORE_MALFORMED_JSON', 'request body is empty but declared as JSON');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new StoreError('STORE_MALFORMED_JSON');
    // Fastify's messages for these quote the raw path: answered without it.
    case 'FST_ERR_BAD_URL':
      return new StoreError('STORE_BAD_REQUEST', 'the URL is not valid', { statusCode: 400 });
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new StoreError('STORE_BAD_REQUEST', 'a path parameter is too long', { statusCode: 414 });
  }
  if (e.statusCode === 400 && (e.name === 'SyntaxError' || err instanceof SyntaxError)) return new StoreError('STORE_MALFORMED_JSON');
  if (e.validation !== undefined) {
    return new StoreError('STORE_VALIDATION_FAILED', typeof e.message === 'string' ? e.message.slice(0, 300) : undefined);
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    if (e.statusCode === 404) return new StoreError('STORE_NOT_FOUND');
    return new StoreError('STORE_BAD_REQUEST', 'the request was rejected', { statusCode: e.statusCode });
  }
  return new StoreError('STORE_INTERNAL', undefined, { statusCode: 500, cause: err });
}

function correlationIdOf(reply: FastifyReply): string | undefined {
  const v = reply.raw.getHeader('x-correlation-id') ?? reply.raw.getHeader('x-request-id');
  return typeof v === 'string' ? v : undefined;
}

/**
 * Installs the error and not-found handlers on the root instance (child plugins inherit them).
 * @param onRejection called with the code of every 4xx answer (after it is counted); must not throw.
 * @returns the same answer for errors Fastify raises before routing (its `frameworkErrors` option).
 */
export function installErrorHandling(app: FastifyInstance, deps: StoreDeps, onRejection?: (code: string) => void): (error: unknown, reply: FastifyReply) => FastifyReply {
  const rejections = deps.tw.metrics.register(storeMetrics.metrics.store.rejections);
  const { redactor } = deps.tw;

  const send = (reply: FastifyReply, se: StoreError): FastifyReply => {
    if (se.statusCode < 500) {
      rejections.inc({ code: se.code });
      try {
        onRejection?.(se.code);
      } catch {
        // telemetry never breaks the answer
      }
    }
    // Messages and details are built from the store's own text, but they pass the redactor like any value
    // leaving the process: a feature that interpolates a client value cannot leak it raw.
    const body: ErrorBody = {
      error: {
        code: se.code,
        message: se.statusCode >= 500 && se.code === 'STORE_INTERNAL' ? STORE_ERROR_CODES.STORE_INTERNAL.message : redactor.string(se.message),
        correlation_id: correlationIdOf(reply),
        ...(se.details ? { details: redactor.value(se.details) as Record<string, unknown> } : {}),
      },
    };
    if (se.code === 'STORE_UNAVAILABLE' || se.code === 'STORE_DATABASE_UNAVAILABLE') reply.header('retry-after', '1');
    return reply.status(se.statusCode).type('application/json; charset=utf-8').send(body);
  };

  app.setErrorHandler((err: unknown, _request: FastifyRequest, reply: FastifyReply) => {
    // For a 5xx, Fastify's onError hook (tillwatch's plugin) sees the original error and logs it once.
    return send(reply, toStoreError(err));
  });

  const answer = (err: unknown, reply: FastifyReply): FastifyReply => send(reply, toStoreError(err));

  app.setNotFoundHandler((request, reply) => {
    // The method comes from a closed set (Node refuses unknown ones); the path is the client's text and is not echoed.
    return send(reply, new StoreError('STORE_NOT_FOUND', `no route for ${request.method} on this path`));
  });
  return answer;
}

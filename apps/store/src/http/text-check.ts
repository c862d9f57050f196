/**
 * Invalid text is refused at the door, for every route: a string (value or key) in the JSON body, the query
 * or the path parameters that holds a NUL character (U+0000) or an unpaired UTF-16 surrogate answers
 * `400 STORE_INVALID_TEXT` before any handler runs.
 *
 * Postgres cannot store either: a NUL in a text value fails the statement (SQLSTATE 22021), which
 * answered 500 on every route that stored or looked up the field; a lone surrogate is silently turned
 * into U+FFFD on the way to UTF-8, so what is stored is not what was sent. JSON allows both (`\u0000`,
 * `\ud800`). Other control characters are valid text and are kept; the logger escapes them.
 *
 * One hook on the root instance, no per-request allocation unless a string is bad; the walk is bounded
 * by the body limit and by {@link MAX_DEPTH}.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { StoreError } from './store-error.ts';

/** Deeper JSON is not walked further (the store's bodies are at most three levels deep). */
const MAX_DEPTH = 32;
/** A key that is safe to name in the error: a plain identifier. Anything else is written `?`. */
const NAMEABLE_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** A NUL, or a high surrogate not followed by a low one, or a low one not preceded by a high one. */
const INVALID_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function badText(s: string): boolean {
  return INVALID_TEXT.test(s);
}

/** The path of the first invalid string in `v` (`items[0].sku`), or undefined when all text is valid. */
function findInvalidText(v: unknown, path: string, depth: number): string | undefined {
  if (typeof v === 'string') return badText(v) ? path : undefined;
  if (typeof v !== 'object' || v === null || depth > MAX_DEPTH) return undefined;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const bad = findInvalidText(v[i], `${path}[${i}]`, depth + 1);
      if (bad !== undefined) return bad;
    }
    return undefined;
  }
  for (const key of Object.keys(v)) {
    const name = NAMEABLE_KEY.test(key) ? key : '?';
    const child = path === '' ? name : `${path}.${name}`;
    if (badText(key)) return child;
    const bad = findInvalidText((v as Record<string, unknown>)[key], child, depth + 1);
    if (bad !== undefined) return bad;
  }
  return undefined;
}

function checkRequestText(request: FastifyRequest): void {
  const where =
    findInvalidText(request.params, '', 0) ?? findInvalidText(request.query, '', 0) ?? findInvalidText(request.body, '', 0);
  if (where === undefined) return;
  const field = where === '' ? 'body' : where;
  throw new StoreError('STORE_INVALID_TEXT', `${field}: text must not contain a NUL character or an unpaired surrogate`, { details: { field } });
}

async function invalidTextHook(request: FastifyRequest): Promise<void> {
  checkRequestText(request);
}

/** Installs the check on the root instance (child plugins and features inherit it). */
export function refuseInvalidText(app: FastifyInstance): void {
  app.addHook('preValidation', invalidTextHook);
}

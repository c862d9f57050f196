/**
 * Scrubbing of Sentry events, transactions and breadcrumbs with the shared redactor, in the process,
 * before anything is queued for sending. Server-side scrubbing in Sentry is too late for PCI DSS:
 * cardholder data must not leave the cardholder-data environment at all (requirement 3.3.1 forbids
 * storing the card verification code after authorisation, anywhere).
 *
 * What goes: every key the redactor treats as sensitive, at any depth (Authorization, Cookie,
 * cvv, cardNumber, password, token, ...), card numbers and `key=value` secrets inside any string
 * (messages, URLs, query strings, stack frames, breadcrumb messages), and every user field but `id`.
 */
import type { Redactor } from './redactor.ts';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Sentry keeps a request's query string either as text or as `[key, value]` pairs; pairs would hide
 * `cvv=123` from the text scrubber, and an object hides it from nobody but is normalised too. Both
 * become text, which the redactor's `key=value` rule then scrubs.
 */
function queryStringAsText(q: unknown): unknown {
  try {
    if (Array.isArray(q)) return new URLSearchParams(q.filter((p): p is [string, string] => Array.isArray(p) && p.length === 2).map(([k, v]): [string, string] => [String(k), String(v)])).toString();
    if (isObject(q)) return new URLSearchParams(Object.entries(q).map(([k, v]): [string, string] => [k, String(v)])).toString();
  } catch {
    return '[Unserializable]';
  }
  return q;
}

/** Keeps the user's id, as a string, and nothing else: no email, username or IP address. */
function userIdOnly(user: unknown): Json | undefined {
  if (!isObject(user)) return undefined;
  const id = user.id;
  return typeof id === 'string' || typeof id === 'number' ? { id: String(id) } : undefined;
}

/**
 * Returns a scrubbed deep copy of a Sentry event or transaction. Never throws: if the event cannot be
 * copied at all, it is dropped (null), because sending an unscrubbed event is the one unacceptable outcome.
 */
export function scrubSentryEvent<T extends object>(redactor: Redactor, event: T): T | null {
  try {
    const e = event as Json;
    const request = e.request;
    const source = isObject(request) && 'query_string' in request ? { ...e, request: { ...request, query_string: queryStringAsText(request.query_string) } } : e;
    const copy = redactor.value(source);
    if (!isObject(copy)) return null;
    const user = userIdOnly(copy.user);
    if (user === undefined) delete copy.user;
    else copy.user = user;
    return copy as T;
  } catch {
    return null;
  }
}

/** Returns a scrubbed copy of a breadcrumb (message, URL, data), or null to drop it. Never throws. */
export function scrubBreadcrumb<T extends object>(redactor: Redactor, crumb: T): T | null {
  try {
    const copy = redactor.value(crumb);
    return isObject(copy) ? (copy as T) : null;
  } catch {
    return null;
  }
}

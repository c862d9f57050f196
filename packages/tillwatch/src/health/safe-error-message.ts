/**
 * Turns whatever a health check threw into one short line that is safe to put in a probe body
 * and a log line: no stack trace, no credentials, no query strings.
 *
 * Probe bodies are often reachable by anyone who can reach the pod (kubelet, load balancers,
 * curious colleagues), and drivers happily echo the connection string they were given,
 * e.g. `password authentication failed ... postgres://app:s3cret@db/pos`. So every message passes
 * through {@link scrubCredentials} first and then through the caller's scrub (the log redactor).
 */

/** Longest message kept; the rest is cut. Enough for any driver error, short enough for a probe body. */
export const MAX_MESSAGE_LENGTH = 300;

const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#]*@/gi;
const URL_QUERY = /\b([a-z][a-z0-9+.-]*:\/\/[^\s?#]*)\?[^\s#]*/gi;
const KEY_VALUE_SECRET = /\b((?:[a-z0-9]+[_-])?(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|auth))(["']?\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s&;,]+)/gi;
const BEARER = /\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{6,}/gi;

/**
 * Removes the credential-shaped parts of a string: URL user-info (`scheme://user:pass@` becomes
 * `scheme://***@`), URL query strings, `password=...`-style pairs (libpq keyword strings, JDBC-like
 * options) and bearer/basic tokens. Pure and idempotent.
 */
export function scrubCredentials(text: string): string {
  return text
    .replace(URL_USERINFO, '$1***@')
    .replace(URL_QUERY, '$1?***')
    .replace(KEY_VALUE_SECRET, '$1$2***')
    .replace(BEARER, '$1 ***');
}

/**
 * One-line, secret-free description of a thrown value.
 *
 * Follows `cause` a few levels because wrappers hide the useful part: global fetch throws
 * `TypeError('fetch failed')` with the `ECONNREFUSED` in its cause. An `AggregateError` with an empty
 * message (what `net` throws when every address of `localhost` refuses) is described by its first error.
 * @param scrub applied after {@link scrubCredentials}; if it throws, the message is withheld.
 */
export function safeErrorMessage(error: unknown, scrub?: (s: string) => string): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current !== undefined && current !== null; depth++) {
    const text = describeOne(current);
    if (text !== '' && !parts.includes(text)) parts.push(text);
    current = current instanceof Error ? current.cause : undefined;
  }
  let message = scrubCredentials(cutBeforeScrub(parts.join(': ') || 'check failed without a message'));
  if (scrub !== undefined) {
    try {
      message = scrub(message);
    } catch {
      return 'error message withheld: the scrub function threw';
    }
  }
  return message.length > MAX_MESSAGE_LENGTH ? `${message.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : message;
}

function describeOne(value: unknown): string {
  if (typeof value === 'string') return firstLine(value);
  if (!(value instanceof Error)) {
    return typeof value === 'object' ? 'a non-Error object was thrown' : `${typeof value} thrown: ${firstLine(String(value))}`;
  }
  let message = firstLine(value.message);
  if (message === '' && value instanceof AggregateError && value.errors.length > 0) message = describeOne(value.errors[0]);
  const code = (value as { code?: unknown }).code;
  if (message === '' && typeof code === 'string') message = code;
  return message === '' ? value.name : message;
}

/**
 * Cuts a long message before the regexes see it, so a megabyte-long message costs no more than a short
 * one. The last, possibly half-cut word is dropped too: half a URL no longer looks like a URL to the scrubber.
 */
function cutBeforeScrub(text: string): string {
  const limit = 4 * MAX_MESSAGE_LENGTH;
  if (text.length <= limit) return text;
  const cut = text.slice(0, limit);
  return `${cut.slice(0, Math.max(0, cut.lastIndexOf(' ')))} …`;
}

/** Only the first non-empty line: some libraries put a stack or a query dump after it. */
function firstLine(text: string): string {
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed !== '') return trimmed;
  }
  return '';
}

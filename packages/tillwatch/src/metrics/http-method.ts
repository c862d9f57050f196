/**
 * The `method` label of the HTTP RED metrics. Methods are client-controlled (`FOO /` is a valid request line),
 * so they are mapped onto a bounded set: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, else `other`.
 */
export type HttpMethodLabel = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS' | 'other';

/** Maps a request method onto {@link HttpMethodLabel}; case-insensitive (node:http already upper-cases known methods). */
export function normalizeHttpMethod(method: unknown): HttpMethodLabel {
  switch (method) {
    case 'GET':
    case 'HEAD':
    case 'POST':
    case 'PUT':
    case 'PATCH':
    case 'DELETE':
    case 'OPTIONS':
      return method;
    default:
      // Only short strings are upper-cased: a hostile 1 MB method costs nothing.
      return typeof method === 'string' && method.length <= 7 && method !== method.toUpperCase()
        ? normalizeHttpMethod(method.toUpperCase())
        : 'other';
  }
}

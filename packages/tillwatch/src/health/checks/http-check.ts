import { TillwatchConfigError } from '@tillwatch/spec';
import type { HealthCheck } from '../health-check.ts';
import { commonFields, type CommonCheckOptions } from './check-options.ts';

export interface HttpCheckOptions extends CommonCheckOptions {
  name: string;
  /** http(s) URL. User-info (`https://user:pass@host/`) is sent as Basic auth and never shown. */
  url: string;
  /** Accepted status(es). Default: any 2xx. Redirects are not followed, so a 3xx fails unless listed. */
  expectStatus?: number | readonly number[];
  /** Extra request headers (e.g. an API key); never shown in messages. */
  headers?: Record<string, string>;
}

/**
 * Checks an HTTP dependency (payment gateway, tax service, an internal API) with a GET through the
 * global fetch, aborted when the probe times out.
 *
 * Error messages name the target as origin + path only: query strings and credentials in the URL
 * (`?apiKey=…`, `user:pass@`) never reach probe bodies or logs. Redirects are not followed: a health
 * endpoint that redirects to a login page is not healthy.
 * @throws TillwatchConfigError (start-up) when `url` is not an http(s) URL or `expectStatus` is not a status code.
 * @example
 * ```ts
 * health.add(httpCheck({ name: 'tax-service', url: process.env.TAX_URL + '/health', required: false }));
 * ```
 */
export function httpCheck(opts: HttpCheckOptions): HealthCheck {
  const { target, label, headers } = prepareTarget(opts);
  const accepts = statusMatcher(opts);
  return {
    name: opts.name,
    ...commonFields(opts),
    async run(signal) {
      let res: Response;
      try {
        res = await fetch(target, { method: 'GET', headers, signal, redirect: 'manual' });
      } catch (error) {
        throw new Error(`GET ${label} failed`, { cause: error });
      }
      // Release the connection; a health endpoint's body is not needed.
      await res.body?.cancel().catch(() => {});
      if (!accepts(res.status)) throw new Error(`GET ${label} answered ${res.status}, expected ${describeExpected(opts.expectStatus)}`);
      return { status_code: res.status };
    },
  };
}

function prepareTarget(opts: HttpCheckOptions): { target: string; label: string; headers: Record<string, string> } {
  let url: URL;
  try {
    url = new URL(opts.url);
  } catch {
    url = new URL('invalid:');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    // The URL itself is not echoed: it may carry credentials.
    throw new TillwatchConfigError([
      { option: `httpCheck ${JSON.stringify(opts.name)}.url`, expected: 'an absolute http(s) URL', got: `a string of ${String(opts.url).length} characters`, code: 'TW_ERR_HEALTH_INVALID_CHECK' },
    ]);
  }
  const headers: Record<string, string> = { ...opts.headers };
  if (url.username !== '' || url.password !== '') {
    // fetch rejects URLs with credentials; send them the way a browser would.
    const user = decodeURIComponent(url.username);
    const pass = decodeURIComponent(url.password);
    headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    url.username = '';
    url.password = '';
  }
  return { target: url.href, label: `${url.origin}${url.pathname}`, headers };
}

function statusMatcher(opts: HttpCheckOptions): (status: number) => boolean {
  const e = opts.expectStatus;
  if (e === undefined) return (s) => s >= 200 && s < 300;
  const list: readonly number[] = typeof e === 'number' ? [e] : e;
  if (list.length === 0 || list.some((s) => !Number.isInteger(s) || s < 100 || s > 599)) {
    throw new TillwatchConfigError([
      { option: `httpCheck ${JSON.stringify(opts.name)}.expectStatus`, expected: 'an HTTP status code (100-599) or a non-empty list of them', got: JSON.stringify(e), code: 'TW_ERR_HEALTH_INVALID_CHECK' },
    ]);
  }
  const set = new Set(list);
  return (s) => set.has(s);
}

function describeExpected(e: HttpCheckOptions['expectStatus']): string {
  if (e === undefined) return '2xx';
  return typeof e === 'number' ? String(e) : e.join(' or ');
}

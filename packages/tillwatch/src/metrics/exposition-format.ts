/**
 * Choosing the exposition format from a scraper's Accept header.
 *
 * Prometheus 2.x and later scrape with
 * `application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*\/*;q=0.1`
 * so it gets OpenMetrics (and with it exemplars); curl, browsers and older scrapers get the Prometheus text format.
 */
import { Registry } from 'prom-client';

export type ExpositionFormat = 'prometheus' | 'openmetrics';

/** `text/plain; version=0.0.4; charset=utf-8` */
export const PROMETHEUS_CONTENT_TYPE: string = Registry.PROMETHEUS_CONTENT_TYPE;
/** `application/openmetrics-text; version=1.0.0; charset=utf-8` */
export const OPENMETRICS_CONTENT_TYPE: string = Registry.OPENMETRICS_CONTENT_TYPE;

/** Accept headers longer than this are not parsed (they are not from a scraper); the default format is served. */
const MAX_ACCEPT_LENGTH = 2048;

/**
 * OpenMetrics when the Accept header ranks `application/openmetrics-text` (version 1.0.0 or unversioned) at
 * least as high as anything that admits the Prometheus text format (`text/plain`, `text/*`, `*\/*`);
 * otherwise, including for a missing or unparsable header, the Prometheus text format 0.0.4.
 * OpenMetrics 0.0.1 ranges are not matched: the 1.0.0 output is what prom-client writes.
 */
export function negotiateExpositionFormat(accept: string | undefined): ExpositionFormat {
  if (accept === undefined || accept === '' || accept.length > MAX_ACCEPT_LENGTH) return 'prometheus';
  let openMetrics = 0;
  let text = 0;
  for (const range of accept.split(',')) {
    const [media = '', ...params] = range.split(';');
    const type = media.trim().toLowerCase();
    let q = 1;
    let version: string | undefined;
    for (const p of params) {
      const eq = p.indexOf('=');
      if (eq === -1) continue;
      const key = p.slice(0, eq).trim().toLowerCase();
      const value = p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
      if (key === 'q') {
        const n = Number(value);
        q = Number.isFinite(n) ? Math.min(Math.max(n, 0), 1) : 0;
      } else if (key === 'version') {
        version = value;
      }
    }
    if (type === 'application/openmetrics-text') {
      if (version === undefined || version === '1.0.0') openMetrics = Math.max(openMetrics, q);
    } else if (type === 'text/plain' || type === 'text/*' || type === '*/*') {
      text = Math.max(text, q);
    }
  }
  return openMetrics > 0 && openMetrics >= text ? 'openmetrics' : 'prometheus';
}

/** The Content-Type header value of a format. */
export function contentTypeOf(format: ExpositionFormat): string {
  return format === 'openmetrics' ? OPENMETRICS_CONTENT_TYPE : PROMETHEUS_CONTENT_TYPE;
}

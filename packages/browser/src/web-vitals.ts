/**
 * Web Vitals (https://web.dev/articles/vitals) from Google's `web-vitals` package, reported as
 * breadcrumbs (category `web-vital`) and in a `web_vitals` context, so the report of a UI error says
 * how the page was performing. Each metric is reported when its value is final or the page is hidden,
 * as the package documents; INP and CLS may therefore arrive late or not at all in a short session.
 */
import { onCLS, onFCP, onINP, onLCP, onTTFB, type Metric } from 'web-vitals';
import type { ReportingHub } from './reporting-hub.ts';

/** One reported metric, as kept in the `web_vitals` context. */
export interface WebVitalReading {
  readonly value: number;
  readonly rating: Metric['rating'];
  /** `millisecond`, or empty for CLS (a unitless score). */
  readonly unit: string;
}

/**
 * Starts reporting LCP, INP, CLS, FCP and TTFB.
 *
 * @param hub where readings go (`@sentry/browser` in `init()`).
 * @param onReading also called with each reading (for a page's own display or tests).
 */
export function reportWebVitals(hub: ReportingHub, onReading?: (name: Metric['name'], r: WebVitalReading) => void): void {
  const readings: Record<string, WebVitalReading> = {};
  const handle = (m: Metric): void => {
    try {
      const reading: WebVitalReading = { value: Math.round(m.value * 1000) / 1000, rating: m.rating, unit: m.name === 'CLS' ? '' : 'millisecond' };
      readings[m.name] = reading;
      hub.setContext('web_vitals', { ...readings });
      hub.addBreadcrumb({
        category: 'web-vital',
        level: m.rating === 'poor' ? 'warning' : 'info',
        message: `${m.name} ${reading.value}${reading.unit === '' ? '' : ' ms'} (${m.rating})`,
        data: { name: m.name, value: reading.value, rating: m.rating, navigation_type: m.navigationType },
      });
      onReading?.(m.name, reading);
    } catch {
      // telemetry must never break the page
    }
  };
  for (const on of [onLCP, onINP, onCLS, onFCP, onTTFB]) {
    try {
      on(handle);
    } catch {
      // an unsupported browser API: that metric is simply absent
    }
  }
}

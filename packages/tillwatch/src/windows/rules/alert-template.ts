/**
 * The part of Prometheus' alert templating that generated annotations use: `{{ $labels.name }}`, `{{ $value }}`
 * and the `humanize`, `humanizePercentage` and `printf "%.2f"` pipes. Anything else is left as written, so a
 * notification never fails on a template. Hand-written: Go's text/template has no maintained Node port, and
 * this subset is a regular expression.
 */
import type { Labels } from '../series-windows.ts';

function humanize(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return String(v);
  const units = ['', 'k', 'M', 'G', 'T', 'P'];
  let i = 0;
  let x = Math.abs(v);
  while (x >= 1000 && i < units.length - 1) {
    x /= 1000;
    i += 1;
  }
  return `${v < 0 ? '-' : ''}${Number(x.toPrecision(4))}${units[i]}`;
}

function pipe(value: number, fn: string): string | undefined {
  const f = fn.trim();
  if (f === 'humanizePercentage') return `${Number((value * 100).toPrecision(4))}%`;
  if (f === 'humanize') return humanize(value);
  const printf = /^printf\s+"%\.(\d)f"$/.exec(f);
  if (printf) return value.toFixed(Number(printf[1]));
  return undefined;
}

/** Expands `text` for one alert instance. */
export function expandAlertTemplate(text: string, labels: Labels, value: number): string {
  return text.replace(/\{\{\s*([^}]*?)\s*\}\}/g, (whole, inner: string) => {
    const [head, ...pipes] = inner.split('|');
    const h = head!.trim();
    if (h.startsWith('$labels.')) return pipes.length === 0 ? (labels[h.slice(8)] ?? '') : whole;
    if (h === '$value') {
      if (pipes.length === 0) return String(value);
      return pipes.length === 1 ? (pipe(value, pipes[0]!) ?? whole) : whole;
    }
    return whole;
  });
}

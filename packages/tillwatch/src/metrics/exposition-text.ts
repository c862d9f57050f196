/**
 * The text pieces of an exposition line, written exactly as prom-client 15 writes them (lib/registry.js and
 * lib/util.js), so a series rendered from tillwatch's own storage reads byte for byte like one rendered by
 * prom-client. Hand-written because prom-client keeps these helpers private.
 */

/** prom-client's `escapeString`: backslash and newline, for names, help texts and (with quotes) label values. */
export function escapeText(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** prom-client's `escapeLabelValue`: non-strings (bucket bounds, numeric default labels) are written as they are. */
function escapeLabelValue(v: unknown): unknown {
  return typeof v === 'string' ? escapeText(v).replace(/"/g, '\\"') : v;
}

/** `k="v"` pairs joined by commas, in the object's key order, skipping the keys `exclude` has. */
export function formatLabelPairs(labels: Readonly<Record<string, unknown>>, exclude?: ReadonlySet<string>): string {
  let out = '';
  for (const name in labels) {
    if (exclude !== undefined && exclude.has(name)) continue;
    if (out !== '') out += ',';
    out += `${name}="${String(escapeLabelValue(labels[name]))}"`;
  }
  return out;
}

/** prom-client's `getValueAsString`. */
export function sampleValue(value: number): string {
  if (Number.isNaN(value)) return 'Nan';
  if (!Number.isFinite(value)) return value < 0 ? '-Inf' : '+Inf';
  return `${value}`;
}

/** `{a,b}` of the non-empty parts, or '' when both are empty. */
export function braces(a: string, b: string): string {
  if (a === '') return b === '' ? '' : `{${b}}`;
  return b === '' ? `{${a}}` : `{${a},${b}}`;
}

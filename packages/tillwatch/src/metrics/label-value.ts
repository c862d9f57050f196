/**
 * Turning whatever request code passes as a label value into something safe to export.
 * Runs once per new label set (the result is cached by the series guard), never per observation.
 */
import { REDACTION_FAILED_LABEL_VALUE } from '@tillwatch/spec';

// C0 and C1 control characters, DEL, and the Unicode line/paragraph separators: none belongs in a label,
// and several break line-oriented tools downstream even when the exposition escapes them.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Characters kept beyond the limit while redacting, so a card number straddling the cut is still seen whole
 * by the redactor (a PAN with separators is at most 23 characters), while a 10 KB value costs no more than a short one.
 */
const REDACT_MARGIN = 32;

/**
 * Sanitises one label value: converts it to a string, masks secrets with `redact`, replaces control characters
 * and lone surrogates with U+FFFD, and truncates to `maxLength` UTF-16 code units without splitting a pair.
 *
 * @param raw A string, number, boolean or bigint; `undefined` and `null` become the empty string (which
 *   Prometheus treats as an absent label).
 * @returns The exported value, or `undefined` when `raw` has a type that cannot be a label value (object, symbol, function).
 */
export function sanitizeLabelValue(raw: unknown, maxLength: number, redact: ((v: string) => string) | undefined): string | undefined {
  let s: string;
  switch (typeof raw) {
    case 'string':
      s = raw;
      break;
    case 'number':
    case 'boolean':
    case 'bigint':
      s = String(raw);
      break;
    case 'undefined':
      return '';
    default:
      if (raw === null) return '';
      return undefined;
  }
  if (s.length > maxLength + REDACT_MARGIN) s = s.slice(0, maxLength + REDACT_MARGIN);
  if (redact !== undefined) {
    try {
      const r: unknown = redact(s);
      if (typeof r !== 'string') return REDACTION_FAILED_LABEL_VALUE;
      s = r;
    } catch {
      return REDACTION_FAILED_LABEL_VALUE;
    }
  }
  s = s.replace(CONTROL, '\ufffd').replace(LONE_SURROGATE, '\ufffd');
  if (s.length > maxLength) {
    let end = maxLength;
    const last = s.charCodeAt(end - 1);
    if (last >= 0xd800 && last <= 0xdbff) end -= 1; // do not keep half of a surrogate pair
    s = s.slice(0, end);
  }
  return s;
}

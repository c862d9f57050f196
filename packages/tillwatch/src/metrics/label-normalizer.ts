/**
 * Turns what business code passes into bounded label values. Closed sets stay closed: an unknown value
 * records as `other` instead of throwing or adding a series. Open labels are left to the runtime's
 * cardinality guard and sanitiser; here they only get a value for "not given".
 */
import { OTHER_LABEL_VALUE, UNKNOWN_LABEL_VALUE, isClosedLabel, type ClosedLabelSpec, type LabelSpec } from '@tillwatch/spec';

/** A label value parameter: the known values autocomplete, any string is accepted. */
export type LabelInput<V extends string> = V | (string & {});

/**
 * A function mapping raw input onto a closed set. Exact matches cost one Set lookup; otherwise the value
 * is lower-cased and spaces and dashes become underscores ("Mobile Wallet" -> mobile_wallet) before it
 * falls back to `other`.
 */
export function closedNormalizer(label: ClosedLabelSpec): (raw: unknown) => string {
  const values = new Set(label.values);
  return (raw) => {
    if (typeof raw === 'string') {
      if (values.has(raw)) return raw;
      const folded = raw.trim().toLowerCase().replace(/[\s-]+/g, '_');
      if (values.has(folded)) return folded;
    }
    return OTHER_LABEL_VALUE;
  };
}

/** An open label's value: the string given, or `unknown` when nothing usable was passed. */
export function openValue(raw: unknown): string {
  if (typeof raw === 'string') {
    const s = raw.trim();
    return s === '' ? UNKNOWN_LABEL_VALUE : s;
  }
  if (typeof raw === 'number' && Number.isFinite(raw)) return String(raw);
  if (typeof raw === 'boolean') return raw ? 'on' : 'off';
  return UNKNOWN_LABEL_VALUE;
}

const ISO_4217 = /^[A-Z]{3}$/;

/** An ISO 4217 code in upper case, or `other` when the input is not three letters. */
export function currencyCode(raw: unknown): string {
  if (typeof raw !== 'string') return OTHER_LABEL_VALUE;
  const code = raw.trim().toUpperCase();
  return ISO_4217.test(code) ? code : OTHER_LABEL_VALUE;
}

/**
 * What the cardinality guard applies to a sanitised value of a declared label, when a label set is first
 * seen: a closed label folds anything outside its set into `other`; an open label records `unknown` when no
 * value was given.
 */
export function labelNormalizer(label: LabelSpec): (sanitised: string) => string {
  if (isClosedLabel(label)) return closedNormalizer(label);
  return (v) => (v === '' ? UNKNOWN_LABEL_VALUE : v);
}

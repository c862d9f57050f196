/**
 * How a metric declares a label. Every label is bounded, and the type says how:
 * a closed set of values (anything else records as `other`), or an open value with a written reason why it
 * stays bounded and a maximum that counts toward the metric's worst-case series.
 *
 * Why it matters: every distinct label set is a time series held in memory here and in Prometheus. One
 * label fed with an order id, a SKU or a client IP multiplies series without limit.
 */

/** A label whose values come from a fixed list; unknown values record as `other` (never throw, never grow). */
export interface ClosedLabelSpec {
  /** What the label means, one sentence. */
  readonly doc: string;
  /** The allowed values, without `other` (always implicit). */
  readonly values: readonly string[];
  readonly bounded?: never;
  readonly maxValues?: never;
}

/** A label whose values are not known in advance but are bounded by how the business is set up. */
export interface OpenLabelSpec {
  readonly doc: string;
  readonly values?: never;
  /** Why the value set stays small, e.g. "locations are configured, at most 500". */
  readonly bounded: string;
  /** Largest number of distinct values expected; the product over labels is the metric's worst-case series. */
  readonly maxValues: number;
}

export type LabelSpec = ClosedLabelSpec | OpenLabelSpec;

/** True for a closed-set label. */
export function isClosedLabel(label: LabelSpec): label is ClosedLabelSpec {
  return Array.isArray(label.values);
}

/**
 * A closed-set label.
 * @example
 * const channel = closedLabel('How the order reached the business.', ['in_store', 'online']);
 */
export function closedLabel(doc: string, values: readonly string[]): ClosedLabelSpec {
  return Object.freeze({ doc, values });
}

/**
 * An open label, bounded by configuration rather than by a list.
 * @example
 * const location = openLabel('Store or branch id.', 'locations are configured, at most 500', 500);
 */
export function openLabel(doc: string, bounded: string, maxValues: number): OpenLabelSpec {
  return Object.freeze({ doc, bounded, maxValues });
}

/** Distinct values a label can take, counting the implicit `other` of a closed set. */
export function labelCardinality(label: LabelSpec): number {
  return isClosedLabel(label) ? label.values.length + 1 : label.maxValues;
}

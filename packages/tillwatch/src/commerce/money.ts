/**
 * Money conversion for the revenue counters. Business code keeps money as integer minor units (cents),
 * which is exact; the metrics export major units (12.34), which is what a person reads on a dashboard and
 * what PromQL averages come out in. The number of decimals is per currency (ISO 4217 minor unit).
 */

/**
 * Currencies whose minor unit is not 1/100 of the major unit (ISO 4217, "minor unit" column).
 * Every other code, including unknown ones, converts with 2 decimals.
 */
const MINOR_UNIT_EXPONENTS: Readonly<Record<string, number>> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0,
  UGX: 0, UYI: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
  CLF: 4, UYW: 4,
};

/** Decimals of a currency's minor unit. */
export function minorUnitExponent(currency: string): number {
  return MINOR_UNIT_EXPONENTS[currency] ?? 2;
}

/**
 * Converts an amount in minor units to major units: 1299 USD cents -> 12.99, 1299 JPY -> 1299.
 * Invalid input (NaN, non-numbers) passes through as NaN, so the runtime counts it as an invalid
 * observation instead of recording a wrong amount.
 */
export function minorToMajor(amountMinor: number, currency: string): number {
  if (typeof amountMinor !== 'number') return Number.NaN;
  const exp = minorUnitExponent(currency);
  return exp === 0 ? amountMinor : amountMinor / 10 ** exp;
}

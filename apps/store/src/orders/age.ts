/**
 * Age verification: what the law asks a liquor store to record, and nothing more. The date of birth
 * and the ID number are used to compute a result and an age bracket, then dropped: the database keeps
 * the result, the method, the bracket and (for ID scans) a keyed hash of the document number, so a
 * reused or shared ID shows up without the number itself being kept.
 */
import { createHash, createHmac } from 'node:crypto';
import type { AgeMethod, AgeResult } from '../telemetry.ts';
import type { AgeVerificationMethod } from './order-types.ts';

/** The legal purchase age for alcohol (US). */
export const LEGAL_AGE = 21;

export type AgeBracket = 'under_18' | '18_20' | '21_24' | '25_plus' | 'unknown';

/** Whole years between `dob` and `today` (UTC dates). */
export function ageOn(dob: Date, today: Date): number {
  let age = today.getUTCFullYear() - dob.getUTCFullYear();
  const m = today.getUTCMonth() - dob.getUTCMonth();
  if (m < 0 || (m === 0 && today.getUTCDate() < dob.getUTCDate())) age--;
  return age;
}

export function bracketOf(age: number): AgeBracket {
  if (age < 18) return 'under_18';
  if (age < 21) return '18_20';
  if (age < 25) return '21_24';
  return '25_plus';
}

/** Parses a `YYYY-MM-DD` calendar date; undefined when it is not a real date. */
export function parseDob(s: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return undefined;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  if (d.getUTCFullYear() !== Number(m[1]) || d.getUTCMonth() !== Number(m[2]) - 1 || d.getUTCDate() !== Number(m[3])) return undefined;
  return d;
}

/** The catalogue's method names for the store's methods. */
export const METHOD_LABEL: Record<AgeVerificationMethod, AgeMethod> = {
  id_scan: 'id_scan',
  manual_dob: 'manual_id_check',
  visual: 'facial_estimation',
};

/** The catalogue's result for a check. */
export function resultLabel(pass: boolean, method: AgeVerificationMethod): AgeResult {
  if (pass) return 'passed';
  return method === 'visual' ? 'no_id' : 'underage';
}

/** HMAC-SHA256 of a normalised document number under a key derived from the server secret. */
export function subjectHash(idNumber: string, serverSecret: string): string {
  const key = createHash('sha256').update(`tillwatch-store/age-verification/v1:${serverSecret}`).digest();
  return createHmac('sha256', key).update(idNumber.replace(/[\s-]/g, '').toUpperCase()).digest('hex');
}

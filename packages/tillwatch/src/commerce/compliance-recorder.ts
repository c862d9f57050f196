/** `commerce.compliance`: age verifications. Only the outcome and method: never a date of birth or an ID number. */
import { type AgeVerificationMethod, type AgeVerificationResult, catalogue } from '@tillwatch/spec';
import { closedNormalizer, openValue, type LabelInput } from '../metrics/label-normalizer.ts';
import { neverThrow } from './never-throw.ts';
import type { RecorderContext } from './recorder-context.ts';

export interface AgeVerification {
  readonly location: string;
  readonly result: LabelInput<AgeVerificationResult>;
  readonly method: LabelInput<AgeVerificationMethod>;
}

export interface ComplianceRecorder {
  /** An age check was performed for a restricted sale. Never throws. */
  ageVerification(event: AgeVerification): void;
}

export function createComplianceRecorder(ctx: RecorderContext): ComplianceRecorder {
  const spec = catalogue.metrics.compliance.ageVerifications;
  const counter = ctx.metrics.register(spec);
  const resultOf = closedNormalizer(spec.labels.result);
  const methodOf = closedNormalizer(spec.labels.method);
  return {
    ageVerification: neverThrow((e: AgeVerification) => {
      counter.inc({ location: openValue(e.location), result: resultOf(e.result), method: methodOf(e.method) });
    }),
  };
}

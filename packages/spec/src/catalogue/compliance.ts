/** Compliance: age verification outcomes for restricted sales (alcohol, tobacco). */
import { LABEL_NAMES, LABEL_VALUES } from '../conventions.ts';
import { closedLabel } from '../label-spec.ts';
import { SHARED_LABELS } from '../shared-labels.ts';
import { defineMetric } from '../metric-spec.ts';


export const complianceMetrics = {
  ageVerifications: defineMetric({
    name: 'age_verifications_total',
    type: 'counter',
    unit: 'count',
    group: 'compliance',
    owner: 'commerce',
    help: 'Age verifications performed for restricted sales, by location, result and method.',
    question: 'Is every restricted sale verified, and is one location overriding or failing checks unusually often?',
    labels: {
      [LABEL_NAMES.location]: SHARED_LABELS.location,
      [LABEL_NAMES.result]: closedLabel('Outcome of the check; "overridden" means a manager completed the sale without a pass.', LABEL_VALUES.ageVerificationResult),
      [LABEL_NAMES.verificationMethod]: closedLabel('How age was checked.', LABEL_VALUES.ageVerificationMethod),
    },
    maxSeries: 5000,
  }),
} as const;

/** The label selector picking one SLO's recordings (names are validated safe, so no escaping is needed). */
import { SLO_LABELS } from '@tillwatch/spec';

export function sloSelector(service: string, slo: string): string {
  return `{${SLO_LABELS.service}="${service}",${SLO_LABELS.slo}="${slo}"}`;
}

/**
 * A failed print job in tillwatch/delivery's failure vocabulary (event_failures_total{reason}), so print
 * failures line up with failed receipts and sales syncs on one panel: nothing to print to is
 * `unavailable`, an agent that never answered a `timeout`, a dropped connection `network`, and a printer
 * that reported a fault (paper, cover, hardware) `rejected`.
 */
import type { DeliveryFailure } from 'tillwatch/delivery';
import type { DispatchFailure } from './agent-hub.ts';

export type DeliveryFailureReason = DeliveryFailure['reason'];

export function failureReasonOf(reason: DispatchFailure): DeliveryFailureReason {
  switch (reason) {
    case 'no_agent':
    case 'shutdown':
      return 'unavailable';
    case 'ack_timeout':
      return 'timeout';
    case 'agent_disconnected':
    case 'send_failed':
      return 'network';
    default:
      return 'rejected';
  }
}

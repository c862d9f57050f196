/** `commerce.outbound`: outbound messages (receipt SMS, WhatsApp, e-mail) by channel and final outcome. */
import { catalogue, type LABEL_VALUES } from '@tillwatch/spec';
import { closedNormalizer, type LabelInput } from '../metrics/label-normalizer.ts';
import { neverThrow } from './never-throw.ts';
import type { RecorderContext } from './recorder-context.ts';

export interface OutboundMessageFinished {
  readonly channel: LabelInput<(typeof LABEL_VALUES.messageChannel)[number]>;
  /** `sent`, `failed` (refused for good on the first try) or `dead_lettered` (retries used up). */
  readonly outcome: LabelInput<(typeof LABEL_VALUES.messageOutcome)[number]>;
}

export interface OutboundRecorder {
  /** A message reached its final outcome (once per message, not per attempt). Never throws. */
  messageFinished(event: OutboundMessageFinished): void;
}

export function createOutboundRecorder(ctx: RecorderContext): OutboundRecorder {
  const m = catalogue.metrics.outbound.messages;
  const messages = ctx.metrics.register(m);
  const channelOf = closedNormalizer(m.labels.channel);
  const outcomeOf = closedNormalizer(m.labels.outcome);
  return {
    messageFinished: neverThrow((e: OutboundMessageFinished) => {
      messages.inc({ channel: channelOf(e.channel), outcome: outcomeOf(e.outcome) });
    }),
  };
}

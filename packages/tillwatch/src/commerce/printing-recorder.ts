/** `commerce.printing`: print jobs and the WebSocket agents that print them, per location. */
import { type AgentType, type ConnectionQuality, type DisconnectReason, type PrintJobType, type PrintOutcome, LABEL_VALUES, catalogue } from '@tillwatch/spec';
import { closedNormalizer, openValue, type LabelInput } from '../metrics/label-normalizer.ts';
import { neverThrow } from './never-throw.ts';
import type { RecorderContext } from './recorder-context.ts';

export interface PrintJob {
  readonly location: string;
  readonly jobType: LabelInput<PrintJobType>;
  readonly outcome: LabelInput<PrintOutcome>;
  /** Dispatch to acknowledgement; omit when the job never reached an agent. */
  readonly durationSeconds?: number;
}

export interface AgentConnection {
  readonly location: string;
  readonly agentType: LabelInput<AgentType>;
}

export interface AgentDisconnection extends AgentConnection {
  readonly reason: LabelInput<DisconnectReason>;
}

export interface ConnectedAgents extends AgentConnection {
  readonly count: number;
}

export interface ConnectionQualityCounts {
  readonly location: string;
  /** Connected agents per band; bands left out are set to 0. */
  readonly counts: Partial<Record<ConnectionQuality, number>>;
}

export interface PrintingRecorder {
  /** A print job finished (acknowledged, failed, timed out, or found no agent). Never throws. */
  job(event: PrintJob): void;
  /** An agent connected: connected gauge +1. Never throws. */
  agentConnected(event: AgentConnection): void;
  /** An agent disconnected: connected gauge -1 and one disconnect counted. Never throws. */
  agentDisconnected(event: AgentDisconnection): void;
  /** Sets the connected gauge from the connection registry (use it to reconcile, e.g. every minute). Never throws. */
  connectedAgents(event: ConnectedAgents): void;
  /** Sets the connection-quality gauges of a location. Never throws. */
  connectionQuality(event: ConnectionQualityCounts): void;
}

export function createPrintingRecorder(ctx: RecorderContext): PrintingRecorder {
  const m = catalogue.metrics.printing;
  const jobs = ctx.metrics.register(m.jobs);
  const duration = ctx.metrics.register(m.duration);
  const connected = ctx.metrics.register(m.agentsConnected);
  const disconnects = ctx.metrics.register(m.disconnects);
  const quality = ctx.metrics.register(m.connectionQuality);
  const outcomeOf = closedNormalizer(m.jobs.labels.outcome);
  const jobTypeOf = closedNormalizer(m.duration.labels.job_type);
  const agentTypeOf = closedNormalizer(m.agentsConnected.labels.agent_type);
  const reasonOf = closedNormalizer(m.disconnects.labels.reason);
  const agentLabels = (e: AgentConnection) => ({ location: openValue(e.location), agent_type: agentTypeOf(e.agentType) });
  return {
    job: neverThrow((e: PrintJob) => {
      jobs.inc({ location: openValue(e.location), outcome: outcomeOf(e.outcome) });
      if (e.durationSeconds !== undefined) duration.observe({ job_type: jobTypeOf(e.jobType) }, e.durationSeconds);
    }),
    agentConnected: neverThrow((e: AgentConnection) => connected.inc(agentLabels(e))),
    agentDisconnected: neverThrow((e: AgentDisconnection) => {
      const labels = agentLabels(e);
      connected.dec(labels);
      disconnects.inc({ ...labels, reason: reasonOf(e.reason) });
    }),
    connectedAgents: neverThrow((e: ConnectedAgents) => connected.set(agentLabels(e), e.count)),
    connectionQuality: neverThrow((e: ConnectionQualityCounts) => {
      const location = openValue(e.location);
      for (const band of LABEL_VALUES.connectionQuality) quality.set({ location, quality: band }, e.counts[band] ?? 0);
    }),
  };
}

/**
 * What printing records, in printing's own words, and the one mapping onto tillwatch's commerce
 * catalogue (print_jobs_total, print_job_duration_seconds, print_agents_connected,
 * print_agent_disconnects_total, print_agents_connection_quality). The hub and the service speak
 * in their detailed reasons; the catalogue's label sets are coarser and closed.
 */
import type { CommerceMetrics } from '../../deps.ts';
import type { AgentInfo, DisconnectReason, DispatchFailure } from './agent-hub.ts';
import { CONNECTION_QUALITIES, type ConnectionQuality } from './connection-quality.ts';
import { AGENT_TYPES, type AgentType } from './protocol.ts';

export interface JobFinished {
  readonly location: string;
  readonly jobType: 'receipt' | 'test';
  /** `printed`, a dispatch failure, or `internal_error` when the job could not be recorded. */
  readonly reason: 'printed' | DispatchFailure | 'internal_error';
  readonly agentType: AgentType | undefined;
  /** Dispatch to ack; undefined when no agent answered. */
  readonly seconds: number | undefined;
}

export interface PrintingMetrics {
  jobFinished(job: JobFinished): void;
  disconnected(agent: AgentInfo, reason: DisconnectReason): void;
}

/** Catalogue outcome of a job (LABEL_VALUES.printOutcome). */
export type CataloguePrintOutcome = 'success' | 'failed' | 'timeout' | 'no_agent' | 'cancelled';

export function printOutcome(reason: JobFinished['reason']): CataloguePrintOutcome {
  switch (reason) {
    case 'printed':
      return 'success';
    case 'ack_timeout':
      return 'timeout';
    case 'no_agent':
      return 'no_agent';
    case 'shutdown':
      return 'cancelled';
    default:
      return 'failed';
  }
}

/** Catalogue agent type (LABEL_VALUES.agentType): the wire says `agent`, the catalogue `printer_agent`. */
function catalogueAgentType(type: AgentType): 'printer_agent' | 'desktop_app' {
  return type === 'agent' ? 'printer_agent' : 'desktop_app';
}

/** Catalogue disconnect reason (LABEL_VALUES.disconnectReason). */
function catalogueDisconnectReason(reason: DisconnectReason): 'client_closed' | 'heartbeat_timeout' | 'network_error' | 'replaced' | 'server_shutdown' {
  switch (reason) {
    case 'closed_by_agent':
      return 'client_closed';
    case 'heartbeat_timeout':
      return 'heartbeat_timeout';
    case 'replaced':
      return 'replaced';
    case 'shutdown':
      return 'server_shutdown';
    case 'error':
      return 'network_error';
  }
}

export interface BoundPrintingMetrics extends PrintingMetrics {
  connected(agent: AgentInfo): void;
  /** Sets the connected and quality gauges of every location from the hub's list (absent = 0). */
  refreshGauges(agents: readonly AgentInfo[]): void;
}

/** Binds printing's events to tillwatch's `commerce.printing` recorder. */
export function bindPrintingMetrics(commerce: CommerceMetrics, locations: readonly string[]): BoundPrintingMetrics {
  const rec = commerce.printing;
  return {
    jobFinished: (job) =>
      rec.job({
        location: job.location,
        jobType: job.jobType,
        outcome: printOutcome(job.reason),
        ...(job.seconds === undefined ? {} : { durationSeconds: job.seconds }),
      }),
    // The connected gauge is set from the hub's list on every change (refreshGauges) rather than
    // moved by inc/dec, so it cannot drift; connect/disconnect only count.
    connected: () => {},
    disconnected: (agent, reason) => rec.agentDisconnected({ location: agent.branch, agentType: catalogueAgentType(agent.type), reason: catalogueDisconnectReason(reason) }),
    refreshGauges: (agents) => {
      const all = new Set([...locations, ...agents.map((a) => a.branch)]);
      for (const location of all) {
        const here = agents.filter((a) => a.branch === location);
        for (const type of AGENT_TYPES) {
          rec.connectedAgents({ location, agentType: catalogueAgentType(type), count: here.filter((a) => a.type === type).length });
        }
        const counts: Partial<Record<ConnectionQuality, number>> = {};
        for (const q of CONNECTION_QUALITIES) counts[q] = here.filter((a) => a.quality === q).length;
        rec.connectionQuality({ location, counts });
      }
    },
  };
}

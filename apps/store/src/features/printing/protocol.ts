/**
 * The wire protocol between the store and its receipt printer agents (one agent or desktop app per
 * branch, connected over a WebSocket, acknowledging each print job). Shared by the store's
 * agent hub and by the agent simulator (src/sim/printer-agent.ts), so the two cannot drift.
 *
 * Connect: `GET /printing/agents` upgraded to a WebSocket, with the headers below. The token is
 * per branch: HMAC-SHA256 of the branch id under the store's agent secret, so a token leaked from
 * one branch cannot register a printer for another, and rotating the secret revokes every token.
 *
 * Then, as JSON text frames:
 * - store → agent: {@link PrintMessage}
 * - agent → store: {@link AckMessage}, exactly once per job
 * The store pings every `pingIntervalMs`; the round-trip time of the pong and the pongs that never
 * came grade the connection (connection-quality.ts).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Path the agent hub answers upgrades on. */
export const AGENT_PATH = '/printing/agents';

export const AGENT_HEADERS = {
  /** Per-branch agent token; never logged. */
  token: 'x-agent-token',
  branch: 'x-branch-id',
  /** `agent` (headless print agent) or `desktop_app`. */
  type: 'x-agent-type',
  /** Stable name of the agent within its branch, e.g. `kitchen-1`. */
  id: 'x-agent-id',
} as const;

export const AGENT_TYPES = ['agent', 'desktop_app'] as const;
export type AgentType = (typeof AGENT_TYPES)[number];

/** Why an agent says a job did not print (bounded: these become metric label values). */
export const PRINTER_FAILURE_REASONS = ['paper_out', 'printer_offline', 'printer_error'] as const;
export type PrinterFailureReason = (typeof PRINTER_FAILURE_REASONS)[number];

/** Agent ids: what a person would name a till printer. Not a label value (unbounded), only listed. */
export const AGENT_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** WebSocket close codes the hub uses (4000-4999: application-defined, RFC 6455 §7.4.2). */
export const CLOSE_CODES = {
  /** Another connection registered the same agent id on the same branch. */
  replaced: 4000,
  /** Missed too many pongs in a row. */
  heartbeatTimeout: 4001,
  /** The store is shutting down (1001 is RFC 6455's "going away"). */
  goingAway: 1001,
} as const;

/** Field names are snake_case, as in the store's HTTP API. */
export interface ReceiptLine {
  readonly name: string;
  readonly quantity: number;
  /** Minor units. */
  readonly line_total: number;
}

export interface Receipt {
  readonly order_id: string;
  readonly location: string;
  readonly terminal: string;
  readonly lines: readonly ReceiptLine[];
  /** Minor units. */
  readonly total: number;
  readonly currency: string;
  readonly completed_at: string;
}

export interface PrintMessage {
  readonly type: 'print';
  readonly job_id: string;
  readonly receipt: Receipt;
}

export type AckMessage =
  | { readonly type: 'ack'; readonly job_id: string; readonly ok: true }
  | { readonly type: 'ack'; readonly job_id: string; readonly ok: false; readonly reason: PrinterFailureReason };

/** The token an agent of `branch` presents. */
export function agentToken(secret: string, branch: string): string {
  return createHmac('sha256', secret).update(`printing-agent:${branch}`).digest('hex');
}

/** Constant-time check of a presented token against the branch's expected one. */
export function verifyAgentToken(secret: string, branch: string, presented: string): boolean {
  const expected = Buffer.from(agentToken(secret, branch), 'utf8');
  const got = Buffer.from(presented, 'utf8');
  return got.length === expected.length && timingSafeEqual(got, expected);
}

/** Parses one agent frame; undefined when it is not a well-formed ack. */
export function parseAck(text: string): AckMessage | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const m = v as Record<string, unknown>;
  if (m.type !== 'ack' || typeof m.job_id !== 'string' || m.job_id === '') return undefined;
  if (m.ok === true) return { type: 'ack', job_id: m.job_id, ok: true };
  if (m.ok !== false) return undefined;
  const reason = (PRINTER_FAILURE_REASONS as readonly unknown[]).includes(m.reason) ? (m.reason as PrinterFailureReason) : 'printer_error';
  return { type: 'ack', job_id: m.job_id, ok: false, reason };
}

/** Parses one store frame (used by agents); undefined when it is not a print job. */
export function parsePrint(text: string): PrintMessage | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const m = v as Record<string, unknown>;
  if (m.type !== 'print' || typeof m.job_id !== 'string' || typeof m.receipt !== 'object' || m.receipt === null) return undefined;
  return m as unknown as PrintMessage;
}

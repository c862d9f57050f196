/**
 * A printer agent simulator: connects N agents (headless print agents or restaurant desktop apps)
 * for given branches to a store's `/printing/agents` WebSocket, prints (acknowledges) the jobs it is
 * sent with a configurable latency and failure rate, and disconnects or degrades on demand. Used by
 * the tests and by `npm run simulate` (printer-disconnect scenario).
 *
 * Link quality is simulated on the heartbeat: `pongDelayMs` delays each pong (the store grades the
 * round trip) and `dropPongs` answers none (the store counts missed pongs, then drops the agent).
 *
 * @example
 * ```ts
 * const fleet = await connectPrinterAgents({ url: store.url, agents: [{ branch: 'store-001' }] });
 * fleet.configure({ failureRate: 0.2 });
 * await fleet.disconnect('store-001');
 * await fleet.close();
 * ```
 */
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { AGENT_HEADERS, AGENT_PATH, PRINTER_FAILURE_REASONS, agentToken, parsePrint, type AgentType, type PrinterFailureReason } from '../features/printing/protocol.ts';
import { DEV_PRINTER_AGENT_SECRET } from '../features/printing/printing-options.ts';

export interface SimAgentSpec {
  readonly branch: string;
  /** Default `agent`. */
  readonly type?: AgentType;
  /** Default `<type>-<branch>-<n>`. */
  readonly agentId?: string;
}

export interface PrinterBehaviour {
  /** Share of jobs acknowledged as failed (0..1). */
  failureRate: number;
  /** Time from receiving a job to acknowledging it. */
  ackLatencyMs: number;
  /** Up to this much more, uniformly at random, per job (a printer is not a metronome). */
  ackJitterMs: number;
  /** Jobs received and never acknowledged (the store's ack timeout fires). */
  ignoreJobs: boolean;
  /** Delay of every heartbeat pong. */
  pongDelayMs: number;
  /** Answer no heartbeat ping at all. */
  dropPongs: boolean;
}

export interface FleetOptions extends Partial<PrinterBehaviour> {
  /** Store base URL, `http://127.0.0.1:3000`; the WebSocket URL is derived from it. */
  readonly url: string;
  readonly agents: readonly SimAgentSpec[];
  /** Secret the per-branch tokens derive from. Default: the store's development secret. */
  readonly secret?: string;
  /** Overrides the token per branch (tests of a bad token). */
  readonly token?: (branch: string) => string;
  readonly random?: () => number;
  /** Max wait for each connection. Default 5000. */
  readonly connectTimeoutMs?: number;
  /**
   * Reconnect an agent this long after the store closed it (replaced by another connection with its id,
   * dropped for missed heartbeats, a restart), retrying as often until the fleet is closed. Default: never.
   */
  readonly reconnectAfterMs?: number;
}

export interface FleetStats {
  readonly connected: number;
  readonly jobsReceived: number;
  readonly acked: number;
  readonly failed: number;
  readonly ignored: number;
  readonly disconnects: number;
}

export interface SimAgent {
  readonly agentId: string;
  readonly branch: string;
  readonly type: AgentType;
  readonly open: boolean;
  /** Closes this agent's socket (a clean close: 1000). */
  disconnect(): Promise<void>;
  /** Drops the TCP connection without a close frame (a pulled cable). */
  kill(): void;
}

export interface PrinterFleet {
  readonly agents: readonly SimAgent[];
  readonly behaviour: Readonly<PrinterBehaviour>;
  configure(patch: Partial<PrinterBehaviour>): void;
  stats(): FleetStats;
  /** Disconnects every agent of `branch` (or the one with that agent id); resolves when closed. */
  disconnect(branchOrAgentId: string): Promise<void>;
  /** Connects more agents, e.g. to bring a branch back after a disconnect scenario. */
  connect(specs: readonly SimAgentSpec[]): Promise<SimAgent[]>;
  close(): Promise<void>;
}

/** Thrown when the store refuses an agent (wrong token, unknown branch); carries the HTTP status. */
export class AgentRejectedError extends Error {
  readonly status: number;
  constructor(status: number, agentId: string) {
    super(`the store refused printer agent ${agentId} with HTTP ${status}`);
    this.name = 'AgentRejectedError';
    this.status = status;
  }
}

/** Connects the agents; rejects when one cannot connect (the others are closed again). */
export async function connectPrinterAgents(options: FleetOptions): Promise<PrinterFleet> {
  const random = options.random ?? Math.random;
  const secret = options.secret ?? DEV_PRINTER_AGENT_SECRET;
  const wsUrl = new URL(AGENT_PATH, options.url.replace(/^http/, 'ws')).href;
  const behaviour: PrinterBehaviour = {
    failureRate: options.failureRate ?? 0,
    ackLatencyMs: options.ackLatencyMs ?? 5,
    ackJitterMs: options.ackJitterMs ?? 0,
    ignoreJobs: options.ignoreJobs ?? false,
    pongDelayMs: options.pongDelayMs ?? 0,
    dropPongs: options.dropPongs ?? false,
  };
  const counts = { jobsReceived: 0, acked: 0, failed: 0, ignored: 0, disconnects: 0 };
  const agents: SimAgent[] = [];
  const sockets = new Set<WebSocket>();
  const perBranch = new Map<string, number>();
  const retries = new Set<NodeJS.Timeout>();
  let closing = false;

  const reconnectLater = (spec: SimAgentSpec & { agentId: string }): void => {
    const delay = options.reconnectAfterMs;
    if (delay === undefined || closing) return;
    const timer = setTimeout(() => {
      retries.delete(timer);
      if (closing) return;
      connectOne(spec).then(
        (a) => agents.push(a),
        () => reconnectLater(spec),
      );
    }, delay);
    timer.unref();
    retries.add(timer);
  };

  const connectOne = (spec: SimAgentSpec): Promise<SimAgent> => {
    const type = spec.type ?? 'agent';
    const n = (perBranch.get(spec.branch) ?? 0) + 1;
    perBranch.set(spec.branch, n);
    const agentId = spec.agentId ?? `${type === 'agent' ? 'agent' : 'desktop'}-${spec.branch}-${n}`;
    const ws = new WebSocket(wsUrl, {
      headers: {
        [AGENT_HEADERS.token]: options.token ? options.token(spec.branch) : agentToken(secret, spec.branch),
        [AGENT_HEADERS.branch]: spec.branch,
        [AGENT_HEADERS.type]: type,
        [AGENT_HEADERS.id]: agentId,
      },
      autoPong: false,
      handshakeTimeout: options.connectTimeoutMs ?? 5000,
    });
    sockets.add(ws);
    let open = false;

    ws.on('ping', (data) => {
      if (behaviour.dropPongs) return;
      const pong = (): void => {
        if (ws.readyState === WebSocket.OPEN) ws.pong(data);
      };
      if (behaviour.pongDelayMs > 0) setTimeout(pong, behaviour.pongDelayMs).unref();
      else pong();
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const job = parsePrint(data.toString());
      if (job === undefined) return;
      counts.jobsReceived++;
      if (behaviour.ignoreJobs) {
        counts.ignored++;
        return;
      }
      const fail = behaviour.failureRate > 0 && random() < behaviour.failureRate;
      const reason: PrinterFailureReason = PRINTER_FAILURE_REASONS[Math.floor(random() * PRINTER_FAILURE_REASONS.length)] ?? 'printer_error';
      const latency = behaviour.ackLatencyMs + Math.floor(random() * behaviour.ackJitterMs);
      void sleep(latency, undefined, { ref: false }).then(() => {
        if (ws.readyState !== WebSocket.OPEN) return;
        if (fail) counts.failed++;
        else counts.acked++;
        ws.send(JSON.stringify(fail ? { type: 'ack', job_id: job.job_id, ok: false, reason } : { type: 'ack', job_id: job.job_id, ok: true }));
      });
    });
    ws.on('error', () => {}); // surfaced through 'unexpected-response'/'close' below
    ws.on('close', () => {
      sockets.delete(ws);
      if (open) {
        counts.disconnects++;
        reconnectLater({ ...spec, type, agentId });
      }
      open = false;
    });

    const agent: SimAgent = {
      agentId,
      branch: spec.branch,
      type,
      get open() {
        return open;
      },
      disconnect: () =>
        new Promise<void>((resolve) => {
          if (ws.readyState === WebSocket.CLOSED) return resolve();
          ws.once('close', () => resolve());
          ws.close(1000, 'agent stopping');
        }),
      kill: () => ws.terminate(),
    };

    return new Promise<SimAgent>((resolve, reject) => {
      ws.once('open', () => {
        open = true;
        resolve(agent);
      });
      ws.once('unexpected-response', (_req, res) => {
        res.resume();
        ws.terminate();
        reject(new AgentRejectedError(res.statusCode ?? 0, agentId));
      });
      ws.once('close', () => reject(new Error(`printer agent ${agentId} closed before it connected`)));
    });
  };

  const connect = async (specs: readonly SimAgentSpec[]): Promise<SimAgent[]> => {
    if (closing) throw new Error('the fleet is closed');
    const settled = await Promise.allSettled(specs.map(connectOne));
    const ok = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failure !== undefined) {
      await Promise.all(ok.map((a) => a.disconnect()));
      throw failure.reason;
    }
    agents.push(...ok);
    return ok;
  };

  await connect(options.agents);

  return {
    agents,
    behaviour,
    configure(patch) {
      Object.assign(behaviour, patch);
    },
    stats: () => ({ connected: agents.filter((a) => a.open).length, ...counts }),
    async disconnect(branchOrAgentId) {
      await Promise.all(agents.filter((a) => a.open && (a.branch === branchOrAgentId || a.agentId === branchOrAgentId)).map((a) => a.disconnect()));
    },
    connect,
    async close() {
      closing = true;
      for (const t of retries) clearTimeout(t);
      await Promise.all(agents.map((a) => a.disconnect()));
      for (const ws of sockets) ws.terminate();
    },
  };
}

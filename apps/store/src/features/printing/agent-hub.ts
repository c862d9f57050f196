/**
 * The store's side of the printer agent WebSockets: authenticates upgrades, keeps the connected
 * agents per branch, grades each connection from its heartbeat, sends print jobs and matches their
 * acknowledgements. It persists nothing and records no metric itself: it reports what happened
 * through the callbacks, and print-service.ts turns that into rows and metrics.
 *
 * One heartbeat timer serves every connection (a till estate is tens of agents, not thousands).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { Logger } from '../../deps.ts';
import { gradeConnection, smoothRtt, type ConnectionQuality } from './connection-quality.ts';
import {
  AGENT_HEADERS,
  AGENT_ID,
  AGENT_PATH,
  AGENT_TYPES,
  CLOSE_CODES,
  parseAck,
  verifyAgentToken,
  type AgentType,
  type PrinterFailureReason,
  type PrintMessage,
} from './protocol.ts';

/** Why an agent's connection ended (bounded: a metric label value). */
export type DisconnectReason = 'closed_by_agent' | 'heartbeat_timeout' | 'replaced' | 'shutdown' | 'error';

/** Why a dispatched job did not print (bounded). `shutdown`: the store stopped before sending it. */
export type DispatchFailure = 'no_agent' | 'ack_timeout' | 'agent_disconnected' | 'send_failed' | 'shutdown' | PrinterFailureReason;

export type DispatchOutcome =
  | { readonly ok: true; readonly agentId: string; readonly agentType: AgentType; readonly latencyMs: number }
  | { readonly ok: false; readonly reason: DispatchFailure; readonly agentId?: string; readonly agentType?: AgentType; readonly latencyMs?: number };

/** Why an upgrade was refused (bounded). */
export type RejectReason = 'missing_token' | 'bad_token' | 'unknown_branch' | 'bad_type' | 'bad_agent_id';

/** A connected agent as `GET /printing/agents` shows it. */
export interface AgentInfo {
  readonly connection_id: string;
  readonly agent_id: string;
  readonly branch: string;
  readonly type: AgentType;
  readonly connected_at: string;
  readonly quality: ConnectionQuality;
  /** Smoothed round-trip time of the heartbeat, ms; null before the first pong. */
  readonly rtt_ms: number | null;
  readonly missed_pongs: number;
  readonly in_flight_jobs: number;
}

export interface AgentHubOptions {
  readonly secret: string;
  /** Branches an agent may register for (the store's locations). */
  readonly branches: readonly string[];
  readonly pingIntervalMs: number;
  /** Pongs missed in a row before the connection is dropped. */
  readonly maxMissedPongs: number;
  readonly logger: Logger;
  readonly onConnect?: (agent: AgentInfo) => void;
  readonly onDisconnect?: (agent: AgentInfo, reason: DisconnectReason) => void;
  readonly onQualityChange?: (agent: AgentInfo, previous: ConnectionQuality) => void;
  readonly onReject?: (reason: RejectReason) => void;
}

interface Pending {
  readonly sentAt: number;
  readonly timer: NodeJS.Timeout;
  readonly settle: (outcome: DispatchOutcome) => void;
}

interface Connection {
  readonly connectionId: string;
  readonly agentId: string;
  readonly branch: string;
  readonly type: AgentType;
  readonly connectedAt: Date;
  readonly ws: WebSocket;
  rttMs: number | undefined;
  missedPongs: number;
  quality: ConnectionQuality;
  /** Pings awaiting their pong: sequence number → time sent. */
  readonly pings: Map<number, number>;
  readonly pending: Map<string, Pending>;
  closeReason: DisconnectReason | undefined;
}

/** Largest frame an agent may send; acks are tiny. */
const MAX_PAYLOAD_BYTES = 16 * 1024;

export class AgentHub {
  readonly #opts: AgentHubOptions;
  readonly #log: Logger;
  readonly #wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD_BYTES });
  /** branch → agentId → connection. */
  readonly #byBranch = new Map<string, Map<string, Connection>>();
  readonly #rotation = new Map<string, number>();
  #heartbeat: NodeJS.Timeout | undefined;
  #pingSeq = 0;
  #closed = false;
  #server: Server | undefined;
  readonly #onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => this.#upgrade(req, socket, head);

  constructor(opts: AgentHubOptions) {
    this.#opts = opts;
    this.#log = opts.logger;
  }

  /** Starts answering agent upgrades on `server` and the heartbeat. */
  attach(server: Server): void {
    this.#server = server;
    server.on('upgrade', this.#onUpgrade);
    this.#heartbeat = setInterval(() => this.#beat(), this.#opts.pingIntervalMs);
    this.#heartbeat.unref();
  }

  /** Every connected agent, by branch then agent id. */
  list(branch?: string): AgentInfo[] {
    const out: AgentInfo[] = [];
    for (const [b, agents] of this.#byBranch) {
      if (branch !== undefined && b !== branch) continue;
      for (const c of agents.values()) out.push(info(c));
    }
    return out.sort((a, b) => a.branch.localeCompare(b.branch) || a.agent_id.localeCompare(b.agent_id));
  }

  /**
   * Sends a job to one connected agent of `branch` and waits for its ack, at most `ackTimeoutMs`.
   * Agents take turns (round robin), skipping poor connections while a better one is there.
   * Never rejects: every way it can end is a {@link DispatchOutcome}.
   */
  dispatch(branch: string, message: PrintMessage, ackTimeoutMs: number): Promise<DispatchOutcome> {
    const conn = this.#pick(branch);
    if (conn === undefined) return Promise.resolve({ ok: false, reason: 'no_agent' });
    const base = { agentId: conn.agentId, agentType: conn.type };
    return new Promise<DispatchOutcome>((resolve) => {
      const sentAt = performance.now();
      const settle = (outcome: DispatchOutcome): void => {
        const p = conn.pending.get(message.job_id);
        if (p === undefined) return;
        clearTimeout(p.timer);
        conn.pending.delete(message.job_id);
        resolve(outcome);
      };
      const timer = setTimeout(() => settle({ ok: false, reason: 'ack_timeout', ...base }), ackTimeoutMs);
      timer.unref();
      conn.pending.set(message.job_id, { sentAt, timer, settle });
      conn.ws.send(JSON.stringify(message), (err) => {
        if (err) settle({ ok: false, reason: 'send_failed', ...base });
      });
    });
  }

  /**
   * Closes every agent connection (1001, going away) and stops answering upgrades. Jobs still
   * waiting for an ack end as `agent_disconnected`. Resolves once the sockets are closed, or after
   * `graceMs` when an agent does not answer the close handshake (then the socket is destroyed).
   */
  async close(graceMs = 2000): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#server?.off('upgrade', this.#onUpgrade);
    const conns = [...this.#byBranch.values()].flatMap((m) => [...m.values()]);
    await Promise.all(
      conns.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.ws.readyState === c.ws.CLOSED) return resolve();
            const t = setTimeout(() => {
              c.ws.terminate();
              resolve();
            }, graceMs);
            t.unref();
            c.ws.once('close', () => {
              clearTimeout(t);
              resolve();
            });
            c.closeReason = 'shutdown';
            c.ws.close(CLOSE_CODES.goingAway, 'store shutting down');
          }),
      ),
    );
    this.#wss.close();
  }

  #pick(branch: string): Connection | undefined {
    const agents = this.#byBranch.get(branch);
    if (agents === undefined || agents.size === 0) return undefined;
    const open = [...agents.values()].filter((c) => c.ws.readyState === c.ws.OPEN);
    const usable = open.some((c) => c.quality !== 'poor') ? open.filter((c) => c.quality !== 'poor') : open;
    if (usable.length === 0) return undefined;
    const turn = (this.#rotation.get(branch) ?? 0) % usable.length;
    this.#rotation.set(branch, turn + 1);
    return usable[turn];
  }

  #reject(socket: Duplex, status: 400 | 401 | 404 | 503, reason: RejectReason | 'not_found' | 'shutting_down'): void {
    const body = JSON.stringify({ error: reason });
    const text = { 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 503: 'Service Unavailable' }[status];
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  }

  #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== AGENT_PATH) {
      // Another upgrade listener may own this path; answer only when nobody else will.
      if (this.#server !== undefined && this.#server.listenerCount('upgrade') <= 1) this.#reject(socket, 404, 'not_found');
      return;
    }
    socket.on('error', () => {}); // a reset during the handshake is the agent's problem, not a crash
    if (this.#closed) return this.#reject(socket, 503, 'shutting_down');
    const header = (name: string): string | undefined => {
      const v = req.headers[name];
      return typeof v === 'string' && v !== '' ? v : undefined;
    };
    const branch = header(AGENT_HEADERS.branch);
    const type = header(AGENT_HEADERS.type) ?? 'agent';
    const agentId = header(AGENT_HEADERS.id);
    const token = header(AGENT_HEADERS.token);
    const refuse = (status: 400 | 401, reason: RejectReason): void => {
      // The branch is logged only when it is one of ours (a bounded, known value); the token never.
      this.#log.warn({ event: 'printing.agent_rejected', reason, branch: branch !== undefined && this.#opts.branches.includes(branch) ? branch : undefined }, `printer agent connection refused: ${reason}`);
      this.#opts.onReject?.(reason);
      this.#reject(socket, status, reason);
    };
    if (token === undefined) return refuse(401, 'missing_token');
    if (branch === undefined || !this.#opts.branches.includes(branch)) return refuse(400, 'unknown_branch');
    if (!(AGENT_TYPES as readonly string[]).includes(type)) return refuse(400, 'bad_type');
    if (agentId === undefined || !AGENT_ID.test(agentId)) return refuse(400, 'bad_agent_id');
    if (!verifyAgentToken(this.#opts.secret, branch, token)) return refuse(401, 'bad_token');
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#register(ws, branch, type as AgentType, agentId));
  }

  #register(ws: WebSocket, branch: string, type: AgentType, agentId: string): void {
    let agents = this.#byBranch.get(branch);
    if (agents === undefined) {
      agents = new Map();
      this.#byBranch.set(branch, agents);
    }
    const previous = agents.get(agentId);
    const conn: Connection = {
      connectionId: randomUUID(),
      agentId,
      branch,
      type,
      connectedAt: new Date(),
      ws,
      rttMs: undefined,
      missedPongs: 0,
      quality: gradeConnection({ rttMs: undefined, missedPongs: 0 }),
      pings: new Map(),
      pending: new Map(),
      closeReason: undefined,
    };
    agents.set(agentId, conn);
    if (previous !== undefined) {
      // The same agent reconnected before its old socket timed out (a laptop waking up, a new
      // desktop-app instance): the newest connection wins, the old one's jobs fail over to it next time.
      previous.closeReason = 'replaced';
      previous.ws.close(CLOSE_CODES.replaced, 'replaced by a newer connection');
    }
    const log = this.#log.child({ branch, agent_type: type, agent_id: agentId, connection_id: conn.connectionId });
    log.info({ event: 'printing.agent_connected' }, 'printer agent connected');
    this.#opts.onConnect?.(info(conn));

    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) return;
      const ack = parseAck(rawText(data));
      if (ack === undefined) {
        log.debug({ event: 'printing.agent_bad_frame' }, 'ignoring a frame that is not an ack');
        return;
      }
      const p = conn.pending.get(ack.job_id);
      if (p === undefined) return; // late ack of a job that already timed out: the job stays failed
      const latencyMs = performance.now() - p.sentAt;
      const base = { agentId: conn.agentId, agentType: conn.type, latencyMs };
      p.settle(ack.ok ? { ok: true, ...base } : { ok: false, reason: ack.reason, ...base });
    });
    ws.on('pong', (data: Buffer) => {
      // A late pong (its ping already counted as missed) still measures the round trip: a slow link
      // grades fair or poor by its RTT instead of being dropped while it still answers.
      const seq = Number(data.toString('utf8'));
      const sentAt = conn.pings.get(seq);
      if (sentAt === undefined) return;
      for (const s of conn.pings.keys()) if (s <= seq) conn.pings.delete(s);
      conn.rttMs = smoothRtt(conn.rttMs, performance.now() - sentAt);
      conn.missedPongs = 0;
      this.#regrade(conn);
    });
    ws.on('error', (err) => {
      conn.closeReason ??= 'error';
      log.warn({ event: 'printing.agent_socket_error', err }, 'printer agent socket error');
    });
    ws.on('close', () => {
      const reason = conn.closeReason ?? 'closed_by_agent';
      if (agents.get(agentId) === conn) agents.delete(agentId);
      for (const p of [...conn.pending.values()]) p.settle({ ok: false, reason: 'agent_disconnected', agentId: conn.agentId, agentType: conn.type });
      log.info({ event: 'printing.agent_disconnected', reason, connected_ms: Date.now() - conn.connectedAt.getTime() }, `printer agent disconnected: ${reason}`);
      this.#opts.onDisconnect?.(info(conn), reason);
    });
  }

  #regrade(conn: Connection): void {
    const next = gradeConnection({ rttMs: conn.rttMs, missedPongs: conn.missedPongs });
    if (next === conn.quality) return;
    const previous = conn.quality;
    conn.quality = next;
    this.#opts.onQualityChange?.(info(conn), previous);
  }

  #beat(): void {
    for (const agents of this.#byBranch.values()) {
      for (const conn of agents.values()) {
        if (conn.ws.readyState !== conn.ws.OPEN) continue;
        if (conn.pings.size > 0) {
          conn.missedPongs++;
          this.#regrade(conn);
          if (conn.missedPongs >= this.#opts.maxMissedPongs) {
            conn.closeReason = 'heartbeat_timeout';
            // terminate, not close: a peer that answers no ping will not answer a close handshake either
            conn.ws.terminate();
            continue;
          }
        }
        const seq = ++this.#pingSeq;
        conn.pings.set(seq, performance.now());
        conn.ws.ping(String(seq));
      }
    }
  }
}

function info(c: Connection): AgentInfo {
  return {
    connection_id: c.connectionId,
    agent_id: c.agentId,
    branch: c.branch,
    type: c.type,
    connected_at: c.connectedAt.toISOString(),
    quality: c.quality,
    rtt_ms: c.rttMs === undefined ? null : Math.round(c.rttMs * 10) / 10,
    missed_pongs: c.missedPongs,
    in_flight_jobs: c.pending.size,
  };
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

/**
 * One HTTP server as graceful shutdown sees it: the requests it is still answering, its connections, and
 * the three moves shutdown makes on it (refuse keep-alive, stop accepting, force-close).
 *
 * Zero resets is the point. Node's `server.close()` (since v19) also calls `closeIdleConnections()`, and
 * "idle" there includes a connection that was accepted but whose first request has not been parsed yet:
 * under load there are always some, their request bytes already on the wire, and destroying them resets the
 * client although the log says "0 in-flight requests". So {@link TrackedServer.stop} closes only the listening
 * socket (`net.Server.prototype.close`) and handles each connection itself:
 * - a request in flight is answered, with `Connection: close`; its connection ends after the response;
 * - a connection with nothing in flight (accepted but silent so far, or a keep-alive one between requests)
 *   gets {@link FIRST_REQUEST_GRACE_MS} to send its next request, which is answered with `Connection: close`;
 *   one still silent after that is closed between requests. Closing it at once would race the request its
 *   client may be sending at that moment: the client would see a reset, the classic keep-alive race;
 * - upgraded connections (WebSockets) are left to their owner (a shutdown hook closes them).
 *
 * Internal to the lifecycle module; {@link Lifecycle.addServer} is the public entry point.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import net, { type Socket } from 'node:net';

/**
 * How long a connection accepted before close may take to send its first request. A client that connected
 * sends at once; this covers a busy event loop, not a slow client (those are refused by then anyway).
 */
export const FIRST_REQUEST_GRACE_MS = 2000;

interface ConnectionState {
  /** Requests received and not yet answered on this connection. */
  active: number;
  /** Responses finished on this connection. */
  served: number;
}

const kConnection = Symbol('tillwatch.connection');
type TrackedResponse = ServerResponse & { [kConnection]?: ConnectionState };

export class TrackedServer {
  readonly server: Server;
  readonly #inFlight = new Set<ServerResponse>();
  readonly #connections = new Map<Socket, ConnectionState>();
  #refuseKeepAlive = false;
  #stopped: Promise<void> | undefined;
  #closed = false;
  #accepted = 0;

  readonly #onConnection = (socket: Socket): void => {
    this.#accepted++;
    this.#track(socket);
  };

  readonly #onUpgrade = (req: IncomingMessage): void => {
    // The connection now belongs to the upgrade's owner (a WebSocket server): not an HTTP request to answer.
    this.#connections.delete(req.socket);
  };

  // Prepended so it runs before the application's own 'request' listener: a handler that answers
  // synchronously would otherwise send its headers (with `Connection: keep-alive`) before we could
  // mark the response.
  readonly #onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const socket = req.socket;
    const state = this.#connections.get(socket) ?? this.#track(socket);
    state.active++;
    this.#inFlight.add(res);
    // One listener shared by every response (called with the response as `this`), its connection's state on the
    // response: no closure and no `once` wrapper per request ('close' fires once).
    (res as TrackedResponse)[kConnection] = state;
    res.on('close', this.#onResponseClose);
    if (this.#refuseKeepAlive) res.shouldKeepAlive = false;
  };

  readonly #onResponseClose: (this: TrackedResponse) => void = ((inFlight: Set<ServerResponse>) =>
    function onResponseClose(this: TrackedResponse): void {
      const state = this[kConnection];
      if (state === undefined || !inFlight.delete(this)) return;
      state.active--;
      state.served++;
    })(this.#inFlight);

  constructor(server: Server) {
    this.server = server;
    server.prependListener('connection', this.#onConnection);
    server.prependListener('request', this.#onRequest);
    server.prependListener('upgrade', this.#onUpgrade);
  }

  /** Requests received and not yet answered (or aborted). */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** False once every connection has ended after {@link stop}. */
  get open(): boolean {
    return !this.#closed;
  }

  /**
   * From now on every response carries `Connection: close`, including the in-flight ones whose
   * headers are not sent yet: the client reconnects for its next request, and by then the load
   * balancer routes it to another instance (or the connection is refused and retried elsewhere).
   */
  refuseKeepAlive(): void {
    this.#refuseKeepAlive = true;
    for (const res of this.#inFlight) if (!res.headersSent) res.shouldKeepAlive = false;
  }

  /**
   * Stops accepting connections and closes keep-alive connections between requests. In-flight requests,
   * and the first request of a connection accepted before this, are answered. Resolves when every
   * connection has ended (the server's 'close' event). Idempotent.
   */
  stop(): Promise<void> {
    this.#stopped ??= new Promise<void>((resolve) => {
      this.refuseKeepAlive();
      // Closes the listening socket only: new connections are refused from here on. The callback fires once
      // the last open connection ends; when the server was never listening it fires at once with
      // ERR_SERVER_NOT_RUNNING, which for us also means "closed".
      net.Server.prototype.close.call(this.server, () => {
        this.#closed = true;
        resolve();
      });
      // Connections still silent after the grace period (or not seen: accepted before the server was
      // tracked) are closed; Node's own idle close never touches a connection with a request in flight.
      const timer = setTimeout(() => {
        if (!this.#closed) this.server.closeIdleConnections();
      }, FIRST_REQUEST_GRACE_MS);
      timer.unref();
    });
    return this.#stopped;
  }

  /** Connections accepted since tracking began (to see whether a loop turn accepted any). */
  get accepted(): number {
    return this.#accepted;
  }

  /** Destroys every connection, in-flight or not. Used only when the shutdown budget is spent. */
  forceClose(): void {
    this.server.closeAllConnections();
  }

  #track(socket: Socket): ConnectionState {
    const state: ConnectionState = { active: 0, served: 0 };
    this.#connections.set(socket, state);
    socket.once('close', () => this.#connections.delete(socket));
    return state;
  }
}

/**
 * One HTTP server as graceful shutdown sees it: the requests it is still answering, and the three
 * moves shutdown makes on it (refuse keep-alive, stop accepting, force-close).
 *
 * Internal to the lifecycle module; {@link Lifecycle.addServer} is the public entry point.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

export class TrackedServer {
  readonly server: Server;
  readonly #inFlight = new Set<ServerResponse>();
  #refuseKeepAlive = false;
  #stopped: Promise<void> | undefined;
  #closed = false;

  // Prepended so it runs before the application's own 'request' listener: a handler that answers
  // synchronously would otherwise send its headers (with `Connection: keep-alive`) before we could
  // mark the response.
  readonly #onRequest = (_req: IncomingMessage, res: ServerResponse): void => {
    this.#inFlight.add(res);
    res.once('close', () => {
      this.#inFlight.delete(res);
      // A response whose headers went out with keep-alive before shutdown began leaves an idle
      // socket behind when it finishes. Once we have stopped accepting, close it now rather than
      // holding server.close() open until keepAliveTimeout. Next tick: the connection is only
      // marked idle after the response's own 'close' handlers ran.
      if (this.#stopped !== undefined && !this.#closed) setImmediate(() => this.server.closeIdleConnections());
    });
    if (this.#refuseKeepAlive) res.shouldKeepAlive = false;
  };

  constructor(server: Server) {
    this.server = server;
    server.prependListener('request', this.#onRequest);
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
   * Stops accepting connections and closes idle keep-alive sockets. In-flight requests go on.
   * Resolves when every connection has ended (the server's 'close' event). Idempotent.
   */
  stop(): Promise<void> {
    this.#stopped ??= new Promise<void>((resolve) => {
      // server.close() closes the listening socket synchronously: new connections are refused from
      // here on. Its callback fires once the last open connection ends; when the server was never
      // listening it fires at once with ERR_SERVER_NOT_RUNNING, which for us also means "closed".
      this.server.close(() => {
        this.#closed = true;
        resolve();
      });
      // Node >= 19 also does this inside close(); explicit so the behaviour does not depend on it.
      // Idle keep-alive sockets would otherwise hold close() open until keepAliveTimeout.
      this.server.closeIdleConnections();
    });
    return this.#stopped;
  }

  /** Destroys every connection, in-flight or not. Used only when the shutdown budget is spent. */
  forceClose(): void {
    this.server.closeAllConnections();
  }
}

/**
 * What the local stand-ins for SaaS sinks (the OTLP receiver, the Sentry receiver) share: a loopback
 * server, a request count, a failure mode, bounded waits that return as soon as a condition holds, and
 * a close that also cuts black-holed connections.
 */
import type http from 'node:http';
import type { AddressInfo } from 'node:net';

/** `ok` decodes and answers 200; `fail` answers 503; `blackhole` accepts the request and never answers. */
export type ReceiverMode = 'ok' | 'fail' | 'blackhole';

export class LocalReceiver {
  /** Requests received, including those answered with an error or never answered. */
  requests = 0;
  mode: ReceiverMode;
  readonly #server: http.Server;
  readonly #waiters = new Set<() => void>();

  constructor(server: http.Server, mode: ReceiverMode) {
    this.#server = server;
    this.mode = mode;
  }

  /** The port the server listens on (127.0.0.1). */
  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  /** @internal wakes the pending waits after something arrived. */
  notify(): void {
    for (const w of this.#waiters) w();
  }

  /**
   * @internal answers a request per the failure mode: true when `fail` or `blackhole` took it (the
   * caller stops there), false when the receiver should decode it.
   */
  answerByMode(res: http.ServerResponse): boolean {
    if (this.mode === 'ok') return false;
    if (this.mode === 'fail') {
      res.statusCode = 503;
      res.end();
    } // blackhole: accepted, never answered
    this.notify();
    return true;
  }

  /** Resolves once `check()` holds; rejects after `timeoutMs` with `describe()`. A bounded wait, not a sleep. */
  protected waitUntil(check: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
    return new Promise((resolve, reject) => {
      const cleanup = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(waiter);
      };
      const waiter = (): void => {
        if (check()) {
          cleanup();
          resolve();
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`${describe()} (waited ${timeoutMs} ms)`));
      }, timeoutMs);
      this.#waiters.add(waiter);
      waiter();
    });
  }

  /** Stops the server, cutting black-holed connections. */
  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

/**
 * A TCP fault proxy for tests: put it between a client and a real server (Postgres, Redis, a provider) and
 * break the network on purpose.
 *
 * Modes (switch at any time with {@link FaultProxy.set}):
 * - `pass`: bytes flow both ways, after `latencyMs` when set;
 * - `reset`: every open connection is destroyed with an RST, and new ones are reset on accept (a database restart,
 *   a failover, a NAT table flush);
 * - `blackhole`: connections stay open and accepted, every byte is dropped (a partition that drops packets: the
 *   client learns nothing until its own timeout);
 * - `pause`: bytes are held and delivered, in order, when the mode goes back to `pass` (a stall).
 *
 * Hand-written rather than Toxiproxy: a few dozen lines of node:net, no binary to install in CI, and the test
 * process switches modes synchronously between requests.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export type FaultMode = 'pass' | 'reset' | 'blackhole' | 'pause';

export interface FaultProxy {
  readonly port: number;
  readonly host: string;
  /** Connections accepted so far. */
  readonly accepted: number;
  mode(): FaultMode;
  set(mode: FaultMode, opts?: { latencyMs?: number }): void;
  close(): Promise<void>;
}

interface Pair {
  readonly client: net.Socket;
  readonly upstream: net.Socket;
  readonly held: { dir: 'up' | 'down'; chunk: Buffer }[];
}

/** Starts a proxy on 127.0.0.1 (a free port) forwarding to `target`. */
export async function startFaultProxy(target: { host: string; port: number }): Promise<FaultProxy> {
  let mode: FaultMode = 'pass';
  let latencyMs = 0;
  let accepted = 0;
  const pairs = new Set<Pair>();

  const forward = async (pair: Pair, dir: 'up' | 'down', chunk: Buffer): Promise<void> => {
    if (mode === 'blackhole') return;
    if (mode === 'pause' || pair.held.length > 0) {
      pair.held.push({ dir, chunk });
      return;
    }
    if (latencyMs > 0) await sleep(latencyMs);
    const to = dir === 'up' ? pair.upstream : pair.client;
    if (!to.destroyed) to.write(chunk);
  };

  const server = net.createServer((client) => {
    accepted++;
    if (mode === 'reset') {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(target.port, target.host);
    const pair: Pair = { client, upstream, held: [] };
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (c: Buffer) => void forward(pair, 'up', c));
    upstream.on('data', (c: Buffer) => void forward(pair, 'down', c));
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const flush = (): void => {
    for (const pair of pairs) {
      const held = pair.held.splice(0);
      for (const { dir, chunk } of held) {
        const to = dir === 'up' ? pair.upstream : pair.client;
        if (!to.destroyed) to.write(chunk);
      }
    }
  };

  return {
    port,
    host: '127.0.0.1',
    get accepted() {
      return accepted;
    },
    mode: () => mode,
    set(next, opts = {}) {
      mode = next;
      latencyMs = opts.latencyMs ?? 0;
      if (next === 'reset') {
        for (const pair of pairs) {
          pair.client.resetAndDestroy();
          pair.upstream.destroy();
        }
        pairs.clear();
      }
      if (next === 'blackhole') for (const pair of pairs) pair.held.length = 0;
      if (next === 'pass') flush();
    },
    async close() {
      for (const pair of pairs) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
      pairs.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

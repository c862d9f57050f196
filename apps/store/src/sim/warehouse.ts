/**
 * A local, simulated sales warehouse: the far end of the store's sales sync worker, which pushes
 * sales to it in batches. Failures are injectable: a
 * failure rate, and a stall that holds every batch request open until it is lifted (or the caller
 * gives up), which is what a hung warehouse load job looks like from the store.
 *
 * The warehouse is idempotent by sale id, as a warehouse loaded at-least-once must be: a batch the
 * store retries after a lost answer is accepted again and its sales are counted as duplicates.
 *
 * | method | path          | body / answer |
 * | ------ | ------------- | ------------- |
 * | POST   | /v1/batches   | `{ batch_id, sales: [{ sale_id, ... }] }` → 200 `{ accepted, duplicates }`; 400 on a malformed batch; 500/503 on injected failures |
 * | GET    | /admin/stats  | batches, sales_received, unique_sales, failed, stalled (requests held right now) |
 * | GET/PUT | /admin/config | `{ failure_rate?, stall?, latency_ms? }` → the config (snake_case, as the payment provider's) |
 */
import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isRecord, listen, parseFaultPatch, readJson, send, wireFaults } from './sim-http.ts';

export interface WarehouseConfig {
  /** Share of batches answered 500/503 (0..1). Default 0. */
  failureRate: number;
  /** While true every batch request is held open (no answer) until the stall is lifted. */
  stall: boolean;
  /** Added before every answer. Default 0. */
  latencyMs: number;
}

export interface WarehouseStats {
  readonly batches: number;
  readonly salesReceived: number;
  readonly uniqueSales: number;
  readonly failed: number;
  readonly stalled: number;
}

export interface WarehouseOptions extends Partial<WarehouseConfig> {
  readonly port?: number;
  readonly host?: string;
  readonly random?: () => number;
  /** A stalled request is answered 504 after this long at the latest, so nothing hangs forever. Default 120 000. */
  readonly maxStallMs?: number;
}

export interface Warehouse {
  readonly url: string;
  readonly config: Readonly<WarehouseConfig>;
  configure(patch: Partial<WarehouseConfig>): void;
  stats(): WarehouseStats;
  /** True when the warehouse holds this sale. */
  has(saleId: string): boolean;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 4 * 1024 * 1024;
const MAX_BATCH = 1000;

/**
 * Starts the simulated warehouse.
 * @example
 * ```ts
 * const wh = await startWarehouse();
 * wh.configure({ stall: true }); // the sync worker's batches now time out
 * await wh.close();
 * ```
 */
export async function startWarehouse(options: WarehouseOptions = {}): Promise<Warehouse> {
  const random = options.random ?? Math.random;
  const maxStallMs = options.maxStallMs ?? 120_000;
  const config: WarehouseConfig = {
    failureRate: options.failureRate ?? 0,
    stall: options.stall ?? false,
    latencyMs: options.latencyMs ?? 0,
  };
  const sales = new Set<string>();
  const counts = { batches: 0, salesReceived: 0, failed: 0 };
  /** Requests held by a stall; released when it is lifted, or answered 504 at maxStallMs. */
  const held = new Set<() => void>();
  const timers = new Set<NodeJS.Timeout>();

  const after = (ms: number, fn: () => void): NodeJS.Timeout => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
    return t;
  };
  const delay = (ms: number): Promise<void> => (ms <= 0 ? Promise.resolve() : new Promise((resolve) => after(ms, resolve)));

  /** Resolves true when the stall was lifted, false when it outlasted maxStallMs. */
  const waitOutStall = (): Promise<boolean> =>
    new Promise((resolve) => {
      const release = (): void => {
        held.delete(release);
        clearTimeout(timer);
        timers.delete(timer);
        resolve(true);
      };
      const timer = after(maxStallMs, () => {
        held.delete(release);
        resolve(false);
      });
      held.add(release);
    });

  const configure = (patch: Partial<WarehouseConfig>): void => {
    Object.assign(config, patch);
    if (!config.stall) for (const release of [...held]) release();
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/admin/stats') {
      return send(res, 200, { batches: counts.batches, sales_received: counts.salesReceived, unique_sales: sales.size, failed: counts.failed, stalled: held.size });
    }
    if (req.method === 'GET' && path === '/admin/config') return send(res, 200, wireFaults(config, 'stall'));
    if ((req.method === 'PUT' || req.method === 'POST') && path === '/admin/config') {
      const body = await readJson(req, MAX_BODY_BYTES);
      const patch = isRecord(body) ? parseFaultPatch(body, 'stall') : undefined;
      if (patch === undefined) return send(res, 400, { error: 'invalid_config' });
      configure(patch);
      return send(res, 200, wireFaults(config, 'stall'));
    }
    if (req.method === 'POST' && path === '/v1/batches') {
      const body = await readJson(req, MAX_BODY_BYTES);
      if (config.stall && !(await waitOutStall())) {
        counts.failed++;
        return send(res, 504, { error: 'load_timeout' });
      }
      await delay(config.latencyMs);
      if (!isRecord(body) || typeof body.batch_id !== 'string' || !Array.isArray(body.sales) || body.sales.length > MAX_BATCH) {
        counts.failed++;
        return send(res, 400, { error: 'invalid_batch' });
      }
      const ids: string[] = [];
      for (const s of body.sales) {
        if (!isRecord(s) || typeof s.sale_id !== 'string' || s.sale_id === '') {
          counts.failed++;
          return send(res, 400, { error: 'invalid_sale' });
        }
        ids.push(s.sale_id);
      }
      if (config.failureRate > 0 && random() < config.failureRate) {
        counts.failed++;
        return random() < 0.5 ? send(res, 503, { error: 'warehouse_unavailable' }) : send(res, 500, { error: 'load_failed' });
      }
      let accepted = 0;
      let duplicates = 0;
      for (const id of ids) {
        if (sales.has(id)) duplicates++;
        else {
          sales.add(id);
          accepted++;
        }
      }
      counts.batches++;
      counts.salesReceived += ids.length;
      return send(res, 200, { batch_id: body.batch_id, accepted, duplicates });
    }
    return send(res, 404, { error: 'not_found' });
  };

  const server: Server = http.createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, { error: 'internal_error' });
      else res.destroy();
    });
  });
  await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
  const addr = server.address() as AddressInfo;

  return {
    url: `http://${addr.address}:${addr.port}`,
    config,
    configure: (patch) => configure(parseFaultPatch(patch, 'stall') ?? {}),
    stats: () => ({ ...counts, uniqueSales: sales.size, stalled: held.size }),
    has: (saleId) => sales.has(saleId),
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      held.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

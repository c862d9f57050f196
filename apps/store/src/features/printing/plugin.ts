/**
 * Receipt printing: printer agents and desktop apps connect by WebSocket on
 * `/printing/agents`; every completed order's receipt is dispatched to an agent of its location and
 * acknowledged. Routes list the agents and the jobs.
 *
 * Lifecycle: the hub answers upgrades from registration on (an agent may connect while migrations
 * run; jobs only start with the first order). On shutdown the agents are sent 1001 "going away"
 * BEFORE the HTTP server waits for its connections: an upgraded socket counts as an open connection,
 * so leaving the agents connected would hold `server.close()` open until the shutdown timeout.
 */
import type { FastifyInstance } from 'fastify';
import { authenticate, requireRole } from '../../auth/auth-plugin.ts';
import type { StoreDeps } from '../../deps.ts';
import { StoreError } from '../../http/store-error.ts';
import { invalid } from '../../http/validate.ts';
import { AgentHub } from './agent-hub.ts';
import { readPrintingOptions } from './printing-options.ts';
import { bindPrintingMetrics } from './printing-metrics.ts';
import { PrintService, type PrintJobStatus } from './print-service.ts';

const JOB_STATUSES: readonly PrintJobStatus[] = ['dispatched', 'printed', 'failed'];

export async function printingFeature(app: FastifyInstance, deps: StoreDeps): Promise<void> {
  const options = readPrintingOptions(deps.config.env);
  const logger = deps.logger.child({ module: 'printing' });
  if (options.agentSecretIsDefault) {
    logger.warn({ code: 'STOREWRN003' }, 'PRINTER_AGENT_SECRET is not set: printer agent tokens derive from a PUBLIC development key. Set PRINTER_AGENT_SECRET (>= 32 random characters) outside development.');
  }
  const locations = deps.config.locations;
  const bound = bindPrintingMetrics(deps.commerce, locations);

  const hub: AgentHub = new AgentHub({
    secret: options.agentSecret,
    branches: locations,
    pingIntervalMs: options.pingIntervalMs,
    maxMissedPongs: options.maxMissedPongs,
    logger,
    onConnect: (agent) => {
      bound.connected(agent);
      bound.refreshGauges(hub.list());
    },
    onDisconnect: (agent, reason) => {
      bound.disconnected(agent, reason);
      bound.refreshGauges(hub.list());
    },
    onQualityChange: () => bound.refreshGauges(hub.list()),
  });
  const service = new PrintService({ db: deps.db, hub, metrics: bound, logger, ackTimeoutMs: options.ackTimeoutMs });
  bound.refreshGauges([]);

  hub.attach(app.server);
  const server = app.server;
  const originalClose = server.close;
  // See the header: agents must go before the server waits for its connections.
  server.close = function closeWithAgents(this: typeof server, ...args: Parameters<typeof server.close>) {
    void hub.close();
    return originalClose.apply(this, args);
  } as typeof server.close;

  const unsubscribe = deps.events.on('order.completed', (order) => {
    void service.printReceipt(order);
  });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      unsubscribe();
      await hub.close();
      await service.drain();
      server.close = originalClose;
    })());
  app.addHook('preClose', async () => {
    await hub.close();
  });
  app.addHook('onClose', async () => stop());
  deps.tw.onShutdown('printing', stop);

  app.get('/printing/agents', { preHandler: authenticate }, async (request) => {
    const location = locationQuery(request.query, locations);
    return { agents: hub.list(location) };
  });

  app.get('/printing/jobs', { preHandler: authenticate }, async (request) => {
    const q = (request.query ?? {}) as Record<string, unknown>;
    const location = locationQuery(q, locations);
    let status: PrintJobStatus | undefined;
    if (q.status !== undefined) {
      if (!(JOB_STATUSES as readonly unknown[]).includes(q.status)) throw invalid('status', `one of ${JOB_STATUSES.join(', ')}`, q.status);
      status = q.status as PrintJobStatus;
    }
    return { jobs: await service.list({ location, status, limit: limitQuery(q) }) };
  });

  app.get('/printing/jobs/:id', { preHandler: authenticate }, async (request) => {
    const { id } = request.params as { id: string };
    const job = await service.get(id);
    if (job === undefined) throw new StoreError('STORE_PRINT_JOB_NOT_FOUND', 'no such print job', { statusCode: 404 });
    return job;
  });

  // A test page: answers 200 with the job whatever its outcome (the job's status says it).
  app.post('/printing/test', { preHandler: requireRole('manager', 'admin') }, async (request) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    if (typeof body.location !== 'string' || !locations.includes(body.location)) {
      throw invalid('location', `one of ${locations.join(', ')}`, body.location);
    }
    const job = await service.printTest(body.location);
    if (job === undefined) throw new StoreError('STORE_INTERNAL', undefined, { statusCode: 500 });
    return job;
  });
}

function locationQuery(query: unknown, locations: readonly string[]): string | undefined {
  const v = (query as Record<string, unknown> | undefined)?.location;
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !locations.includes(v)) throw invalid('location', `one of ${locations.join(', ')}`, v);
  return v;
}

function limitQuery(q: Record<string, unknown>): number {
  if (q.limit === undefined) return 50;
  const n = typeof q.limit === 'string' && /^\d+$/.test(q.limit) ? Number(q.limit) : Number.NaN;
  if (!(n >= 1 && n <= 500)) throw invalid('limit', 'an integer between 1 and 500', q.limit);
  return n;
}

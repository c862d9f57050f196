/**
 * The simulated outside world `npm start` brings up next to the store: the payment provider, the
 * SMS/WhatsApp provider and the warehouse, each on its own port, plus one simulated printer agent per
 * location once the store is up. Each one's URL is handed to the store through the environment
 * variable its client reads, unless that variable is already set (then the real endpoint is used and
 * that simulator does not start).
 */
import { envInt, StoreConfigError, type ConfigIssue, type Env, type StoreConfig } from '../config.ts';
import { connectPrinterAgents } from './printer-agent.ts';
import { startPaymentProvider } from './payment-provider.ts';
import { startSmsProvider } from './sms-provider.ts';
import { startWarehouse } from './warehouse.ts';

export interface RunningSimulator {
  readonly name: string;
  readonly url: string;
  /** The environment variable the store reads this simulator's URL from. */
  readonly envVar: string;
  readonly note?: string;
  close(): Promise<void>;
}

interface Simulator {
  readonly name: string;
  readonly envVar: string;
  readonly portVar: string;
  readonly defaultPort: number;
  readonly note: string;
  readonly start: (o: { port: number }) => Promise<{ url: string; close(): Promise<void> }>;
}

const SIMULATORS: readonly Simulator[] = [
  { name: 'payment-provider', envVar: 'PAYMENT_PROVIDER_URL', portVar: 'PAYMENT_SIM_PORT', defaultPort: 3100, note: 'faults: PUT /admin/config {decline_rate, latency_ms, outage}', start: startPaymentProvider },
  { name: 'sms-provider', envVar: 'SMS_PROVIDER_URL', portVar: 'SMS_SIM_PORT', defaultPort: 3101, note: 'faults: PUT /admin/config {failure_rate, latency_ms, outage}', start: startSmsProvider },
  { name: 'warehouse', envVar: 'WAREHOUSE_URL', portVar: 'WAREHOUSE_SIM_PORT', defaultPort: 3102, note: 'faults: PUT /admin/config {failure_rate, latency_ms, stall}', start: startWarehouse },
];

/**
 * Starts the simulators whose real endpoints are not configured.
 * @throws StoreConfigError when a port variable is invalid; an Error naming the port variable when a
 * simulator cannot listen (the ones already started are closed again).
 */
export async function startSimulators(config: StoreConfig): Promise<RunningSimulator[]> {
  const env = config.env;
  const issues: ConfigIssue[] = [];
  const wanted = SIMULATORS.filter((s) => !env[s.envVar]?.trim()).map((s) => ({ sim: s, port: envInt(env, issues, s.portVar, s.defaultPort, 0, 65535) }));
  if (issues.length > 0) throw new StoreConfigError(issues);
  const out: RunningSimulator[] = [];
  for (const { sim, port } of wanted) {
    try {
      const running = await sim.start({ port });
      out.push({ name: sim.name, url: running.url, envVar: sim.envVar, note: sim.note, close: () => running.close() });
    } catch (err) {
      await Promise.allSettled(out.map((s) => s.close()));
      throw new Error(
        `the simulated ${sim.name} could not listen on port ${port} (${sim.portVar}): ${(err as Error).message}; set ${sim.portVar} to a free port (0 picks one) or ${sim.envVar} to a real endpoint`,
        { cause: err },
      );
    }
  }
  return out;
}

/** The environment with each simulator's URL set where the store's clients read it. */
export function envWithSimulators(env: Env, sims: readonly RunningSimulator[]): Env {
  const out: Record<string, string | undefined> = { ...env };
  for (const s of sims) out[s.envVar] = s.url;
  return Object.freeze(out);
}

/** How long a built-in agent stays away after the store closed it. */
export const BUILT_IN_AGENT_RECONNECT_MS = 60_000;

/** The id of the built-in printer agent of a location. */
export function builtInAgentId(branch: string): string {
  return `agent-${branch}-1`;
}

/**
 * Connects one simulated printer agent per location to the running store (unless PRINTER_SIM_AGENTS
 * is `0`), so receipts print in a plain `npm start` demo.
 */
export async function connectPrinterSimulators(storeUrl: string, config: StoreConfig): Promise<RunningSimulator | undefined> {
  const env = config.env;
  if (env.PRINTER_SIM_AGENTS?.trim() === '0') return undefined;
  const secret = env.PRINTER_AGENT_SECRET?.trim();
  const fleet = await connectPrinterAgents({
    url: storeUrl,
    agents: config.locations.map((branch) => ({ branch, agentId: builtInAgentId(branch) })),
    // Back a minute after anything else took the connection away (the simulator's printer-disconnect scenario
    // takes these ids over to darken a location): a demo store does not stay without printers.
    reconnectAfterMs: BUILT_IN_AGENT_RECONNECT_MS,
    ...(secret ? { secret } : {}),
  });
  return {
    name: 'printer-agents',
    url: `${storeUrl.replace(/^http/, 'ws')} (${config.locations.length} agents)`,
    envVar: 'PRINTER_SIM_AGENTS',
    note: 'one per location; PRINTER_SIM_AGENTS=0 turns them off',
    close: () => fleet.close(),
  };
}

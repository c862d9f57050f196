/**
 * The simulated outside world `npm start` brings up next to the store: the payment provider (core),
 * and the peripheral features' simulators when their files are present (SMS/WhatsApp provider,
 * warehouse; the printer agents connect after the store is up). Each one's URL is handed to the
 * store through the environment variable its client reads, unless that variable is already set
 * (then the real endpoint is used and no simulator starts).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { StoreConfig, Env } from '../config.ts';
import type { Logger } from '../deps.ts';
import { startPaymentProvider } from './payment-provider.ts';

export interface RunningSimulator {
  readonly name: string;
  readonly url: string;
  /** The environment variable the store reads this simulator's URL from. */
  readonly envVar: string;
  readonly note?: string;
  close(): Promise<void>;
}

interface OptionalSim {
  readonly name: string;
  readonly file: string;
  readonly exportName: string;
  readonly envVar: string;
  readonly portVar: string;
  readonly defaultPort: number;
  readonly note: string;
}

/** store-B's simulators, started when their modules exist. */
const OPTIONAL_SIMS: readonly OptionalSim[] = [
  { name: 'sms-provider', file: './sms-provider.ts', exportName: 'startSmsProvider', envVar: 'SMS_PROVIDER_URL', portVar: 'SMS_SIM_PORT', defaultPort: 3101, note: 'admin: POST /admin/config' },
  { name: 'warehouse', file: './warehouse.ts', exportName: 'startWarehouse', envVar: 'WAREHOUSE_URL', portVar: 'WAREHOUSE_SIM_PORT', defaultPort: 3102, note: 'admin: POST /admin/config' },
];

function portFrom(env: Env, name: string, def: number): number {
  const raw = env[name]?.trim();
  return raw && /^\d+$/.test(raw) && Number(raw) <= 65535 ? Number(raw) : def;
}

/** Starts the simulators whose real endpoints are not configured. */
export async function startSimulators(config: StoreConfig, log: Logger): Promise<RunningSimulator[]> {
  const env = config.env;
  const out: RunningSimulator[] = [];
  if (!env.PAYMENT_PROVIDER_URL?.trim()) {
    const sim = await startPaymentProvider({ port: portFrom(env, 'PAYMENT_SIM_PORT', 3100) });
    out.push({ name: 'payment-provider', url: sim.url, envVar: 'PAYMENT_PROVIDER_URL', note: 'faults: PUT /admin/config {decline_rate, latency_ms, outage}', close: () => sim.close() });
  }
  for (const s of OPTIONAL_SIMS) {
    if (env[s.envVar]?.trim()) continue;
    const url = new URL(s.file, import.meta.url);
    if (!existsSync(fileURLToPath(url))) continue;
    try {
      const mod = (await import(url.href)) as Record<string, unknown>;
      const start = mod[s.exportName];
      if (typeof start !== 'function') continue;
      const sim = (await (start as (o: { port: number }) => Promise<{ url: string; close(): Promise<void> }>)({ port: portFrom(env, s.portVar, s.defaultPort) }));
      out.push({ name: s.name, url: sim.url, envVar: s.envVar, note: s.note, close: () => sim.close() });
    } catch (err) {
      log.warn({ err, simulator: s.name }, 'simulator failed to start; the store starts without it');
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

/**
 * Connects one simulated printer agent per location to the running store (when the printing feature's
 * simulator is present and PRINTER_SIM_AGENTS is not `0`), so receipts print in a plain `npm start` demo.
 */
export async function connectPrinterSimulators(storeUrl: string, config: StoreConfig, log: Logger): Promise<RunningSimulator | undefined> {
  const env = config.env;
  if (env.PRINTER_SIM_AGENTS?.trim() === '0') return undefined;
  const url = new URL('./printer-agent.ts', import.meta.url);
  if (!existsSync(fileURLToPath(url))) return undefined;
  try {
    const mod = (await import(url.href)) as Record<string, unknown>;
    const connect = mod.connectPrinterAgents;
    if (typeof connect !== 'function') return undefined;
    const secret = env.PRINTER_AGENT_SECRET?.trim();
    const fleet = (await (connect as (o: Record<string, unknown>) => Promise<{ close(): Promise<void> }>)({
      url: storeUrl,
      agents: config.locations.map((branch) => ({ branch })),
      ...(secret ? { secret } : {}),
    }));
    return {
      name: 'printer-agents',
      url: `${storeUrl.replace(/^http/, 'ws')} (${config.locations.length} agents)`,
      envVar: 'PRINTER_SIM_AGENTS',
      note: 'one per location; PRINTER_SIM_AGENTS=0 turns them off',
      close: () => fleet.close(),
    };
  } catch (err) {
    log.warn({ err }, 'simulated printer agents could not connect; the store runs without them');
    return undefined;
  }
}

/**
 * The store as `npm start` runs it: its own process, with its simulated providers (payment, SMS, warehouse) on
 * free ports and its built-in printer agents connected, watched by the alerting stack (real Prometheus and
 * Alertmanager from the bundle the CLI generates, local receivers). A test flips the providers' faults through
 * their admin API, as the simulator's scenarios do. Everything stops in `t.after`.
 *
 * Nothing the store talks to runs in the test process, so the test's own work (the receivers, the polling)
 * never delays a scrape or a provider call: on a loaded machine a store inside the test process missed its
 * scrapes (`ServiceDown` silenced everything else), and providers inside it answered payments too late.
 */
import type { TestContext } from 'node:test';
import type { AlertSpec } from '@tillwatch/spec';
import { startAlertingStack, startLocalReceivers, waitForScrape, type LocalReceivers } from './e2e-stack.ts';
import { getJson, waitFor, type ChildService } from './processes.ts';
import { startStoreProcess, type StoreProcess } from './store-process.ts';
import type { DeployOverrides } from './test-bundle.ts';

export interface StoreUnderWatch {
  readonly store: StoreProcess;
  /** The store's simulated payment provider: `configure({ outage: true })` is the payment-outage scenario. */
  readonly payment: { readonly url: string; configure(patch: { outage?: boolean }): Promise<void> };
  readonly receivers: LocalReceivers;
  readonly prom: ChildService;
  readonly am: ChildService;
  /** The generated prometheus.yml of the bundle watching the store. */
  readonly prometheusConfig: string;
  /** The simulator's arguments that point it at this store and these providers. */
  readonly simulatorTarget: readonly string[];
}

export interface PromAlert {
  readonly labels: Record<string, string>;
  readonly state: string;
  readonly activeAt: string;
  readonly value: string;
}

/**
 * Scrape interval (and so timeout) of these tests: the store, the simulator, Prometheus and the test share a
 * loaded 2-core machine, where the store's /metrics (gauges read from its in-process database, which the
 * simulated traffic keeps busy) took over 2 s for minutes on end, and every scrape timing out fired
 * `ServiceDown`, which silences everything else.
 */
export const WATCH_SCRAPE_SECONDS = 5;
/** The latency SLO's threshold here (see DeployOverrides.latencySloSeconds). */
export const WATCH_LATENCY_SLO_SECONDS = 5;
/** The SLOs' minimum-traffic guard here (see DeployOverrides.sloMinEvents). */
export const WATCH_SLO_MIN_EVENTS = 30;

/** The store as `npm start` runs it, with its simulated providers: what a watching stack scrapes. */
export type WatchedStore = Pick<StoreUnderWatch, 'store' | 'payment' | 'simulatorTarget'>;

/**
 * Starts the store process (built-in printer agents, providers on free ports, `storeEnv` over the defaults),
 * stopped in `t.after`; on `port` when given (so a stack can be generated for it while it starts), else on one
 * the kernel picks.
 */
export async function startWatchedStore(t: TestContext, port?: number, storeEnv: Readonly<Record<string, string>> = {}): Promise<WatchedStore> {
  const store = await startStoreProcess(t, {
    ...(port !== undefined ? { PORT: String(port) } : {}),
    PAYMENT_SIM_PORT: '0',
    SMS_SIM_PORT: '0',
    WAREHOUSE_SIM_PORT: '0',
    SALES_SYNC_INTERVAL_MS: '1000',
    // The built-in printer agents, as `npm start` connects them: a simulator run must leave them connected.
    PRINTER_SIM_AGENTS: '1',
    ...storeEnv,
  });
  const banner = (name: string): string => {
    const url = new RegExp(`^\\s*${name}\\s+(http://127\\.0\\.0\\.1:\\d+)`, 'm').exec(store.stderr())?.[1];
    if (url === undefined) throw new Error(`the store's start banner names no ${name} URL:\n${store.stderr().slice(-3000)}`);
    return url;
  };
  const paymentUrl = banner('payment-provider');
  const payment = {
    url: paymentUrl,
    /** Retried until it answers (bounded): the store's process may be slow to answer on a loaded machine. */
    async configure(patch: { outage?: boolean }): Promise<void> {
      await waitFor(`the payment provider to accept ${JSON.stringify(patch)}`, 90_000, async () => {
        const res = await fetch(`${paymentUrl}/admin/config`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(patch), signal: AbortSignal.timeout(20_000) });
        await res.arrayBuffer();
        if (!res.ok) throw new Error(`PUT ${paymentUrl}/admin/config: HTTP ${res.status}`);
        return true;
      });
    },
  };
  const simulatorTarget = ['--url', store.url, '--payment-url', paymentUrl, '--warehouse-url', banner('warehouse'), '--sms-url', banner('sms-provider')];
  return { store, payment, simulatorTarget };
}

/** Starts everything and waits (bounded) until Prometheus scrapes the store and knows the Alertmanager. */
export async function startStoreUnderWatch(t: TestContext, alerts: DeployOverrides['alerts'], storeEnv: Readonly<Record<string, string>> = {}): Promise<StoreUnderWatch> {
  const receivers = await startLocalReceivers(t);
  const { store, payment, simulatorTarget } = await startWatchedStore(t, undefined, storeEnv);
  const { prom, am, prometheusConfig } = await startAlertingStack(t, { storeUrl: store.url, receivers, alerts, scrapeSeconds: WATCH_SCRAPE_SECONDS, latencySloSeconds: WATCH_LATENCY_SLO_SECONDS, sloMinEvents: WATCH_SLO_MIN_EVENTS });
  await waitForScrape(prom);
  await waitFor('Prometheus to discover the Alertmanager', 60_000, async () => {
    const r = await getJson<{ data: { activeAlertmanagers: unknown[] } }>(`${prom.url}/api/v1/alertmanagers`);
    return r.data.activeAlertmanagers.length > 0 ? true : undefined;
  });
  return { store, payment, receivers, prom, am, prometheusConfig, simulatorTarget };
}

/** Runs an instant query; every sample as [labels, value]. */
export async function queryAll(prom: ChildService, expr: string): Promise<[Record<string, string>, number][]> {
  const r = await getJson<{ data: { result: { metric: Record<string, string>; value: [number, string] }[] } }>(`${prom.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
  return r.data.result.map((x) => [x.metric, Number(x.value[1])]);
}

/** Runs an instant query; the first sample's value, undefined when the result is empty. */
export async function query(prom: ChildService, expr: string): Promise<number | undefined> {
  return (await queryAll(prom, expr))[0]?.[1];
}

export async function promAlerts(prom: ChildService): Promise<PromAlert[]> {
  return (await getJson<{ data: { alerts: PromAlert[] } }>(`${prom.url}/api/v1/alerts`)).data.alerts;
}

/** An alert that is always true while the store is scraped: proves that its severity reaches its receiver. */
export function routingCanary(name: string, severity: 'warning' | 'info', test: AlertSpec['test']): AlertSpec {
  return {
    name,
    severity,
    for: '0s',
    group: 'routing-canary',
    team: 'store-ops',
    expr: 'up{job="store"} == 1',
    summary: `Routing canary (${severity}) of the end-to-end test`,
    description: 'Always true while the store is scraped: proves that this severity reaches its receiver.',
    runbook: '1. Nothing to do: it exists only in the end-to-end test config.',
    test,
  };
}

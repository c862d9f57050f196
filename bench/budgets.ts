/**
 * Performance budgets per route, with a verdict: the store's checkout journeys under a bounded load, against the
 * store as `npm start` runs it and against a bare baseline measured in the same run; exits 1 with a table when a
 * route is over its budget (docs/budgets.md).
 *
 *   npm run bench:budgets -- [--journeys 40] [--rounds 2] [--concurrency 4] [--markdown FILE]
 *
 * Budgets: per route, derived from the HTTP latency SLO of deploy/tillwatch.config.ts (latency at the SLO's
 * quantile within its threshold; CPU per request within threshold / concurrency), with the store's overrides
 * (apps/store/src/store-budgets.ts); @tillwatch/spec's deriveRouteBudgets.
 *
 * Modes, each a store process (`node apps/store/src/main.ts`, in-memory database, one simulated printer agent per
 * location), both started before the first round and loaded in turn, round after round, order alternating:
 * - `store`: as `npm start` runs it: logs, access log, metrics (with clients), the in-process rules and console;
 * - `baseline`: the same store, routes and database work with its telemetry switched off by environment
 *   (LOG_LEVEL=silent, TILLWATCH_ACCESS_LOG=false, TILLWATCH_METRICS=false, TILLWATCH_CLIENT_METRICS=false,
 *   TILLWATCH_CONSOLE=off). What stays is what cannot be switched off: the health probes, the request context,
 *   the database wrapper's timing. It answers "could this machine meet the budget at all?".
 * The providers (payment, SMS, warehouse simulators) run in this process, so their CPU is not the store's.
 *
 * Load: `journeys` checkout journeys per mode and round, driven in lock-step by `tillwatch/synthetic` sessions:
 * step k of every journey runs (at most `concurrency` in flight) before step k+1 starts, so the store's process CPU
 * (user + system from /proc, threads included) during a step is that step's route, divided by its requests. The
 * latency of a route is its requests' wall time at the budget's quantile (nearest rank) over all rounds; its
 * spread between rounds is the run's noise, which widens the baseline when it judges the machine.
 * 10 journeys per store warm it up first, unmeasured. Every request count is bounded.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { deriveRouteBudgets, judgeRouteBudgets, renderBudgetTable, STORE_CHECKOUT_JOURNEY, type RouteMeasurement } from '@tillwatch/spec';
import type { JourneyRequestRecord, JourneySession } from 'tillwatch/synthetic';
import deployConfig from '../deploy/tillwatch.config.ts';
import { DEMO_USERS } from '../apps/store/src/auth/demo-users.ts';
import { startPaymentProvider } from '../apps/store/src/sim/payment-provider.ts';
import { startSmsProvider } from '../apps/store/src/sim/sms-provider.ts';
import { startWarehouse } from '../apps/store/src/sim/warehouse.ts';
import { STORE_ROUTE_BUDGET_OVERRIDES } from '../apps/store/src/store-budgets.ts';
import { checkoutJourney } from '../apps/store/src/synthetic/checkout-journey.ts';
import { spawnStoreProcess, type SpawnedStore } from '../apps/store/test/helpers/alerting/store-process.ts';

const { values: args } = parseArgs({
  options: {
    journeys: { type: 'string', default: '40' },
    rounds: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '4' },
    markdown: { type: 'string' },
  },
});
const int = (name: string, v: string, min: number, max: number): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) {
    process.stderr.write(`--${name}: expected an integer from ${min} to ${max}, got ${JSON.stringify(v)}\n`);
    process.exit(2);
  }
  return n;
};
const JOURNEYS = int('journeys', args.journeys, 1, 500);
// At least two: the spread between rounds is the run's noise, which the latency verdict needs.
const ROUNDS = int('rounds', args.rounds, 2, 10);
const CONCURRENCY = int('concurrency', args.concurrency, 1, 64);
const WARMUP = 10;

// The routes the checkout journey calls, as its steps name them (= the store's route templates).
const ROUTES = ['POST /auth/login', 'POST /orders', 'POST /orders/:id/pay', 'POST /orders/:id/complete', 'GET /printing/jobs'];
const budgets = deriveRouteBudgets({ slos: deployConfig.slos, routes: ROUTES, concurrency: CONCURRENCY, overrides: STORE_ROUTE_BUDGET_OVERRIDES });

const TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
/** User + system CPU seconds of a process and all its threads (libuv's pool: scrypt, PGlite's WASM is on the loop). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS; // utime, stime (fields 14 and 15 of proc(5))
}

async function pool<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let i = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (i < items.length) await fn(items[i++]!);
  }));
}

const payment = await startPaymentProvider();
const sms = await startSmsProvider();
const warehouse = await startWarehouse();
const LOCATIONS = ['store-001', 'store-002'];
const common = {
  PAYMENT_PROVIDER_URL: payment.url,
  SMS_PROVIDER_URL: sms.url,
  WAREHOUSE_URL: warehouse.url,
  LOCATIONS: LOCATIONS.join(','),
  PRINTER_SIM_AGENTS: '1',
  SYNTHETIC_JOURNEYS: 'off',
  NODE_ENV: 'development',
  // The sources of this checkout, not a possibly stale dist/.
  NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --conditions=tillwatch-source`.trim(),
};
const MODES = {
  baseline: { ...common, LOG_LEVEL: 'silent', TILLWATCH_ACCESS_LOG: 'false', TILLWATCH_METRICS: 'false', TILLWATCH_CLIENT_METRICS: 'false', TILLWATCH_CONSOLE: 'off' },
  store: { ...common },
} as const;
type Mode = keyof typeof MODES;

const stores = new Map<Mode, SpawnedStore>();
const cleanup = async (): Promise<void> => {
  await Promise.all([...stores.values()].map((s) => s.kill('SIGTERM')));
  await Promise.all([payment.close(), sms.close(), warehouse.close()]);
};

// Non-age-restricted products with stock enough for every journey of a run (seed: 300 + 250 + 180 + 400 per location).
const SKUS = ['SNACK-CHIPS-SALT', 'SNACK-PRETZEL', 'MIXER-TONIC-4PK', 'MIXER-ICE-2KG'];
const cashier = DEMO_USERS.find((u) => u.role === 'cashier')!;

interface Sample {
  /** Per route, per round: the requests' seconds. */
  latencies: Map<string, number[][]>;
  cpu: Map<string, number>;
  requests: Map<string, number>;
  failures: Map<string, number>;
  journeys: number;
}
const samples = new Map<Mode, Sample>(Object.keys(MODES).map((m) => [m as Mode, { latencies: new Map(), cpu: new Map(), requests: new Map(), failures: new Map(), journeys: 0 }]));

/** `n` journeys in lock-step against one store; records per-route latency, CPU and failures into `into`. */
async function runJourneys(store: SpawnedStore, n: number, into: Sample | undefined, round = 0): Promise<void> {
  let records: JourneyRequestRecord[] = [];
  const sessions: JourneySession[] = Array.from({ length: n }, (_, i) =>
    checkoutJourney({
      baseUrl: store.url,
      location: LOCATIONS[i % LOCATIONS.length]!,
      sku: SKUS[Math.floor(i / LOCATIONS.length) % SKUS.length]!,
      username: cashier.username,
      password: cashier.password,
      terminal: 'bench',
      onRequest: (r) => records.push(r),
    }).session(),
  );
  let live = sessions;
  for (const step of STORE_CHECKOUT_JOURNEY.steps) {
    records = [];
    const failedNow: JourneySession[] = [];
    const cpu0 = cpuSeconds(store.pid);
    await pool(live, CONCURRENCY, async (s) => {
      const r = await s.next();
      if (r?.success === false) {
        failedNow.push(s);
        if (into) into.failures.set(`${step.name}: ${r.error}`, (into.failures.get(`${step.name}: ${r.error}`) ?? 0) + 1);
      }
    });
    const cpu = cpuSeconds(store.pid) - cpu0;
    live = live.filter((s) => !failedNow.includes(s));
    if (!into) continue;
    const ok = records.filter((r) => r.status >= 200 && r.status < 300);
    for (const r of ok) {
      const key = `${r.method} ${r.route}`;
      const rounds = into.latencies.get(key) ?? into.latencies.set(key, []).get(key)!;
      (rounds[round] ??= []).push(r.seconds);
    }
    // The step's CPU, over its requests (the polling step's several per journey).
    for (const route of new Set(records.map((r) => `${r.method} ${r.route}`))) {
      const count = records.filter((r) => `${r.method} ${r.route}` === route).length;
      into.cpu.set(route, (into.cpu.get(route) ?? 0) + (cpu * count) / records.length);
      into.requests.set(route, (into.requests.get(route) ?? 0) + count);
    }
  }
  if (into) into.journeys += n;
}

const quantile = (xs: readonly number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
};

const startedAt = new Date();
const t00 = performance.now();
const load0 = os.loadavg()[0]!;
try {
  await Promise.all((Object.keys(MODES) as Mode[]).map(async (mode) => stores.set(mode, await spawnStoreProcess(MODES[mode]))));
  for (const mode of stores.keys()) await runJourneys(stores.get(mode)!, WARMUP, undefined);
  process.stderr.write(`stores started and warmed up in ${((performance.now() - t00) / 1000).toFixed(1)} s\n`);
  for (let round = 0; round < ROUNDS; round++) {
    const order = (round % 2 === 0 ? ['baseline', 'store'] : ['store', 'baseline']) as Mode[];
    for (const mode of order) {
      const t0 = performance.now();
      await runJourneys(stores.get(mode)!, JOURNEYS, samples.get(mode), round);
      process.stderr.write(`round ${round + 1}/${ROUNDS} ${mode}: ${JOURNEYS} journeys in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    }
  }
} finally {
  await cleanup();
}

const measure = (mode: Mode): RouteMeasurement[] => {
  const s = samples.get(mode)!;
  return budgets.map((b) => {
    const rounds = (s.latencies.get(b.route) ?? []).filter((r) => r.length > 0);
    const lat = rounds.flat();
    const perRound = rounds.map((r) => quantile(r, b.quantile));
    const requests = s.requests.get(b.route) ?? 0;
    return {
      route: b.route,
      requests: lat.length,
      latencySeconds: lat.length ? quantile(lat, b.quantile) : 0,
      cpuSecondsPerRequest: requests ? (s.cpu.get(b.route) ?? 0) / requests : 0,
      ...(perRound.length > 1 ? { latencySpread: (Math.max(...perRound) - Math.min(...perRound)) / Math.min(...perRound) } : {}),
    };
  });
};
const report = judgeRouteBudgets(budgets, measure('store'), measure('baseline'));
const failures = [...samples.entries()].flatMap(([mode, s]) => [...s.failures.entries()].map(([why, n]) => `${mode}: ${n} journey(s) failed at ${why}`));
const totalJourneys = [...samples.values()].reduce((a, s) => a + s.journeys, 0);
const failedJourneys = [...samples.values()].reduce((a, s) => a + [...s.failures.values()].reduce((x, y) => x + y, 0), 0);
// A journey that breaks is the store failing, not a budget question; more than 2% of them fails the bench.
const journeysBroken = failedJourneys > totalJourneys * 0.02;

const text = [
  `Route budgets: ${JOURNEYS} checkout journeys x ${ROUNDS} rounds per mode, ${CONCURRENCY} in flight, on ${os.cpus().length} CPUs, Node ${process.version}, load average ${load0.toFixed(1)} at the start and ${os.loadavg()[0]!.toFixed(1)} at the end (${startedAt.toISOString()}).`,
  `Budgets from the latency SLO of deploy/tillwatch.config.ts and apps/store/src/store-budgets.ts; figures are the store as npm start runs it, the baseline (telemetry off) in brackets.`,
  '',
  renderBudgetTable(report),
  '',
  ...(failures.length ? ['Failed journeys:', ...failures.map((f) => `- ${f}`), ''] : []),
  report.failed || journeysBroken
    ? `FAIL: ${report.rows.filter((r) => r.verdict === 'over' || r.verdict === 'not measured').map((r) => `${r.budget.route} ${r.verdict}`).join(', ')}${journeysBroken ? `${report.failed ? '; ' : ''}${failedJourneys} of ${totalJourneys} journeys failed` : ''}`
    : report.rows.some((r) => r.verdict === 'machine too slow')
      ? `OK: no route over its budget; latency gave no verdict for ${report.rows.filter((r) => r.verdict === 'machine too slow').map((r) => r.budget.route).join(', ')} (the baseline was over too: this machine is too loaded to judge it).`
      : 'OK: every route within its budget.',
].join('\n');
process.stdout.write(`${text}\n`);
process.stderr.write(`bench took ${((performance.now() - t00) / 1000).toFixed(1)} s\n`);
if (args.markdown) writeFileSync(args.markdown, `${text}\n`);
process.exit(report.failed || journeysBroken ? 1 : 0);

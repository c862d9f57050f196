/**
 * `npm run stack [-- options]`: the local stack from the Debian binaries, on loopback, without Docker. The compose
 * file `tillwatch generate` writes (deploy/compose/) is the same stack for machines with Docker.
 *
 * Starts, each as a child process stopped by its PID:
 * - the store (`node apps/store/src/main.ts`: embedded PGlite in the data directory, or Postgres and Redis when
 *   DATABASE_URL / REDIS_URL are set), with its simulated payment, SMS and warehouse providers;
 * - `prometheus-alertmanager` with the generated routing (deploy/alertmanager/alertmanager.yml), every receiver
 *   delivering to the local receiver (packages/cli/src/render/local-stack.ts);
 * - `prometheus` with the generated rules (deploy/prometheus/rules) and short scrape and evaluation intervals
 *   derived from the fastest SLO page's `for` (demoTimings);
 * and, in this process, the webhook receiver (`tillwatch receiver`) that prints each notification and serves them at
 * its URL. With `--scenario payment-outage` the store's simulator drives traffic, and once the payment SLO's
 * minimum-traffic guard holds, the payment provider's outage switch (`PUT <provider>/admin/config {"outage":true}`)
 * is flipped until the page reaches the receiver. Other simulator scenarios (slow-db, printer-disconnect, ...) are
 * run by the simulator as it runs them (`npm run simulate`).
 *
 * Ctrl-C, SIGTERM or SIGHUP stops every child (SIGTERM by PID, SIGKILL after 15 s) and exits 0; when a child dies
 * on its own, the others are stopped and it exits 1. Data and logs go to the data directory (default .stack/,
 * emptied at start).
 *
 * Options: --scenario (none | payment-outage | a simulator scenario), --rate (checkouts per second, default 2),
 * --minutes (simulator scenarios other than payment-outage, default 6), --free-ports (the kernel picks every
 * port: several stacks on one machine), --data-dir, --until-notified (exit 0, everything stopped, once the
 * scenario's alert reached the receiver).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { delimiter, dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { parse, stringify } from 'yaml';
import { BURN_WINDOWS, DEFAULT_MIN_EVENTS, durationSeconds, type SloSpec } from '@tillwatch/spec';
import { demoTimings, localAlertmanagerConfig, localPrometheusConfig } from '../packages/cli/src/render/local-stack.ts';
import { startAlertReceiver, type AlertReceiver } from '../packages/cli/src/stack/alert-receiver.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DEPLOY = join(ROOT, 'deploy');
const SIM_SCENARIOS = ['normal', 'payment-outage', 'slow-db', 'printer-disconnect', 'sync-stall', 'sms-outage', 'brute-force', 'password-spray'];
/** The alert each scenario is expected to raise first (what --until-notified waits for). */
export const SCENARIO_ALERT: Readonly<Record<string, string>> = { 'payment-outage': 'PaymentSuccessErrorBudgetBurnPage' };
const STOP_GRACE_MS = 15_000;
const TAIL_BYTES = 16 * 1024;

/** Debian packages of the binaries the stack runs. */
const BINARIES = [
  { command: 'prometheus', pkg: 'prometheus' },
  { command: 'prometheus-alertmanager', pkg: 'prometheus-alertmanager' },
] as const;

const log = (line: string): void => void process.stdout.write(`stack: ${line}\n`);
const clock = (): string => new Date().toISOString().slice(11, 19);

function fail(line: string, code = 2): never {
  process.stderr.write(`stack: ${line}\n`);
  process.exit(code);
}

/** Stops whatever was started, then exits 1. */
async function abort(line: string): Promise<never> {
  process.stderr.write(`stack: ${line}\n`);
  return stopAll(1);
}

function onPath(command: string): boolean {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      // not here
    }
  }
  return false;
}

/** True when `port` can be bound on 127.0.0.1 right now. */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r, j) => (s.once('error', j), s.listen(0, '127.0.0.1', () => r())));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined> | T | undefined, intervalMs = 500): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() >= deadline) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await sleep(intervalMs);
  }
}

async function httpOk(url: string): Promise<true | undefined> {
  const res = await fetch(url, { signal: AbortSignal.timeout(3_000) });
  await res.arrayBuffer();
  return res.ok ? true : undefined;
}

interface Child {
  readonly name: string;
  readonly proc: ChildProcess;
  readonly logFile: string;
  tail(): string;
  exited(): boolean;
}

const children: Child[] = [];
let stopping = false;

function startChild(name: string, command: string, args: readonly string[], logDir: string, env?: NodeJS.ProcessEnv): Child {
  const logFile = join(logDir, `${name}.log`);
  const out = createWriteStream(logFile);
  const proc = spawn(command, [...args], { stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env, cwd: ROOT });
  let tail = '';
  const keep = (d: Buffer) => {
    out.write(d);
    tail = (tail + d.toString('utf8')).slice(-TAIL_BYTES);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  proc.once('error', (err) => void abort(`could not start ${name} (${command}): ${err.message}`));
  const child: Child = { name, proc, logFile, tail: () => tail, exited: () => proc.exitCode !== null || proc.signalCode !== null };
  children.push(child);
  proc.once('exit', (code, signal) => {
    out.end();
    if (!stopping && !(name === 'simulator' && code === 0)) {
      process.stderr.write(`stack: ${name} (pid ${proc.pid}) exited on its own (${signal ?? `exit ${code}`}); its log: ${logFile}\n${tail.slice(-4000)}\n`);
      void stopAll(1);
    }
  });
  return child;
}

async function stopChild(c: Child): Promise<void> {
  if (c.exited() || c.proc.pid === undefined) return;
  const gone = new Promise<void>((r) => c.proc.once('exit', () => r()));
  try {
    process.kill(c.proc.pid, 'SIGTERM');
  } catch {
    return;
  }
  const timer = sleep(STOP_GRACE_MS, 'timeout' as const, { ref: false });
  if ((await Promise.race([gone.then(() => 'gone' as const), timer])) === 'timeout') {
    try {
      process.kill(c.proc.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    await gone;
  }
}

let receiver: AlertReceiver | undefined;

/** Stops every child, newest first (traffic, then Prometheus, Alertmanager, the store), then exits with `code`. */
async function stopAll(code: number): Promise<never> {
  if (stopping) return new Promise<never>(() => {});
  stopping = true;
  log(`stopping ${children.filter((c) => !c.exited()).map((c) => `${c.name} (pid ${c.proc.pid})`).join(', ') || 'nothing'}`);
  for (const c of [...children].reverse()) await stopChild(c);
  await receiver?.close();
  log(`stopped; nothing of the stack is running (logs and data in ${dataDir})`);
  process.exit(code);
}

// --- options --------------------------------------------------------------------------------------------------
const { values: opts } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'none' },
    rate: { type: 'string', default: '2' },
    minutes: { type: 'string', default: '6' },
    'free-ports': { type: 'boolean', default: false },
    'data-dir': { type: 'string', default: join(ROOT, '.stack') },
    'until-notified': { type: 'boolean', default: false },
  },
  strict: true,
});
const scenario = opts.scenario!;
if (scenario !== 'none' && !SIM_SCENARIOS.includes(scenario)) fail(`--scenario: expected none or one of ${SIM_SCENARIOS.join(', ')}, got ${JSON.stringify(scenario)}`);
const rate = Number(opts.rate);
if (!(rate > 0 && rate <= 20)) fail(`--rate: expected checkouts per second between 0 and 20, got ${JSON.stringify(opts.rate)}`);
const minutes = Number(opts.minutes);
if (!(minutes > 0 && minutes <= 120)) fail(`--minutes: expected 0 to 120, got ${JSON.stringify(opts.minutes)}`);
if (opts['until-notified'] && SCENARIO_ALERT[scenario] === undefined) fail(`--until-notified needs a scenario with an expected alert (${Object.keys(SCENARIO_ALERT).join(', ')})`);
const dataDir = resolve(opts['data-dir']!);
const freePorts = opts['free-ports']!;

// --- what must be there -----------------------------------------------------------------------------------------
const missing = BINARIES.filter((b) => !onPath(b.command));
if (missing.length > 0) {
  fail(
    `${missing.map((b) => `\`${b.command}\``).join(' and ')} not found on PATH. Install the Debian package${missing.length > 1 ? 's' : ''}: ` +
      `sudo apt-get install ${missing.map((b) => b.pkg).join(' ')}   (or run the compose file where Docker is: docs/stack.md)`,
  );
}
const generatedProm = join(DEPLOY, 'prometheus', 'prometheus.yml');
const generatedAm = join(DEPLOY, 'alertmanager', 'alertmanager.yml');
for (const f of [generatedProm, generatedAm]) if (!existsSync(f)) fail(`${f} does not exist: run npm run generate`);

for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, () => void stopAll(0));
// Whatever fails from here on, the children are stopped before the stack exits.
process.on('uncaughtException', (err) => void abort(`failed: ${err.stack ?? err.message}`));
process.on('unhandledRejection', (err) => void abort(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`));

// --- ports and directories --------------------------------------------------------------------------------------
const PORTS = { store: 3000, payment: 3100, sms: 3101, warehouse: 3102, prometheus: 9090, alertmanager: 9093, receiver: 9099 };
if (freePorts) {
  for (const k of ['prometheus', 'alertmanager', 'receiver'] as const) PORTS[k] = await freePort();
  for (const k of ['store', 'payment', 'sms', 'warehouse'] as const) PORTS[k] = 0;
} else {
  for (const [name, port] of Object.entries(PORTS)) {
    if (!(await portFree(port))) fail(`port ${port} (${name}) is in use on 127.0.0.1: stop what uses it, or run with --free-ports`);
  }
}
rmSync(dataDir, { recursive: true, force: true });
const logDir = join(dataDir, 'logs');
for (const d of ['logs', 'config', 'prometheus', 'alertmanager', 'store']) mkdirSync(join(dataDir, d), { recursive: true });

// --- the receiver -----------------------------------------------------------------------------------------------
receiver = await startAlertReceiver({ port: PORTS.receiver, print: (text) => process.stdout.write(`\n${text}`) });

// --- the store --------------------------------------------------------------------------------------------------
const storeEnv: NodeJS.ProcessEnv = {
  ...process.env,
  HOST: '127.0.0.1',
  PORT: String(PORTS.store),
  PAYMENT_SIM_PORT: String(PORTS.payment),
  SMS_SIM_PORT: String(PORTS.sms),
  WAREHOUSE_SIM_PORT: String(PORTS.warehouse),
  TILLWATCH_DATA_DIR: process.env.TILLWATCH_DATA_DIR ?? join(dataDir, 'store', 'pglite'),
  JWT_SECRET: process.env.JWT_SECRET ?? randomBytes(32).toString('hex'),
};
log(`starting the store (${process.env.DATABASE_URL ? 'Postgres from DATABASE_URL' : 'embedded PGlite'}${process.env.REDIS_URL ? ', Redis from REDIS_URL' : ''})`);
const store = startChild('store', process.execPath, [join(ROOT, 'apps/store/src/main.ts')], logDir, storeEnv);
const banner = (name: string): string | undefined => new RegExp(`^\\s*${name}\\s+(http://127\\.0\\.0\\.1:\\d+)\\s*(?:\\(|$)`, 'm').exec(store.tail())?.[1];
const storeUrl = await waitFor('the store to start (its URL in the start banner)', 180_000, () => banner('store'), 200).catch((err: Error) => abort(`${err.message}\n${store.tail()}`));
await waitFor(`the store to be ready (${storeUrl}/health/ready)`, 120_000, () => httpOk(`${storeUrl}/health/ready`)).catch((err: Error) => abort(`${err.message}\n${store.tail()}`));
const paymentUrl = banner('payment-provider') ?? (await abort(`the store's banner names no payment-provider URL:\n${store.tail()}`));
const smsUrl = banner('sms-provider') ?? (await abort('the store\'s banner names no sms-provider URL'));
const warehouseUrl = banner('warehouse') ?? (await abort('the store\'s banner names no warehouse URL'));
const consoleUrl = /^\s*console\s+(http:\/\/\S+)/m.exec(store.tail())?.[1];

// --- Alertmanager and Prometheus with the generated rules and routing -------------------------------------------
const promGenerated = parse(readFileSync(generatedProm, 'utf8')) as { global?: { scrape_interval?: string; evaluation_interval?: string } };
const timings = demoTimings(durationSeconds(promGenerated.global?.scrape_interval ?? '15s'), durationSeconds(promGenerated.global?.evaluation_interval ?? '15s'));
const promConfig = join(dataDir, 'config', 'prometheus.yml');
const amConfig = join(dataDir, 'config', 'alertmanager.yml');
const header = (what: string) => `# ${what} of npm run stack, derived from ${what === 'Prometheus configuration' ? 'deploy/prometheus/prometheus.yml' : 'deploy/alertmanager/alertmanager.yml'} (scripts/stack.ts).\n`;
writeFileSync(
  promConfig,
  header('Prometheus configuration') +
    stringify(localPrometheusConfig(promGenerated as never, { target: new URL(storeUrl).host, alertmanager: `127.0.0.1:${PORTS.alertmanager}`, ...timings, ruleFiles: [join(DEPLOY, 'prometheus', 'rules', '*.yml')] })),
);
const amGenerated = parse(readFileSync(generatedAm, 'utf8')) as { route?: { group_wait?: string; routes?: unknown[] } };
writeFileSync(amConfig, header('Alertmanager configuration') + stringify(localAlertmanagerConfig(amGenerated as never, receiver.url)));

const amUrl = `http://127.0.0.1:${PORTS.alertmanager}`;
const am = startChild('alertmanager', 'prometheus-alertmanager', [`--config.file=${amConfig}`, `--storage.path=${join(dataDir, 'alertmanager')}`, `--web.listen-address=127.0.0.1:${PORTS.alertmanager}`, '--cluster.listen-address=', '--log.level=warn'], logDir);
await waitFor(`Alertmanager to be ready (${amUrl}/-/ready)`, 60_000, () => httpOk(`${amUrl}/-/ready`)).catch((err: Error) => abort(`${err.message}\n${am.tail()}`));
const promUrl = `http://127.0.0.1:${PORTS.prometheus}`;
const prom = startChild('prometheus', 'prometheus', [`--config.file=${promConfig}`, `--storage.tsdb.path=${join(dataDir, 'prometheus')}`, `--web.listen-address=127.0.0.1:${PORTS.prometheus}`, '--log.level=warn'], logDir);
await waitFor(`Prometheus to be ready (${promUrl}/-/ready)`, 120_000, () => httpOk(`${promUrl}/-/ready`)).catch((err: Error) => abort(`${err.message}\n${prom.tail()}`));

const pids = [`stack ${process.pid}`, ...children.map((c) => `${c.name} ${c.proc.pid}`)].join(', ');
process.stdout.write(
  [
    '',
    '  tillwatch local stack is up (Ctrl-C stops everything)',
    '',
    `  store             ${storeUrl}`,
    ...(consoleUrl ? [`  console           ${consoleUrl}`] : []),
    `  prometheus        ${promUrl}   (alerts: ${promUrl}/alerts; scrape and evaluation every ${timings.scrapeSeconds} s)`,
    `  alertmanager      ${amUrl}`,
    `  receiver          ${receiver.url}   (every notification; JSON: ${receiver.url}/notifications)`,
    `  payment-provider  ${paymentUrl}`,
    `  data and logs     ${dataDir}`,
    `  pids              ${pids}   (Ctrl-C, or SIGTERM to the stack's pid, stops them all)`,
    '',
  ].join('\n') + '\n',
);

/** Runs a PromQL instant query; the first value. */
async function promValue(expr: string): Promise<number | undefined> {
  const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`, { signal: AbortSignal.timeout(10_000) });
  const body = (await res.json()) as { data?: { result?: { value: [number, string] }[] } };
  const v = body.data?.result?.[0]?.value[1];
  return v === undefined ? undefined : Number(v);
}

function startSimulator(simScenario: string, simMinutes: number): Child {
  return startChild(
    'simulator',
    process.execPath,
    [join(ROOT, 'apps/store/scripts/simulate.ts'), '--url', storeUrl, '--payment-url', paymentUrl, '--sms-url', smsUrl, '--warehouse-url', warehouseUrl, '--scenario', simScenario, '--minutes', String(simMinutes), '--rate', String(rate), '--max-requests', '1000000'],
    logDir,
  );
}

async function setOutage(outage: boolean): Promise<void> {
  // Patient: the provider lives in the store's process, which a loaded machine keeps busy with the traffic.
  await waitFor(`the payment provider to accept {"outage":${outage}}`, 180_000, async () => {
    const res = await fetch(`${paymentUrl}/admin/config`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ outage }), signal: AbortSignal.timeout(30_000) });
    await res.arrayBuffer();
    return res.ok ? true : undefined;
  });
}

const pageFor = durationSeconds(BURN_WINDOWS[0]!.for);
const groupWait = durationSeconds(amGenerated.route?.group_wait ?? '30s');

if (scenario === 'payment-outage') {
  const expected = SCENARIO_ALERT[scenario]!;
  const config = (await import(pathToFileURL(join(DEPLOY, 'tillwatch.config.ts')).href)) as { default: { slos: readonly SloSpec[] } };
  const slo = config.default.slos.find((s) => s.name === 'payment-success');
  const minEvents = (slo as { minEvents?: number } | undefined)?.minEvents ?? DEFAULT_MIN_EVENTS;
  // Traffic for as long as the stack runs (the simulator stops itself after this, bounded).
  startSimulator('normal', 120);
  log(`${clock()} simulated checkouts at ${rate}/s; the payment page needs ${minEvents} payments in its 1h window before it may fire (its minimum-traffic guard)`);
  await waitFor(`${minEvents} payments in the payment SLO's long window`, 15 * 60_000, async () => {
    const n = await promValue('tillwatch:slo_events:rate1h{slo="payment-success"} * 3600');
    // The same recording the page's guard reads: once it holds here, it holds for the page.
    return n !== undefined && n >= minEvents ? n : undefined;
  }, timings.scrapeSeconds * 1000);
  await setOutage(true);
  const outageAt = Date.now();
  const expectIn = pageFor + groupWait + 6 * timings.evaluationSeconds + 2 * timings.scrapeSeconds;
  log(`${clock()} payment provider outage ON (PUT ${paymentUrl}/admin/config {"outage":true}); expect ${expected} at the receiver in about ${expectIn} s`);
  const seen = await waitFor(`${expected} at the receiver`, (expectIn + 300) * 1000, () => receiver!.notifications.find((n) => n.status === 'firing' && n.alerts.some((a) => a.labels.alertname === expected)), 1000).catch((err: Error) => {
    log(`${err.message}: see ${promUrl}/alerts and ${amUrl}; the stack keeps running`);
    return undefined;
  });
  if (seen !== undefined) {
    log(`${clock()} ${expected} reached the receiver ${Math.round((Date.parse(seen.receivedAt) - outageAt) / 1000)} s after the outage began (as ${seen.receiver})`);
    await setOutage(false);
    log(`${clock()} payment provider outage OFF; the page resolves once its windows have recovered (a RESOLVED notification follows)`);
    if (opts['until-notified']) await stopAll(0);
  } else if (opts['until-notified']) await stopAll(1);
} else if (scenario !== 'none') {
  startSimulator(scenario, minutes);
  log(`${clock()} simulator: scenario ${scenario} for ${minutes} min (the fault is on for the middle third); notifications appear below`);
} else {
  log('no traffic yet. To see an alert fire, either restart with:  npm run stack -- --scenario payment-outage');
  log(`or drive traffic and break payments yourself:  npm run simulate -- --minutes 10 --url ${storeUrl} --payment-url ${paymentUrl} --sms-url ${smsUrl} --warehouse-url ${warehouseUrl}`);
  log(`                                               curl -X PUT ${paymentUrl}/admin/config -H 'content-type: application/json' -d '{"outage":true}'`);
}

/**
 * Generates a Prometheus + Alertmanager bundle for an end-to-end test with the real CLI
 * (`node packages/cli/src/main.ts generate --config <file> --out <dir>`), from a config that is the store's own
 * (deploy/tillwatch.config.ts: same SLOs, same pack, same teams) with the deployment parts replaced: loopback
 * targets, short intervals, local receivers, and any alert threshold or `for` overrides the test needs.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { TillwatchDeployConfig } from '@tillwatch/spec';

const CLI = fileURLToPath(new URL('../../../../../packages/cli/src/main.ts', import.meta.url));
export const STORE_DEPLOY_CONFIG = fileURLToPath(new URL('../../../../../deploy/tillwatch.config.ts', import.meta.url));

const SPEC = fileURLToPath(new URL('../../../../../packages/spec/src/index.ts', import.meta.url));

/** What a test replaces in the store's config. `alerts` is merged over the store's `alerts`. */
export interface DeployOverrides {
  readonly alerts?: NonNullable<TillwatchDeployConfig['alerts']>;
  /**
   * The latency SLO's threshold (a bucket boundary). This machine's speed is not what a test of the alerting
   * pipeline measures: on a loaded 2-core machine requests legitimately take over the store's 1 s.
   */
  readonly latencySloSeconds?: number;
  /**
   * Every SLO's minimum-traffic guard (events in the long window before an alert may fire; default 100): a
   * loaded test machine may take minutes to ring up a hundred payments.
   */
  readonly sloMinEvents?: number;
  readonly prometheus: TillwatchDeployConfig['prometheus'];
  readonly alertmanager: TillwatchDeployConfig['alertmanager'];
  /** The scale-out topology; without it the bundle has none (the store's own points at its production hosts). */
  readonly scaleOut?: TillwatchDeployConfig['scaleOut'];
  /** The deploy config the overrides apply to. Default the store's (deploy/tillwatch.config.ts). */
  readonly baseConfig?: string;
}

export interface TestBundle {
  /** The config module written for the CLI. */
  readonly configFile: string;
  readonly prometheusConfig: string;
  readonly alertmanagerConfig: string;
  /** The bundle directory (`tillwatch generate --out`). */
  readonly dir: string;
}

/**
 * Writes `<dir>/tillwatch.config.mjs` (the store's config plus `overrides`, which must be plain data) and runs
 * `tillwatch generate` into `<dir>/bundle`. @throws with the CLI's output when it fails.
 */
export async function generateTestBundle(dir: string, overrides: DeployOverrides): Promise<TestBundle> {
  const configFile = join(dir, 'tillwatch.config.mjs');
  writeFileSync(
    configFile,
    [
      '// Written by the end-to-end test: the service\'s deploy config with test-only deployment settings.',
      `import store from ${JSON.stringify(pathToFileURL(overrides.baseConfig ?? STORE_DEPLOY_CONFIG).href)};`,
      `import { latencySlo } from ${JSON.stringify(pathToFileURL(SPEC).href)};`,
      `const overrides = ${JSON.stringify(overrides, null, 2)};`,
      'const latency = (s) => (overrides.latencySloSeconds !== undefined && s.kind === "latency" ? latencySlo({ name: s.name, target: s.target, period: s.period, team: s.team, thresholdSeconds: overrides.latencySloSeconds }) : s);',
      'const guard = (s) => (overrides.sloMinEvents !== undefined && s.sli.kind === "events" ? { ...s, minEvents: overrides.sloMinEvents } : s);',
      'const slos = store.slos.map((s) => guard(latency(s)));',
      'export default { ...store, slos, alerts: { ...store.alerts, ...overrides.alerts }, prometheus: overrides.prometheus, alertmanager: overrides.alertmanager, scaleOut: overrides.scaleOut };',
      '',
    ].join('\n'),
  );
  const out = join(dir, 'bundle');
  const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'generate', '--config', configFile, '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (d: Buffer) => (text += d.toString()));
    child.stderr.on('data', (d: Buffer) => (text += d.toString()));
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    }, 120_000);
    child.once('error', reject);
    child.on('close', (c) => {
      clearTimeout(timer);
      resolve({ code: c, output: text });
    });
  });
  if (code !== 0) throw new Error(`tillwatch generate failed (exit ${code}):\n${output}`);
  return { configFile, prometheusConfig: join(out, 'prometheus/prometheus.yml'), alertmanagerConfig: join(out, 'alertmanager/alertmanager.yml'), dir: out };
}

/**
 * `tillwatch check <dir>`: runs the real tools over a generated bundle and fails with their own messages.
 * promtool check config, promtool check rules, promtool test rules, amtool check-config, and
 * amtool config routes test once per severity (and once per team and severity for the teams routed to
 * receivers of their own), asserting the receiver the routing table promises. With `scale-out/`, promtool
 * check config over each Prometheus replica and the topology's consistency (scale-out/check-scale-out.ts).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { parse } from 'yaml';
import { CliError } from '../cli-error.ts';
import { RECEIVERS } from '../render/alertmanager-config.ts';
import { checkCompose } from './check-compose.ts';
import { checkDashboards } from './check-dashboards.ts';
import { checkManifests } from './check-manifests.ts';
import { checkScaleOut } from '../scale-out/check-scale-out.ts';

export interface CheckStep {
  readonly name: string;
  readonly ok: boolean;
  readonly output: string;
}

function run(cmd: string, args: readonly string[], cwd: string): { status: number | null; output: string; missing: boolean } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 120_000 });
  const missing = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
  return { status: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim(), missing };
}

function ymls(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.yml')).sort().map((f) => join(dir, f)) : [];
}

/** Files the Prometheus config points at that do not exist here (secrets on the target host). */
function missingReferencedFiles(promFile: string): string[] {
  const cfg = parse(readFileSync(promFile, 'utf8')) as { scrape_configs?: { authorization?: { credentials_file?: string } }[] };
  return (cfg.scrape_configs ?? []).map((s) => s.authorization?.credentials_file).filter((f): f is string => f !== undefined && !existsSync(f));
}

interface AmRoute {
  readonly matchers?: readonly string[];
  readonly receiver?: string;
  readonly routes?: readonly AmRoute[];
}

/** team -> severity -> receiver, read from the team routes of a generated alertmanager.yml. */
function teamRoutes(amFile: string): [string, string, string][] {
  const cfg = parse(readFileSync(amFile, 'utf8')) as { route?: AmRoute };
  const value = (r: AmRoute, label: string) => r.matchers?.map((m) => new RegExp(`^${label}="([^"]*)"$`).exec(m)?.[1]).find((v) => v !== undefined);
  return (cfg.route?.routes ?? []).flatMap((r) => {
    const team = value(r, 'team');
    if (team === undefined) return [];
    return (r.routes ?? []).flatMap((c): [string, string, string][] => {
      const severity = value(c, 'severity');
      return severity !== undefined && c.receiver !== undefined ? [[team, severity, c.receiver]] : [];
    });
  });
}

/**
 * Runs every check; returns the steps. Throws when a tool is missing or a step fails.
 * @throws CliError TW_ERR_ALERTS_TOOL_MISSING, TW_ERR_ALERTS_CHECK_FAILED
 */
export function checkBundle(bundleDir: string, opts: { promtool?: string; amtool?: string } = {}): CheckStep[] {
  const dir = resolve(bundleDir);
  const promtool = opts.promtool ?? 'promtool';
  const amtool = opts.amtool ?? 'amtool';
  const prom = join(dir, 'prometheus', 'prometheus.yml');
  const am = join(dir, 'alertmanager', 'alertmanager.yml');
  for (const f of [prom, am]) if (!existsSync(f)) throw new CliError('TW_ERR_ALERTS_CHECK_FAILED', `${f} does not exist: run tillwatch generate first`);
  const steps: CheckStep[] = [];
  const exec = (name: string, cmd: string, args: string[], cwd: string, expect?: (out: string) => string | undefined) => {
    const r = run(cmd, args, cwd);
    if (r.missing) throw new CliError('TW_ERR_ALERTS_TOOL_MISSING', `${cmd} is not installed or not on PATH (needed for: ${name})`);
    const problem = r.status !== 0 ? `exit code ${r.status}` : expect?.(r.output);
    steps.push({ name, ok: problem === undefined, output: problem === undefined ? r.output : `${problem}\n${r.output}` });
  };
  // Secret files live on the Prometheus host; where they are absent, check everything but their existence.
  const promtoolConfig = (file: string) => {
    const missing = missingReferencedFiles(file);
    const configArgs = missing.length > 0 ? ['check', 'config', '--syntax-only', basename(file)] : ['check', 'config', basename(file)];
    exec(`promtool ${configArgs.slice(0, 2).join(' ')} ${relative(dir, file)}${missing.length > 0 ? ` (--syntax-only: ${missing.join(', ')} not on this machine)` : ''}`, promtool, configArgs, dirname(file));
  };
  promtoolConfig(prom);
  const rules = ymls(join(dir, 'prometheus', 'rules'));
  exec('promtool check rules', promtool, ['check', 'rules', ...rules], dir);
  const tests = ymls(join(dir, 'prometheus', 'tests'));
  exec('promtool test rules', promtool, ['test', 'rules', ...tests], dir);
  exec('amtool check-config', amtool, ['check-config', am], dir);
  for (const [severity, receiver] of Object.entries(RECEIVERS)) {
    exec(
      `amtool config routes test severity=${severity} -> ${receiver}`,
      amtool,
      ['config', 'routes', 'test', `--config.file=${am}`, `--verify.receivers=${receiver}`, 'alertname=RoutingCheck', 'service=check', `severity=${severity}`],
      dir,
      (out) => (out.split('\n').some((l) => l.trim() === receiver) ? undefined : `expected receiver ${receiver}, got: ${out}`),
    );
  }
  for (const [team, severity, receiver] of teamRoutes(am)) {
    exec(
      `amtool config routes test team=${team} severity=${severity} -> ${receiver}`,
      amtool,
      ['config', 'routes', 'test', `--config.file=${am}`, `--verify.receivers=${receiver}`, 'alertname=RoutingCheck', 'service=check', `team=${team}`, `severity=${severity}`],
      dir,
      (out) => (out.split('\n').some((l) => l.trim() === receiver) ? undefined : `expected receiver ${receiver}, got: ${out}`),
    );
  }
  const dashboards = checkDashboards(dir, promtool);
  if (dashboards !== undefined) steps.push({ name: 'grafana dashboards (SDK dashboard fields and panel kinds, promtool parses every query)', ...dashboards });
  const manifests = checkManifests(dir);
  if (manifests !== undefined) steps.push({ name: 'kubernetes manifests (kubernetes-models schemas)', ...manifests });
  const composeDir = join(dir, 'compose');
  if (existsSync(join(composeDir, 'alertmanager.yml'))) exec('amtool check-config compose/alertmanager.yml (local stack)', amtool, ['check-config', join(composeDir, 'alertmanager.yml')], dir);
  // --syntax-only: its rule files are where the compose file mounts them (/etc/prometheus/rules), not here.
  if (existsSync(join(composeDir, 'prometheus.yml'))) exec('promtool check config --syntax-only compose/prometheus.yml (local stack)', promtool, ['check', 'config', '--syntax-only', 'prometheus.yml'], composeDir);
  const compose = checkCompose(dir);
  if (compose !== undefined) steps.push({ name: 'compose file (compose-spec JSON schema; mounts, ports, services it points at)', ...compose });
  const scaleOut = checkScaleOut(dir, promtoolConfig);
  if (scaleOut !== undefined) steps.push({ name: 'scale-out topology (replicas, Alertmanager cluster, VictoriaMetrics deduplication)', ...scaleOut });
  const failed = steps.filter((s) => !s.ok);
  if (failed.length > 0) {
    throw new CliError('TW_ERR_ALERTS_CHECK_FAILED', `check of ${dir} failed:\n${failed.map((s) => `--- ${s.name}\n${s.output}`).join('\n')}`);
  }
  return steps;
}

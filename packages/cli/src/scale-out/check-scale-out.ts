/**
 * `tillwatch check` of `scale-out/`: promtool checks each replica's config (and the rules it loads), and the
 * topology is checked for what makes the replicas, the Alertmanager cluster and VictoriaMetrics one system:
 * distinct replica labels and otherwise identical replicas, every replica alerting every node, the replica label
 * dropped from alerts and remote writes, every node peering with every other, VictoriaMetrics deduplicating per
 * scrape interval. When the `victoria-metrics` binary is installed, it parses VictoriaMetrics' flags.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parse } from 'yaml';
import { type ScaleOutTopology, TOPOLOGY_FILE } from './render-scale-out.ts';

interface Relabel {
  readonly action?: string;
  readonly regex?: string;
}
interface ReplicaConfig {
  global?: { scrape_interval?: string; external_labels?: Record<string, string> };
  rule_files?: string[];
  alerting?: { alertmanagers?: { static_configs?: { targets?: string[] }[] }[]; alert_relabel_configs?: Relabel[] };
  remote_write?: { url?: string; write_relabel_configs?: Relabel[] }[];
  scrape_configs?: { authorization?: { credentials_file?: string } }[];
}

const drops = (rs: readonly Relabel[] | undefined, label: string) => (rs ?? []).some((r) => r.action === 'labeldrop' && r.regex === label);

/** Every inconsistency of a bundle's scale-out topology; empty when there is none. */
export function scaleOutProblems(bundleDir: string): string[] {
  const topology = parse(readFileSync(join(bundleDir, TOPOLOGY_FILE), 'utf8')) as ScaleOutTopology;
  const problems: string[] = [];
  const label = topology.replicaLabel;
  const configs = topology.prometheus.map((p) => [p, parse(readFileSync(join(bundleDir, p.config), 'utf8')) as ReplicaConfig] as const);
  if (configs.length < 2) problems.push(`${configs.length} Prometheus replica(s): scale-out needs at least 2`);
  const values = configs.map(([, c]) => c.global?.external_labels?.[label]);
  if (new Set(values).size !== values.length || values.includes(undefined)) problems.push(`the replicas' ${label} labels must be present and distinct, got ${JSON.stringify(values)}`);
  const withoutReplica = (c: ReplicaConfig) => ({ ...c, global: { ...c.global, external_labels: { ...c.global?.external_labels, [label]: undefined } } });
  for (const [p, c] of configs.slice(1)) if (!isDeepStrictEqual(withoutReplica(c), withoutReplica(configs[0]![1]))) problems.push(`${p.config} differs from ${configs[0]![0].config} in more than the ${label} label`);
  const nodes = topology.alertmanager.map((a) => a.web);
  for (const [p, c] of configs) {
    const targets = (c.alerting?.alertmanagers ?? []).flatMap((a) => (a.static_configs ?? []).flatMap((s) => s.targets ?? []));
    const unreached = nodes.filter((n) => !targets.includes(n));
    if (unreached.length > 0) problems.push(`${p.config} does not alert ${unreached.join(', ')}: every replica alerts every Alertmanager node`);
    if (!drops(c.alerting?.alert_relabel_configs, label)) problems.push(`${p.config} must drop ${label} from alerts (alert_relabel_configs labeldrop), or Alertmanager sees one alert per replica`);
    const rw = (c.remote_write ?? []).find((r) => r.url === topology.victoriaMetrics.remoteWriteUrl);
    if (rw === undefined) problems.push(`${p.config} does not remote-write to ${topology.victoriaMetrics.remoteWriteUrl}`);
    else if (!drops(rw.write_relabel_configs, label)) problems.push(`${p.config} must drop ${label} from remote writes (write_relabel_configs labeldrop), or VictoriaMetrics keeps one series per replica`);
    if (c.global?.scrape_interval !== `${topology.scrapeIntervalSeconds}s`) problems.push(`${p.config} scrapes every ${c.global?.scrape_interval}, the topology says ${topology.scrapeIntervalSeconds}s`);
  }
  if (!topology.victoriaMetrics.args.includes(`-dedup.minScrapeInterval=${topology.scrapeIntervalSeconds}s`)) problems.push(`VictoriaMetrics must run with -dedup.minScrapeInterval=${topology.scrapeIntervalSeconds}s (the scrape interval)`);
  if (nodes.length < 2) problems.push(`${nodes.length} Alertmanager node(s): a cluster needs at least 2`);
  for (const a of topology.alertmanager) {
    const peers = a.args.filter((x) => x.startsWith('--cluster.peer=')).map((x) => x.slice('--cluster.peer='.length));
    const missing = topology.alertmanager.filter((o) => o !== a && !peers.includes(o.cluster)).map((o) => o.cluster);
    if (missing.length > 0 || a.cluster === '') problems.push(`${a.name} must peer with ${missing.join(', ') || 'a cluster address of its own'}`);
    if (!a.args.includes('--config.file=alertmanager/alertmanager.yml')) problems.push(`${a.name} must run the generated alertmanager/alertmanager.yml`);
  }
  return problems;
}

/**
 * Runs the scale-out checks of a bundle when it has `scale-out/`: `promtoolConfig(name, args)` runs
 * `promtool check config` the way the bundle's own prometheus.yml is checked. Returns the consistency step.
 */
export function checkScaleOut(bundleDir: string, promtoolConfig: (config: string) => void): { ok: boolean; output: string } | undefined {
  if (!existsSync(join(bundleDir, TOPOLOGY_FILE))) return undefined;
  const topology = parse(readFileSync(join(bundleDir, TOPOLOGY_FILE), 'utf8')) as ScaleOutTopology;
  for (const p of topology.prometheus) promtoolConfig(join(bundleDir, p.config));
  const problems = scaleOutProblems(bundleDir);
  // `-version` exits after the flags are parsed: a flag this VictoriaMetrics does not know, or a bad value, fails.
  const vm = spawnSync('victoria-metrics', [...topology.victoriaMetrics.args, '-version'], { encoding: 'utf8', timeout: 30_000 });
  const vmMissing = (vm.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
  if (!vmMissing && vm.status !== 0) problems.push(`victoria-metrics refuses its flags (exit ${vm.status}): ${`${vm.stdout ?? ''}${vm.stderr ?? ''}`.trim().split('\n')[0]}`);
  const flags = vmMissing ? 'victoria-metrics not installed here: its flags were not parsed' : `victoria-metrics ${vm.stdout.trim()} accepts its flags`;
  return problems.length === 0
    ? { ok: true, output: `${topology.prometheus.length} Prometheus replicas (${topology.replicaLabel} label), ${topology.alertmanager.length} Alertmanager nodes, VictoriaMetrics deduplicating per ${topology.scrapeIntervalSeconds}s; ${flags}` }
    : { ok: false, output: problems.join('\n') };
}

/**
 * Writer: `scale-out/` (docs/scale-out.md), from the same model as the single-Prometheus bundle.
 *
 * - `scale-out/prometheus-<i>.yml`: one config per Prometheus replica: the bundle's prometheus.yml (same scrape
 *   jobs, same `../prometheus/rules`) plus its own value of the replica external label. Every replica alerts
 *   every Alertmanager node, with the replica label dropped from alerts, so the cluster receives the same alert
 *   from each replica and keeps one; every replica remote-writes to VictoriaMetrics with the replica label
 *   dropped, so both replicas write the same series and VictoriaMetrics keeps one sample per
 *   `-dedup.minScrapeInterval` (the scrape interval).
 * - `scale-out/topology.yml`: the processes and the flags that make them one system: each Alertmanager node's
 *   cluster listener and peers (the generated alertmanager.yml is shared, unchanged), VictoriaMetrics'
 *   deduplication and retention, each Prometheus replica's config file. Paths are relative to the bundle.
 *
 * Hand-written YAML data rather than a library model: Prometheus ships no typed config model for JavaScript, and
 * these documents are plain data serialised by the same `yamlFile` as prometheus.yml.
 */
import type { ScaleOutConfig } from '@tillwatch/spec';
import type { Model } from '../model/model.ts';
import { prometheusConfigObject } from '../render/prometheus-config.ts';
import { yamlFile } from '../render/yaml-file.ts';

export const SCALE_OUT_DIR = 'scale-out';
export const TOPOLOGY_FILE = `${SCALE_OUT_DIR}/topology.yml`;
/** Alertmanager's own default, written out so waits and docs can be derived from the file. */
export const AM_PEER_TIMEOUT = '15s';
const DEFAULT_REPLICAS = 2;
const DEFAULT_REPLICA_LABEL = 'replica';
const DEFAULT_RETENTION = '400d';

/** The processes of the scale-out topology and their flags (`scale-out/topology.yml`). */
export interface ScaleOutTopology {
  readonly replicaLabel: string;
  readonly scrapeIntervalSeconds: number;
  readonly prometheus: readonly { readonly name: string; readonly replica: string; readonly config: string; readonly args: readonly string[] }[];
  readonly alertmanager: readonly { readonly name: string; readonly web: string; readonly cluster: string; readonly args: readonly string[] }[];
  readonly victoriaMetrics: { readonly url: string; readonly remoteWriteUrl: string; readonly args: readonly string[] };
}

/** A listen address for `host:port`: an IP literal is bound as given, a DNS name (a pod's own) on every interface. */
export function listenAddress(hostPort: string, any = ''): string {
  const i = hostPort.lastIndexOf(':');
  const host = hostPort.slice(0, i);
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) ? hostPort : `${any}:${hostPort.slice(i + 1)}`;
}

export function replicaLabelOf(so: ScaleOutConfig): string {
  return so.replicaLabel ?? DEFAULT_REPLICA_LABEL;
}

/** The topology a config's `scaleOut` describes (undefined without one). */
export function scaleOutTopology(model: Model): ScaleOutTopology | undefined {
  const so = model.config.scaleOut;
  if (so === undefined) return undefined;
  const cfg = model.config;
  const scrapeIntervalSeconds = cfg.prometheus.scrape.intervalSeconds ?? 15;
  const peers = cfg.alertmanager.peers ?? [];
  const vmUrl = so.victoriaMetrics.url.replace(/\/$/, '');
  const vmHostPort = new URL(vmUrl).host;
  const n = so.prometheusReplicas ?? DEFAULT_REPLICAS;
  return {
    replicaLabel: replicaLabelOf(so),
    scrapeIntervalSeconds,
    prometheus: Array.from({ length: n }, (_, i) => {
      const config = `${SCALE_OUT_DIR}/prometheus-${i}.yml`;
      return { name: `prometheus-${i}`, replica: `prometheus-${i}`, config, args: [`--config.file=${config}`] };
    }),
    alertmanager: cfg.prometheus.alertmanagers.map((web, i) => {
      const cluster = peers[i] ?? '';
      return {
        name: `alertmanager-${i}`,
        web,
        cluster,
        args: [
          '--config.file=alertmanager/alertmanager.yml',
          `--web.listen-address=${listenAddress(web)}`,
          `--cluster.listen-address=${listenAddress(cluster, '0.0.0.0')}`,
          ...peers.filter((_, j) => j !== i).map((p) => `--cluster.peer=${p}`),
          `--cluster.peer-timeout=${AM_PEER_TIMEOUT}`,
        ],
      };
    }),
    victoriaMetrics: {
      url: vmUrl,
      remoteWriteUrl: `${vmUrl}/api/v1/write`,
      args: [
        `-httpListenAddr=${listenAddress(vmHostPort)}`,
        // One sample per series and scrape interval: the replicas' identical series collapse into one.
        `-dedup.minScrapeInterval=${scrapeIntervalSeconds}s`,
        `-retentionPeriod=${so.victoriaMetrics.retentionPeriod ?? DEFAULT_RETENTION}`,
      ],
    },
  };
}

function replicaConfig(model: Model, topology: ScaleOutTopology, replica: string): unknown {
  const base = prometheusConfigObject(model);
  const dropReplica = [{ action: 'labeldrop', regex: topology.replicaLabel }];
  return {
    ...base,
    global: { ...base.global, external_labels: { ...('external_labels' in base.global ? base.global.external_labels : {}), [topology.replicaLabel]: replica } },
    // The same rules as the single Prometheus: the files next to prometheus.yml.
    rule_files: base.rule_files.map((f) => `../prometheus/${f}`),
    alerting: { ...base.alerting, alert_relabel_configs: dropReplica },
    remote_write: [{ url: topology.victoriaMetrics.remoteWriteUrl, write_relabel_configs: dropReplica }],
  };
}

export function renderScaleOut(model: Model): Map<string, string> {
  const topology = scaleOutTopology(model);
  if (topology === undefined) return new Map();
  const out = new Map<string, string>();
  for (const p of topology.prometheus) out.set(p.config, yamlFile(replicaConfig(model, topology, p.replica), `Prometheus replica ${p.replica} (scale-out)`));
  out.set(TOPOLOGY_FILE, yamlFile(topology, 'scale-out topology: the processes and their flags (paths relative to the bundle)'));
  return out;
}

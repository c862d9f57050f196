/**
 * The scale-out topology on loopback, started from the bundle `tillwatch generate` writes for the store's deploy
 * config with loopback addresses: two Prometheus replicas (`scale-out/prometheus-<i>.yml`), a two-node
 * Alertmanager cluster gossiping on loopback and VictoriaMetrics, each with the flags `scale-out/topology.yml`
 * names (the test adds only data directories, log levels and the replicas' web ports). Every address is a
 * free loopback port; every process is stopped by PID in `t.after`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { parse } from 'yaml';
import type { ScaleOutTopology } from '../../../../../packages/cli/src/scale-out/render-scale-out.ts';
import { testAlertmanagerConfig, type LocalReceivers } from './e2e-stack.ts';
import { freePort, getJson, startChildService, tempDir, waitFor, type ChildService } from './processes.ts';
import { generateTestBundle, type DeployOverrides } from './test-bundle.ts';

export interface ScaleOutStack {
  readonly bundleDir: string;
  readonly topology: ScaleOutTopology;
  readonly proms: readonly ChildService[];
  readonly ams: readonly ChildService[];
  readonly vm: ChildService;
}

export interface ScaleOutTiming {
  readonly scrapeSeconds: number;
  readonly evaluationSeconds: number;
}

/** The value of `--flag=value` among `args`. */
export function flagValue(args: readonly string[], flag: string): string | undefined {
  return args.find((a) => a.startsWith(`${flag}=`))?.slice(flag.length + 1);
}

/** Generates the bundle and starts VictoriaMetrics, the Alertmanager cluster and the Prometheus replicas. */
export async function startScaleOutStack(
  t: TestContext,
  o: { readonly storeUrl: string; readonly receivers: LocalReceivers; readonly timing: ScaleOutTiming; readonly alerts: DeployOverrides['alerts']; readonly latencySloSeconds: number; readonly sloMinEvents: number },
): Promise<ScaleOutStack> {
  const dir = tempDir(t, 'tillwatch-scale-out-');
  const [vmPort, am0, am1, c0, c1] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  const bundle = await generateTestBundle(dir, {
    ...(o.alerts ? { alerts: o.alerts } : {}),
    latencySloSeconds: o.latencySloSeconds,
    sloMinEvents: o.sloMinEvents,
    prometheus: {
      scrape: { targets: [new URL(o.storeUrl).host], intervalSeconds: o.timing.scrapeSeconds },
      evaluationIntervalSeconds: o.timing.evaluationSeconds,
      externalLabels: { environment: 'e2e' },
      alertmanagers: [`127.0.0.1:${am0}`, `127.0.0.1:${am1}`],
    },
    alertmanager: { ...testAlertmanagerConfig(dir, o.receivers), peers: [`127.0.0.1:${c0}`, `127.0.0.1:${c1}`] },
    scaleOut: { prometheusReplicas: 2, victoriaMetrics: { url: `http://127.0.0.1:${vmPort}` } },
  });
  const topology = parse(readFileSync(join(bundle.dir, 'scale-out', 'topology.yml'), 'utf8')) as ScaleOutTopology;
  const vm = await startChildService(t, 'victoria-metrics', 'victoria-metrics', [...topology.victoriaMetrics.args, `-storageDataPath=${tempDir(t, 'tillwatch-vm-')}`, '-loggerLevel=WARN'], vmPort, 60_000, bundle.dir);
  const ams = await Promise.all(
    topology.alertmanager.map((a) =>
      startChildService(t, a.name, 'prometheus-alertmanager', [...a.args, `--storage.path=${tempDir(t, `tillwatch-${a.name}-`)}`, '--log.level=warn'], Number(a.web.split(':')[1]), 60_000, bundle.dir),
    ),
  );
  const proms = await Promise.all(
    topology.prometheus.map(async (p) => {
      const port = await freePort();
      return startChildService(t, p.name, 'prometheus', [...p.args, `--storage.tsdb.path=${tempDir(t, `tillwatch-${p.name}-`)}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], port, 60_000, bundle.dir);
    }),
  );
  // The cluster has formed: each node sees both members.
  await waitFor('the Alertmanager cluster to form (each node sees 2 peers)', 60_000, async () => {
    const st = await Promise.all(ams.map((a) => getJson<{ cluster: { status: string; peers: unknown[] } }>(`${a.url}/api/v2/status`)));
    return st.every((s) => s.cluster.status === 'ready' && s.cluster.peers.length === ams.length) ? true : undefined;
  });
  // Every replica scrapes the store and knows every node.
  await waitFor('both replicas to scrape the store and discover both Alertmanager nodes', 180_000, async () => {
    for (const p of proms) {
      const targets = await getJson<{ data: { activeTargets: { health: string }[] } }>(`${p.url}/api/v1/targets`);
      const nodes = await getJson<{ data: { activeAlertmanagers: unknown[] } }>(`${p.url}/api/v1/alertmanagers`);
      if (!(targets.data.activeTargets.length > 0 && targets.data.activeTargets.every((x) => x.health === 'up') && nodes.data.activeAlertmanagers.length === ams.length)) return undefined;
    }
    return true;
  });
  return { bundleDir: bundle.dir, topology, proms, ams, vm };
}

/** Notifications an Alertmanager node has sent (`alertmanager_notifications_total`), to one integration or all. */
export async function notificationsSent(am: ChildService, integration?: string): Promise<number> {
  const res = await fetch(`${am.url}/metrics`, { signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('alertmanager_notifications_total{') && (integration === undefined || l.includes(`integration="${integration}"`)))
    .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

/** The dashboards of a deploy config as data, the same specs `tillwatch generate` renders to Grafana JSON (for a live console). */
import type { DashboardSpec } from '@tillwatch/spec';
import { modelOf } from './generate.ts';
import { loadConfig } from './load/load-config.ts';
import { modelDashboards } from './render/grafana-dashboards.ts';

/** Every dashboard `tillwatch generate --config <configFile>` writes, validated the same way, as spec data. */
export async function generateDashboards(configFile: string): Promise<DashboardSpec[]> {
  return modelDashboards(modelOf(await loadConfig(configFile), configFile));
}

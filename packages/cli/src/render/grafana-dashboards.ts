/**
 * Writer: Grafana dashboards (JSON, schema of the Grafana Foundation SDK) from the dashboard specs of
 * @tillwatch/spec, plus Grafana provisioning files for the Prometheus datasource and the dashboards folder.
 * The specs are pure data; this is the only place that knows Grafana.
 */
import * as bargauge from '@grafana/grafana-foundation-sdk/bargauge';
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import { DashboardBuilder, DatasourceVariableBuilder, RowBuilder, ThresholdsConfigBuilder, ThresholdsMode, type Dashboard, type Panel } from '@grafana/grafana-foundation-sdk/dashboard';
import * as gauge from '@grafana/grafana-foundation-sdk/gauge';
import * as piechart from '@grafana/grafana-foundation-sdk/piechart';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { storeDashboards, type DashboardSpec, type PanelKind, type PanelSpec } from '@tillwatch/spec';
import type { Model } from '../model/model.ts';
import { yamlFile } from './yaml-file.ts';

/** The datasource variable every panel reads from (provisioned as the default Prometheus datasource). */
const DATASOURCE = { type: 'prometheus', uid: '${datasource}' } as const;
/** Where Grafana finds the dashboard files (the compose file and the Kubernetes manifests mount them here). */
export const GRAFANA_DASHBOARDS_PATH = '/var/lib/grafana/dashboards';

type AnyPanelBuilder = timeseries.PanelBuilder | stat.PanelBuilder | gauge.PanelBuilder | piechart.PanelBuilder | bargauge.PanelBuilder;

const BUILDERS: Record<PanelKind, () => AnyPanelBuilder> = {
  timeseries: () => new timeseries.PanelBuilder(),
  stat: () => new stat.PanelBuilder(),
  gauge: () => new gauge.PanelBuilder(),
  piechart: () => new piechart.PanelBuilder(),
  bargauge: () => new bargauge.PanelBuilder(),
};

/** Panel width (of 24) by kind: small numbers side by side, graphs wider. */
const SPAN: Record<PanelKind, number> = { timeseries: 12, stat: 6, gauge: 6, piechart: 8, bargauge: 8 };

const PANEL_HEIGHT = 8;

function panel(p: PanelSpec, at: { x: number; y: number }): cog.Builder<Panel> {
  const b = BUILDERS[p.kind]().title(p.title).unit(p.unit).datasource(DATASOURCE).gridPos({ x: at.x, y: at.y, w: SPAN[p.kind], h: PANEL_HEIGHT });
  if (p.description !== undefined) b.description(p.description);
  if (p.min !== undefined) b.min(p.min);
  if (p.max !== undefined) b.max(p.max);
  if (p.thresholds !== undefined) {
    b.thresholds(new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(p.thresholds.map((t) => ({ value: t.value ?? null, color: t.color }))));
  }
  p.queries.forEach((q, i) => {
    const target = new DataqueryBuilder().expr(q.expr).refId(String.fromCharCode(65 + i)).datasource(DATASOURCE);
    if (q.legend !== undefined) target.legendFormat(q.legend);
    b.withTarget(target);
  });
  return b;
}

/** One dashboard as Grafana JSON (the SDK's Dashboard type). */
export function grafanaDashboard(d: DashboardSpec): Dashboard {
  const b = new DashboardBuilder(d.title)
    .uid(d.uid)
    .tags([...(d.tags ?? [])])
    .refresh('30s')
    .time({ from: 'now-3h', to: 'now' })
    .timezone('browser')
    .withVariable(new DatasourceVariableBuilder('datasource').label('Prometheus').type('prometheus'));
  // Laid out here, left to right in 24 columns, wrapping to a new line of panels when one does not fit.
  let y = 0;
  for (const row of d.rows) {
    b.withRow(new RowBuilder(row.title).gridPos({ x: 0, y, w: 24, h: 1 }));
    y += 1;
    let x = 0;
    for (const p of row.panels) {
      if (x + SPAN[p.kind] > 24) {
        x = 0;
        y += PANEL_HEIGHT;
      }
      b.withPanel(panel(p, { x, y }));
      x += SPAN[p.kind];
    }
    y += PANEL_HEIGHT;
  }
  return b.build();
}

/** The dashboards of a model: the built-in ones for its service and SLOs, its own catalogue's, and the config's. */
export function modelDashboards(model: Model): DashboardSpec[] {
  const c = model.config;
  return storeDashboards({ service: c.service, slos: model.slos, ...(c.catalogue ? { ownCatalogue: c.catalogue } : {}), ...(c.dashboards ? { config: c.dashboards } : {}) });
}

export function renderGrafanaDashboards(model: Model): Map<string, string> {
  const out = new Map<string, string>();
  for (const d of modelDashboards(model)) out.set(`grafana/dashboards/${d.uid}.json`, `${JSON.stringify(grafanaDashboard(d), null, 2)}\n`);
  out.set(
    'grafana/provisioning/datasources/prometheus.yml',
    yamlFile(
      { apiVersion: 1, datasources: [{ name: 'Prometheus', type: 'prometheus', access: 'proxy', url: 'http://prometheus:9090', isDefault: true, jsonData: { timeInterval: `${model.config.prometheus.scrape.intervalSeconds ?? 15}s` } }] },
      'Grafana datasource provisioning',
    ),
  );
  out.set(
    'grafana/provisioning/dashboards/tillwatch.yml',
    yamlFile(
      { apiVersion: 1, providers: [{ name: 'tillwatch', folder: model.config.service, type: 'file', disableDeletion: true, allowUiUpdates: false, options: { path: GRAFANA_DASHBOARDS_PATH, foldersFromFilesStructure: false } }] },
      'Grafana dashboard provisioning',
    ),
  );
  return out;
}

/**
 * Step: the default store pack (thresholds merged, disabled alerts left out, overrides applied) and the
 * config's extra alerts, one rules file per alert group. The pack's recording rules go first in their group,
 * unless every alert reading them is disabled.
 */
import { metricsRead, storeAlertPack, storePackRecordings, type AlertSpec, type PackRecording, GROUP_PREFIX } from '@tillwatch/spec';
import { groupOf, type Model } from '../model/model.ts';

function add(model: Model, a: AlertSpec, origin: 'pack' | 'extra', recordings: readonly PackRecording[]): void {
  const service = model.config.service;
  const override = origin === 'pack' ? model.config.alerts?.overrides?.[a.name] : undefined;
  const severity = override?.severity ?? a.severity;
  const group = groupOf(model, a.group, `${GROUP_PREFIX}-${service}-${a.group}`);
  group.alerts.push({
    name: a.name,
    severity,
    for: override?.for ?? a.for,
    expr: a.expr,
    labels: { ...a.labels, severity, team: a.team, service },
    summary: a.summary,
    description: a.description,
    runbook: a.runbook,
    file: a.group,
    group: group.name,
    test: a.test,
    selector: {},
    // A recording it reads counts as the metrics that recording reads.
    waitsFor: metricsRead([a.expr, ...recordings.filter((r) => a.expr.includes(r.record)).map((r) => r.expr)].join('\n'), model.catalogue)
      .filter((h) => h.status === 'planned')
      .map((h) => h.name),
    origin,
    ...(a.objective !== undefined ? { objective: a.objective } : {}),
  });
}

export function packAlerts(model: Model): void {
  const c = model.config;
  const teams = { platform: c.alerts?.teams?.platform ?? c.team, commerce: c.alerts?.teams?.commerce ?? c.team, security: c.alerts?.teams?.security ?? c.team };
  const disabled = new Set(c.alerts?.disable ?? []);
  const recordings = storePackRecordings({ thresholds: model.thresholds });
  for (const a of storeAlertPack({ service: c.service, thresholds: model.thresholds, teams })) if (!disabled.has(a.name)) add(model, a, 'pack', recordings);
  for (const a of c.alerts?.extra ?? []) add(model, a, 'extra', recordings);
  // After the alerts, so groups keep the order the alerts give them; a group's recordings are written before its alerts.
  for (const r of recordings) {
    if (r.usedBy.every((name) => disabled.has(name))) continue;
    groupOf(model, r.group, `${GROUP_PREFIX}-${c.service}-${r.group}`).recordings.push({ record: r.record, expr: r.expr, labels: {} });
  }
}

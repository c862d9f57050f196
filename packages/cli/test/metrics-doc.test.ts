import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { listMetrics } from '@tillwatch/spec';
import { renderMetricsDoc } from '../src/docs/render-metrics-doc.ts';

const doc = new URL('../../../docs/metrics.md', import.meta.url);

test('docs/metrics.md is generated from the catalogue and up to date (run npm run docs)', () => {
  assert.equal(readFileSync(doc, 'utf8'), renderMetricsDoc());
});

test('the metrics reference shows every metric with its question and status', () => {
  const text = renderMetricsDoc();
  for (const m of listMetrics()) {
    const row = text.split('\n').find((l) => l.startsWith(`| \`${m.name}\` |`));
    assert.ok(row, `${m.name} has a row`);
    assert.ok(row.includes(m.question.replaceAll('|', '\\|')), `${m.name} shows its question`);
    assert.ok(row.includes(m.status === 'planned' ? '| planned |' : `| exported (${m.owner}) |`), `${m.name} shows its status`);
  }
});

test('the metrics reference explains the cardinality guard, per-SKU series and the derived KPIs', () => {
  const text = renderMetricsDoc();
  for (const needle of ['__overflow__', 'tillwatch_metrics_series_dropped_total{metric}', 'per-SKU', 'Revenue per hour', 'Average transaction value', 'Payment failure rate by method', 'Print success ratio', 'Orders per hour']) {
    assert.ok(text.includes(needle), `mentions ${needle}`);
  }
});

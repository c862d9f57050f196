/** The generated log-shipper config carries the retention classes of the deploy config; bad retention is refused. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'yaml';
import { DEFAULT_RETENTION_DAYS } from '@tillwatch/spec';
import { modelOf } from '../src/generate.ts';
import { renderLogShipperConfig } from '../src/render/log-shipper-config.ts';
import { baseConfig } from '../testdata/base-config.ts';

test('Vector tags every line with its retention class and Loki keeps each class as long as the config says', () => {
  const files = renderLogShipperConfig(modelOf({ ...baseConfig, retention: { security: 400 } }, 'test'));
  const loki = parse(files.get('logs/loki-retention.yaml') as string) as { limits_config: { retention_stream: { selector: string; period: string }[] } };
  const period = (c: string) => loki.limits_config.retention_stream.find((s) => s.selector.includes(`retention_class="${c}"`))?.period;
  assert.deepEqual([period('audit'), period('security'), period('access'), period('application')], [`${DEFAULT_RETENTION_DAYS.audit * 24}h`, `${400 * 24}h`, '720h', '2160h']);
  const vector = parse(files.get('logs/vector.yaml') as string) as { transforms: { retention_class: { source: string } }; sinks: { loki: { labels: Record<string, string> } } };
  for (const c of ['security', 'audit', 'access', 'application']) assert.match(vector.transforms.retention_class.source, new RegExp(`"${c}"`));
  assert.equal(vector.sinks.loki.labels.retention_class, '{{ retention_class }}');
});

test('a retention that is not a number of days, or an unknown class, is refused', () => {
  assert.throws(() => modelOf({ ...baseConfig, retention: { audit: 0 } }, 'test'), /retention\.audit/);
  assert.throws(() => modelOf({ ...baseConfig, retention: { forever: 10 } }, 'test'), /retention\.forever/);
});

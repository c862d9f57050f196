/** The runtime exports what the catalogue says it exports, with the declared types and labels. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { listMetrics } from '@tillwatch/spec';
import { resolveOptions } from '../src/config/options.ts';
import { Metrics } from '../src/metrics/metrics.ts';
import { createSecurityEvents } from '../src/security/security-events.ts';

test('every metric the spec says the core exports is in a real exposition, with the declared type and labels', async () => {
  const { options } = resolveOptions({ metrics: { runtime: true } }, {});
  const metrics = new Metrics({ options, logger: pino({ level: 'silent' }) });
  try {
    metrics.http.start();
    metrics.http.end('GET', '/orders/:id', 200, 0.01);
    metrics.sinkErrors.inc({ sink: 'log' });
    createSecurityEvents({ logger: pino({ level: 'silent' }), metrics }); // tillwatch/security's metrics
    const { body } = await metrics.render(undefined);
    for (const spec of listMetrics().filter((x) => x.owner === 'core' && x.status === 'exported')) {
      assert.ok(body.includes(`# TYPE ${spec.name} ${spec.type}\n`), `${spec.name} is exported as a ${spec.type}`);
      const sample = body.split('\n').find((l) => l.startsWith(`${spec.type === 'histogram' ? `${spec.name}_count` : spec.name}{`));
      if (sample === undefined) continue; // no series yet (e.g. no GC has run); the TYPE line is enough
      const keys = [...sample.matchAll(/([a-z_]+)="/g)].map((x) => x[1]);
      assert.deepEqual(keys, [...spec.labelNames], `${spec.name} has labels ${spec.labelNames.join(', ')}`);
    }
  } finally {
    metrics.close();
  }
});

/** The job reporter: a service's own /metrics, and a push to a Pushgateway-compatible local receiver after each run. */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { resolveOptions } from '../src/config/options.ts';
import { Metrics } from '../src/metrics/metrics.ts';
import { createJobReporter } from '../src/index.ts';

async function pushgateway(t: TestContext) {
  const pushes: { method: string; url: string; body: string }[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      pushes.push({ method: req.method ?? '', url: req.url ?? '', body });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, pushes };
}

test("a service's job reports success time, duration, size and outcome on its own metrics; a failure counts", async () => {
  const { options } = resolveOptions({ metrics: { runtime: false } }, {});
  const metrics = new Metrics({ options, logger: pino({ level: 'silent' }) });
  try {
    const backups = createJobReporter({ target: 'database', metrics });
    const before = Date.now() / 1000;
    assert.deepEqual(await backups.run(async () => ({ sizeBytes: 4096 })), { sizeBytes: 4096 });
    await assert.rejects(backups.run(async () => Promise.reject(new Error('disk full'))), /disk full/);
    const body = (await metrics.render(undefined)).body;
    const value = (s: string) => Number(body.split('\n').find((l) => l.startsWith(`${s} `))?.split(' ')[1]);
    assert.ok(value('backup_last_success_timestamp_seconds{target="database"}') >= Math.floor(before));
    assert.equal(value('backup_last_size_bytes{target="database"}'), 4096);
    assert.equal(value('backup_runs_total{target="database",outcome="success"}'), 1);
    assert.equal(value('backup_runs_total{target="database",outcome="failure"}'), 1);
    assert.equal(value('backup_failures_total{target="database"}'), 1);
    assert.ok(value('backup_last_duration_seconds{target="database"}') >= 0);
  } finally {
    metrics.close();
  }
});

test('a job that exits pushes its series to the Pushgateway after each run, grouped by job and target', async (t) => {
  const gw = await pushgateway(t);
  const exports = createJobReporter({ target: 'sales_export', push: { url: gw.url, job: 'nightly_export' } });
  await exports.run(async () => ({ sizeBytes: 10 }));
  assert.equal(exports.lastPushError, undefined);
  assert.equal(gw.pushes.length, 1);
  assert.equal(gw.pushes[0]!.method, 'POST');
  assert.equal(gw.pushes[0]!.url, '/metrics/job/nightly_export/target/sales_export');
  assert.match(gw.pushes[0]!.body, /backup_last_success_timestamp_seconds\{target="sales_export"\} \d/);
  assert.match(gw.pushes[0]!.body, /backup_last_size_bytes\{target="sales_export"\} 10/);
  assert.throws(() => createJobReporter({ target: 'Bad Target' }), /TW_ERR_CONFIG_INVALID[\s\S]*target[\s\S]*metrics/);
});

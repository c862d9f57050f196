/**
 * The generated blackbox/blackbox.yml passes the real exporter's `--config.check`, and its readiness module
 * probes a service: probe_success 1 while /health/ready answers 200 with an ok status, 0 once it answers 503.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { hasCommand, requireReal } from '../../tillwatch/test/helpers/real-parts.ts';

const EXPORTER = 'prometheus-blackbox-exporter';

test('blackbox.yml passes the exporter\'s --config.check and its ready module follows /health/ready', async (t) => {
  if (!requireReal(t, EXPORTER, hasCommand(EXPORTER), 'apt-get install prometheus-blackbox-exporter')) return;
  const config = join('deploy', 'blackbox', 'blackbox.yml');
  const check = spawnSync(EXPORTER, [`--config.file=${config}`, '--config.check'], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(check.status, 0, `${check.stdout}${check.stderr}`);

  let ready = true;
  const service = http.createServer((req, res) => {
    res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: ready ? 'ok' : 'fail' }));
  });
  await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => service.close(() => resolve())));
  const portFinder = http.createServer();
  await new Promise<void>((resolve) => portFinder.listen(0, '127.0.0.1', resolve));
  const port = (portFinder.address() as AddressInfo).port;
  await new Promise<void>((resolve) => portFinder.close(() => resolve()));
  const child = spawn(EXPORTER, [`--config.file=${config}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
  t.after(() => {
    if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
  });
  const target = `http://127.0.0.1:${(service.address() as AddressInfo).port}/health/ready`;
  const probe = async (): Promise<string | undefined> => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/probe?module=store_ready&target=${encodeURIComponent(target)}`, { signal: AbortSignal.timeout(10_000) });
        return /^probe_success (\d)/m.exec(await res.text())?.[1];
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await sleep(200);
      }
    }
  };
  assert.equal(await probe(), '1');
  ready = false;
  assert.equal(await probe(), '0');
});

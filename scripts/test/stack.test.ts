/**
 * `npm run stack` as a newcomer runs it, with the real `prometheus` and `prometheus-alertmanager`: with
 * `--scenario payment-outage` the payment SLO's page reaches the local receiver (routed as the generated routing
 * routes it: the payments team's PagerDuty receiver), and SIGTERM then stops every process the stack started:
 * every descendant of the `npm run stack` process seen during the run is gone afterwards.
 *
 * Waits are derived from what the stack prints (its scrape and evaluation interval and the time it expects the
 * page to take, itself derived from the page's `for` and the routing's group_wait), plus the start-up of the store.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { hasCommand, requireReal } from '../../packages/tillwatch/test/helpers/real-parts.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PAGE = 'PaymentSuccessErrorBudgetBurnPage';
/** The store's start on a loaded 2-core machine (PGlite's WASM start-up and migrations), plus Prometheus' and Alertmanager's. */
const START_MS = 240_000;

/** Start time (clock ticks since boot) of a live process; undefined when it is gone (or a zombie). */
function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[0] === 'Z' ? undefined : fields[19];
  } catch {
    return undefined;
  }
}

/** Every live descendant of `root`, as pid -> start time (a later process reusing a pid is not mistaken for it). */
function descendants(root: number): Map<number, { start: string; cmd: string }> {
  const parent = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone
    }
  }
  const out = new Map<number, { start: string; cmd: string }>();
  const walk = (p: number) => {
    for (const [child, pp] of parent) {
      if (pp !== p || out.has(child)) continue;
      const start = startTime(child);
      if (start === undefined) continue;
      let cmd = '';
      try {
        cmd = readFileSync(`/proc/${child}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      } catch {
        // gone
      }
      out.set(child, { start, cmd });
      walk(child);
    }
  };
  walk(root);
  return out;
}

async function poll<T>(what: string, timeoutMs: number, gone: () => boolean, check: () => Promise<T | undefined> | T | undefined, everyMs = 1000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch {
      // not yet
    }
    if (gone()) throw new Error(`npm run stack exited while waiting for ${what}`);
    if (Date.now() > deadline) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await sleep(everyMs);
  }
}

test('npm run stack with the payment-outage scenario: the payment page reaches the receiver, and SIGTERM leaves nothing running', { timeout: 900_000 }, async (t) => {
  if (!requireReal(t, 'prometheus', hasCommand('prometheus'), 'apt-get install prometheus')) return;
  if (!requireReal(t, 'prometheus-alertmanager', hasCommand('prometheus-alertmanager'), 'apt-get install prometheus-alertmanager')) return;
  const dataDir = mkdtempSync(join(tmpdir(), 'tillwatch-stack-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const npm = spawn('npm', ['run', 'stack', '--', '--scenario', 'payment-outage', '--free-ports', '--data-dir', dataDir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  npm.stdout.on('data', (d: Buffer) => (out += d.toString()));
  npm.stderr.on('data', (d: Buffer) => (out += d.toString()));
  // 'close': npm has exited and nothing holds its output any more (run.mjs and the stack have ended too).
  const exited = new Promise<number | null>((resolve) => npm.once('close', (code) => resolve(code)));
  const seen = new Map<number, { start: string; cmd: string }>();
  const watch = setInterval(() => {
    for (const [pid, p] of descendants(npm.pid!)) seen.set(pid, p);
  }, 500);
  // Whatever happens, nothing is left behind: the stack is stopped, and anything it left is killed by pid.
  t.after(async () => {
    clearInterval(watch);
    if (npm.exitCode === null && npm.signalCode === null) {
      npm.kill('SIGTERM');
      await Promise.race([exited, sleep(60_000, undefined, { ref: false })]);
    }
    for (const [pid, p] of seen) if (startTime(pid) === p.start) process.kill(pid, 'SIGKILL');
  });
  const hasExited = () => npm.exitCode !== null || npm.signalCode !== null;
  const fail = (what: string) => new Error(`${what}\n--- npm run stack output ---\n${out.slice(-6000)}`);

  try {
    const receiver = await poll('the stack to print its URLs', START_MS, hasExited, () => /^\s*receiver\s+(http:\/\/127\.0\.0\.1:\d+)/m.exec(out)?.[1]);
    const intervalS = Number(/scrape and evaluation every (\d+) s/.exec(out)?.[1]);
    assert.ok(intervalS > 0, 'the stack prints its scrape and evaluation interval');
    // The traffic guard holds after a few scrapes; then the stack says how long it expects the page to take.
    const expectS = Number(await poll('the payment outage to start', 60 * intervalS * 1000, hasExited, () => /outage ON .*expect \w+ at the receiver in about (\d+) s/.exec(out)?.[1]));
    t.diagnostic(`outage on; the stack expects the page in about ${expectS} s (scrape and evaluation every ${intervalS} s)`);
    const notification = await poll(`${PAGE} at the receiver`, (2 * expectS + 20 * intervalS) * 1000, hasExited, async () => {
      const res = await fetch(`${receiver}/notifications?alertname=${PAGE}`, { signal: AbortSignal.timeout(5_000) });
      const list = (await res.json()) as { receiver: string; status: string; alerts: { labels: Record<string, string> }[] }[];
      return list.find((n) => n.status === 'firing');
    });
    // The generated routing, unchanged: the payment SLO belongs to the payments team, whose pages go to their PagerDuty service.
    assert.equal(notification.receiver, 'pagerduty-critical-payments');
    const alert = notification.alerts.find((a) => a.labels.alertname === PAGE)!;
    assert.equal(alert.labels.severity, 'critical');
    assert.equal(alert.labels.slo, 'payment-success');
    assert.match(out, new RegExp(`FIRING -> pagerduty-critical-payments \\(PagerDuty\\): ${PAGE}`), 'the receiver printed the notification');
    const text = await (await fetch(receiver, { signal: AbortSignal.timeout(5_000) })).text();
    assert.match(text, new RegExp(PAGE), 'the receiver serves it at its URL');
  } catch (err) {
    throw fail((err as Error).message);
  }

  // --- stop ---------------------------------------------------------------------------------------------------------
  for (const [pid, p] of descendants(npm.pid!)) seen.set(pid, p);
  clearInterval(watch);
  const names = [...seen.values()].map((p) => p.cmd);
  for (const part of ['prometheus ', 'prometheus-alertmanager', 'apps/store/src/main.ts', 'apps/store/scripts/simulate.ts']) {
    assert.ok(names.some((c) => c.includes(part)), `the stack started ${part.trim()} (seen: ${names.join(' | ')})`);
  }
  // SIGTERM to the stack's own process only (not npm, whose `sh -c` does not pass signals on, and not the process
  // group as Ctrl-C in a terminal would): whatever stops now, the stack stopped by pid.
  const stackPid = [...seen].find(([, p]) => /scripts\/stack\.ts/.test(p.cmd) && !/run\.mjs/.test(p.cmd))?.[0];
  assert.ok(stackPid !== undefined, `the stack's process is among npm's descendants: ${names.join(' | ')}`);
  process.kill(stackPid, 'SIGTERM');
  const code = await Promise.race([exited, sleep(90_000, 'timeout' as const, { ref: false })]);
  assert.notEqual(code, 'timeout', fail('npm run stack did not exit within 90 s of SIGTERM').message);
  assert.equal(code, 0, fail('npm run stack exits 0 after a requested stop').message);
  assert.match(out, /nothing of the stack is running/, fail('the stack reports its stop').message);
  const survivors = [...seen].filter(([pid, p]) => startTime(pid) === p.start).map(([pid, p]) => `${pid} ${p.cmd}`);
  assert.deepEqual(survivors, [], 'no process the stack started survived');
});

test('npm run stack names the missing binary and its Debian package', () => {
  // Only the directory of this Node on PATH: no prometheus, no alertmanager.
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts/stack.ts'), '--free-ports'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, PATH: dirname(process.execPath), NODE_OPTIONS: '--conditions=tillwatch-source' },
    timeout: 120_000,
  });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /`prometheus` and `prometheus-alertmanager` not found on PATH/);
  assert.match(r.stderr, /apt-get install prometheus prometheus-alertmanager/);
});
